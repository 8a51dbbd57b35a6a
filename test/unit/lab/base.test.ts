import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { debianMirrorFrom } from "../../../src/lab/base.js";

describe("debianMirrorFrom", () => {
  it("reads the URI of a one-line bookworm entry", () => {
    assert.equal(debianMirrorFrom("deb http://mirror.example/debian bookworm main\n"), "http://mirror.example/debian");
  });

  it("reads a one-line entry with [options] and leading spaces", () => {
    const text =
      "  deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] https://mirror.example.org/debian/ bookworm main contrib\n";
    assert.equal(debianMirrorFrom(text), "https://mirror.example.org/debian/");
  });

  it("skips commented, deb-src and other-suite one-line entries", () => {
    const text = [
      "# deb http://commented.example/debian bookworm main",
      "deb-src http://src.example/debian bookworm main",
      "deb http://security.mirror.example/debian-security bookworm-security main",
      "deb http://updates.example/debian bookworm-updates main",
      "deb http://old.example/debian bullseye main",
      "deb http://right.example/debian bookworm main",
    ].join("\n");
    assert.equal(debianMirrorFrom(text), "http://right.example/debian");
  });

  it("reads the first URI of a deb822 stanza listing bookworm among its suites", () => {
    const text = `Types: deb
URIs: http://mirror.example/debian http://backup.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;
    assert.equal(debianMirrorFrom(text), "http://mirror.example/debian");
  });

  it("skips deb822 stanzas for other suites and picks the bookworm one", () => {
    const text = `Types: deb
URIs: http://security.mirror.example/debian-security
Suites: bookworm-security
Components: main

Types: deb deb-src
URIs: https://mirror.example.net/debian
Suites: bookworm
Components: main
`;
    assert.equal(debianMirrorFrom(text), "https://mirror.example.net/debian");
  });

  it("reads deb822 field names in any case and in any order", () => {
    const text = "suites: bookworm\nuris: http://any.example/debian\ntypes: deb\n";
    assert.equal(debianMirrorFrom(text), "http://any.example/debian");
  });

  it("returns undefined when no entry is for bookworm", () => {
    assert.equal(debianMirrorFrom("deb http://mirror.example/debian trixie main\n"), undefined);
    assert.equal(debianMirrorFrom("Types: deb\nURIs: http://x/debian\nSuites: trixie\n"), undefined);
    assert.equal(debianMirrorFrom(""), undefined);
  });

  it("returns undefined for a deb822 stanza without URIs", () => {
    assert.equal(debianMirrorFrom("Types: deb\nSuites: bookworm\nComponents: main\n"), undefined);
  });
});
