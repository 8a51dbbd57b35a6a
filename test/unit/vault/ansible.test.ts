import assert from "node:assert/strict";
import { copyFileSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { decryptAnsible, isAnsibleVault } from "../../../src/vault/ansible.js";
import { decryptVault } from "../../../src/vault/crypto.js";
import { importFile } from "../../../src/vault/files.js";
import { readKeySource } from "../../../src/vault/keys.js";
import { decryptInline } from "../../../src/vault/secret.js";
import { FAST, fixture, passKey, rawKey, rejectsVault, tempDir, throwsVault } from "./helpers.js";

// Fixtures made by ansible-vault 2.14 (ansible-core, Debian 12); see test/fixtures/vault/README.md.
const PLAIN = readFileSync(fixture("ansible-plain.yml"), "utf8");
const V11 = readFileSync(fixture("ansible-1.1.yml.vault"), "utf8");
const V12 = readFileSync(fixture("ansible-1.2-dev.yml.vault"), "utf8");

describe("ansible-vault files", () => {
  it("decrypts a 1.1 file made by ansible-vault encrypt", async () => {
    const key = await readKeySource("default", fixture("ansible-1.1.password"));
    const opened = decryptAnsible(V11, [key], "a.yml");
    assert.equal(opened.plaintext.toString(), PLAIN);
    assert.equal(opened.format, "ansible-1.1");
  });

  it("decrypts a 1.2 file made with --vault-id dev@file, picking the dev key", async () => {
    const other = passKey("default", "not-it-pass");
    const dev = await readKeySource("dev", fixture("ansible-1.2-dev.password"));
    const opened = decryptAnsible(V12, [other, dev], "a.yml");
    assert.equal(opened.plaintext.toString(), PLAIN);
    assert.equal(opened.id, "dev");
    assert.equal(opened.format, "ansible-1.2");
  });

  it("says wrong password (or modified) for a wrong password or a flipped ciphertext byte", async () => {
    throwsVault(() => decryptAnsible(V11, [passKey("default", "wrong-pass")], "a.yml"), /^a\.yml: wrong password for ansible vault/);
    const key = await readKeySource("default", fixture("ansible-1.1.password"));
    const lines = V11.split("\n");
    lines[3] = `${(lines[3] as string).slice(0, 10)}${(lines[3] as string)[10] === "0" ? "1" : "0"}${(lines[3] as string).slice(11)}`;
    throwsVault(
      () => decryptAnsible(lines.join("\n"), [key], "a.yml"),
      /wrong password .* or the file was modified|integrity check failed/,
    );
  });

  it("needs a password, not a key file", () => {
    throwsVault(() => decryptAnsible(V11, [rawKey("default")], "a"), /needs a password; only key files were given/);
  });

  it("reads an inline !vault value from ansible-vault encrypt_string", async () => {
    const vars = parseYaml(readFileSync(fixture("ansible-inline.yml"), "utf8"), {
      customTags: [{ tag: "!vault", resolve: (s: string) => s }],
    });
    assert.ok(isAnsibleVault(vars.db_password));
    const key = await readKeySource("default", fixture("ansible-1.1.password"));
    assert.equal(decryptInline(vars.db_password, [key]).reveal(), "s3cr3t-inline");
  });
});

describe("vault import", () => {
  it("rewrites a 1.1 and a 1.2 file in Bosun's format in place, keeping mode, id and password", async () => {
    const dir = tempDir();
    const f11 = path.join(dir, "a11.yml.vault");
    const f12 = path.join(dir, "a12.yml.vault");
    copyFileSync(fixture("ansible-1.1.yml.vault"), f11);
    copyFileSync(fixture("ansible-1.2-dev.yml.vault"), f12);
    const keys = [
      await readKeySource("default", fixture("ansible-1.1.password")),
      await readKeySource("dev", fixture("ansible-1.2-dev.password")),
    ];
    const mode = statSync(f11).mode & 0o777;
    await importFile(f11, keys, undefined, { scrypt: FAST });
    await importFile(f12, keys, undefined, { scrypt: FAST });
    const t11 = readFileSync(f11, "utf8");
    const t12 = readFileSync(f12, "utf8");
    assert.match(t11, /^\$BOSUN_VAULT;1;default;scrypt\n/);
    assert.match(t12, /^\$BOSUN_VAULT;1;dev;scrypt\n/);
    assert.equal(statSync(f11).mode & 0o777, mode);
    // Same passwords as before: only the matching one opens each.
    assert.equal(decryptVault(t11, [keys[0]!], "f").plaintext.toString(), PLAIN);
    assert.equal(decryptVault(t12, [keys[1]!], "f").plaintext.toString(), PLAIN);
    throwsVault(() => decryptVault(t12, [keys[0]!], "f"), /wrong password or key/);
  });

  it("encrypts with the new key when one is given", async () => {
    const dir = tempDir();
    const f = path.join(dir, "a.yml.vault");
    copyFileSync(fixture("ansible-1.1.yml.vault"), f);
    const newKey = rawKey("ops");
    await importFile(f, [await readKeySource("default", fixture("ansible-1.1.password"))], newKey);
    assert.equal(decryptVault(readFileSync(f, "utf8"), [newKey], "f").plaintext.toString(), PLAIN);
  });

  it("refuses a file that is not an ansible vault, leaving it untouched", async () => {
    const dir = tempDir();
    const f = path.join(dir, "plain.yml");
    copyFileSync(fixture("ansible-plain.yml"), f);
    await rejectsVault(importFile(f, [passKey("default", "whatever")]), /not an ansible vault/);
    assert.equal(readFileSync(f, "utf8"), PLAIN);
  });

  it("leaves the file untouched on a wrong password", async () => {
    const dir = tempDir();
    const f = path.join(dir, "a.yml.vault");
    copyFileSync(fixture("ansible-1.1.yml.vault"), f);
    await rejectsVault(importFile(f, [passKey("default", "wrong-pass")]), /wrong password/);
    assert.equal(readFileSync(f, "utf8"), V11);
  });
});
