import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { aptKey } from "../../../src/ops/apt-key.js";
import { aptConfigAbsentOp, aptConfigFileOp, aptRepository, debSources } from "../../../src/ops/apt-repository.js";
import { ROOT, tempDir } from "../../e2e/helpers.js";
import { applyHere, declared, outputs } from "./kit.js";

// A throwaway repository signing key (gpg --quick-gen-key … ed25519), ASCII-armored and binary.
const ARMORED = readFileSync(path.join(ROOT, "test/fixtures/apt/test-repo.asc"), "utf8");
const BINARY = readFileSync(path.join(ROOT, "test/fixtures/apt/test-repo.gpg"));

/** Returns fileFact's output for an absent file, or a root-owned 0644 file with this content. */
const fileOut = (content?: string) => {
  if (content === undefined) return "type=absent\n";
  const sha = createHash("sha256").update(content).digest("hex");
  return `type=file\nmode=644 owner=root group=root size=${content.length}\nsha256=${sha}\ncontent=${Buffer.from(content).toString("base64")}\n`;
};

describe("apt repository sources (deb822)", () => {
  it("writes Types, URIs, Suites, Components, Architectures and Signed-By", () => {
    const text = debSources("docker", {
      uri: "https://download.docker.com/linux/debian",
      suite: "bookworm",
      components: ["stable"],
      arch: "amd64",
      signedBy: "/etc/apt/keyrings/docker.asc",
    });
    assert.equal(
      text,
      "Types: deb\nURIs: https://download.docker.com/linux/debian\nSuites: bookworm\nComponents: stable\nArchitectures: amd64\nSigned-By: /etc/apt/keyrings/docker.asc\n",
    );
  });

  it("writes a flat repository without Components, and Trusted when asked", () => {
    assert.equal(
      debSources("lab", { uri: "http://198.18.0.1:8780", suite: "./", trusted: true }),
      "Types: deb\nURIs: http://198.18.0.1:8780\nSuites: ./\nTrusted: yes\n",
    );
  });

  it("rejects what apt would reject, before touching a host", () => {
    const bad: [Parameters<typeof debSources>[1], RegExp][] = [
      [{ uri: "not a uri", suite: "x", components: ["main"] }, /bad uri/],
      [{ uri: "http://x", suite: "bookworm" }, /components are required/],
      [{ uri: "http://x", suite: "./", components: ["main"] }, /flat repository .* takes no components/],
      [{ uri: "http://x", suite: "book worm", components: ["main"] }, /bad suite/],
      [{ uri: "http://x", suite: "b", components: ["main"], signedBy: "docker.asc" }, /signedBy must be the absolute path/],
      [{ uri: "http://x", suite: "b", components: ["main"], arch: "AMD 64" }, /bad arch/],
      [{ uri: "http://x", suite: "b", components: ["main"], types: ["rpm" as "deb"] }, /bad type "rpm"/],
    ];
    for (const [o, re] of bad) assert.throws(() => debSources("x", o), re);
    assert.throws(() => declared(() => aptRepository("../evil", { uri: "http://x", suite: "./" })), /bad name/);
  });
});

describe("aptRepository op: planning", () => {
  const P = "/etc/apt/sources.list.d/lab.sources";
  const o = { uri: "http://198.18.0.1:8780", suite: "./", trusted: true };
  const content = debSources("lab", o);

  it("is named for its file and plans its creation with a diff", () => {
    const op = declared(() => aptRepository("lab", o));
    assert.equal(op.kind, "apt_repository");
    assert.equal(op.name, P);
    const p = op.plan(outputs({ [`file:${P}`]: fileOut() }));
    assert.equal(p.changed, true);
    assert.match(p.diff ?? "", /\+URIs: http:\/\/198\.18\.0\.1:8780/);
  });

  it("plans nothing when the file has the content, and an update when it differs", () => {
    const op = declared(() => aptRepository("lab", o));
    assert.deepEqual(op.plan(outputs({ [`file:${P}`]: fileOut(content) })), { changed: false, summary: "up to date" });
    assert.match(op.plan(outputs({ [`file:${P}`]: fileOut(content.replace("./", "bookworm/")) })).summary, /^update content/);
  });

  it("with state absent plans a removal only when the file exists", () => {
    const op = declared(() => aptRepository("lab", { state: "absent" }));
    assert.deepEqual(op.plan(outputs({ [`file:${P}`]: fileOut(content) })), { changed: true, summary: `remove ${P}` });
    assert.deepEqual(op.plan(outputs({ [`file:${P}`]: fileOut() })), { changed: false, summary: "absent" });
  });
});

describe("aptKey op", () => {
  it("puts an ASCII-armored key in NAME.asc and a binary key in NAME.gpg (apt reads keys by extension)", () => {
    assert.equal(declared(() => aptKey("test", { key: ARMORED })).name, "/etc/apt/keyrings/test.asc");
    assert.equal(declared(() => aptKey("test", { key: BINARY })).name, "/etc/apt/keyrings/test.gpg");
  });

  it("plans the key file like a file, and its removal (either extension) with state absent", () => {
    const op = declared(() => aptKey("test", { key: ARMORED }));
    assert.equal(op.plan(outputs({ "file:/etc/apt/keyrings/test.asc": fileOut() })).changed, true);
    assert.equal(op.plan(outputs({ "file:/etc/apt/keyrings/test.asc": fileOut(ARMORED) })).changed, false);
    const gone = declared(() => aptKey("test", { state: "absent" }));
    const p = gone.plan(outputs({ "file:/etc/apt/keyrings/test.asc": fileOut(), "file:/etc/apt/keyrings/test.gpg": fileOut("x") }));
    assert.deepEqual(p, { changed: true, summary: "remove /etc/apt/keyrings/test.gpg" });
  });

  it("rejects content that is not an OpenPGP public key", () => {
    assert.throws(() => declared(() => aptKey("test", { key: "hello" })), /not an ASCII-armored OpenPGP public key/);
    assert.throws(() => declared(() => aptKey("test", { key: Buffer.from("hello world") })), /not a binary OpenPGP public key/);
    assert.throws(() => declared(() => aptKey("test", {})), /key is required/);
    assert.throws(() => declared(() => aptKey("a/b", { key: ARMORED })), /bad name/);
  });
});

describe("apt config file ops: apply fragment (run by sh on files in a temp dir)", () => {
  /** Returns an env whose `rm` logs removals of apt's list stamp instead of touching this machine's apt. */
  const stampSpy = (dir: string) => {
    const bin = path.join(dir, "bin");
    mkdirSync(bin);
    writeFileSync(
      path.join(bin, "rm"),
      `#!/bin/sh\ncase "$*" in *.bosun-stamp*) echo "$*" >> "${dir}/stamp.log"; exit 0;; esac\nexec /bin/rm "$@"\n`,
    );
    chmodSync(path.join(bin, "rm"), 0o755);
    writeFileSync(path.join(dir, "stamp.log"), "");
    return { PATH: `${bin}:${process.env.PATH}` };
  };
  it("writes the file (creating its directory) and marks apt's lists stale only when it changed", () => {
    const dir = tempDir("bosun-aptsrc-");
    const env = stampSpy(dir);
    const target = path.join(dir, "sources.list.d", "lab.sources");
    const o = aptConfigFileOp("apt_repository", target, "Types: deb\n", {});
    assert.equal(applyHere(o, env).status, "changed");
    assert.equal(readFileSync(target, "utf8"), "Types: deb\n");
    assert.equal(readFileSync(path.join(dir, "stamp.log"), "utf8"), "-f /var/lib/apt/lists/.bosun-stamp\n");
    assert.equal(applyHere(o, env).status, "ok");
    assert.equal(readFileSync(path.join(dir, "stamp.log"), "utf8").split("\n").length, 2, "no second mark");
  });

  it("removes the file and marks the lists stale, then reports ok", () => {
    const dir = tempDir("bosun-aptsrc-");
    const env = stampSpy(dir);
    const target = path.join(dir, "lab.sources");
    writeFileSync(target, "x");
    const o = aptConfigAbsentOp("apt_repository", [target], {});
    assert.equal(applyHere(o, env).status, "changed");
    assert.equal(readFileSync(path.join(dir, "stamp.log"), "utf8"), "-f /var/lib/apt/lists/.bosun-stamp\n");
    assert.equal(applyHere(o, env).status, "ok");
  });
});
