import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { decryptVault } from "../../../src/vault/crypto.js";
import { createVaultFile, editVaultFile } from "../../../src/vault/edit.js";
import { decryptFile, encryptFile, openVaultFile, rekeyFile } from "../../../src/vault/files.js";
import type { VaultKey } from "../../../src/vault/keys.js";
import { FAST, passKey, rawKey, rejectsVault, tempDir, throwsVault } from "./helpers.js";

const PLAIN = "user: app\npassword: f1les-pass\n";

function plainFile(dir: string, name = "vars.yml", mode = 0o640): string {
  const f = path.join(dir, name);
  writeFileSync(f, PLAIN);
  chmodSync(f, mode);
  return f;
}

/** Returns an editor command line that logs the temp file, its dir's and its own mode, then appends a line. */
function appendingEditor(dir: string, log: string, exitCode = 0): string {
  const script = path.join(dir, "editor.sh");
  writeFileSync(
    script,
    `#!/bin/sh\nlog="$1"; f="$2"\necho "$f $(stat -c %a "$(dirname "$f")") $(stat -c %a "$f")" > "$log"\necho "added: yes" >> "$f"\nexit ${exitCode}\n`,
    { mode: 0o755 },
  );
  return `${script} ${log}`;
}

/** Returns a vault file encrypted with a fresh key file key, and its text. */
async function encryptedFile(): Promise<{ dir: string; f: string; key: VaultKey; before: string }> {
  const dir = tempDir();
  const f = plainFile(dir);
  const key = rawKey("default");
  await encryptFile(f, key);
  return { dir, f, key, before: readFileSync(f, "utf8") };
}

describe("vault file operations", () => {
  it("encrypts and decrypts a file in place, keeping its mode", async () => {
    const dir = tempDir();
    const f = plainFile(dir);
    const key = passKey("default", "files-pass");
    await encryptFile(f, key, f, { scrypt: FAST });
    assert.match(readFileSync(f, "utf8"), /^\$BOSUN_VAULT;1;default;scrypt\n/);
    assert.equal(statSync(f).mode & 0o777, 0o640);
    await decryptFile(f, [key]);
    assert.equal(readFileSync(f, "utf8"), PLAIN);
    assert.equal(statSync(f).mode & 0o777, 0o640);
  });

  it("refuses to encrypt a file twice", async () => {
    const dir = tempDir();
    const f = plainFile(dir);
    const key = rawKey("default");
    await encryptFile(f, key);
    await rejectsVault(encryptFile(f, key), /already encrypted/);
  });

  it("writes to another file when given an output, leaving the input alone", async () => {
    const dir = tempDir();
    const f = plainFile(dir);
    const out = path.join(dir, "vars.yml.vault");
    const key = rawKey("default");
    await encryptFile(f, key, out);
    assert.equal(readFileSync(f, "utf8"), PLAIN);
    assert.equal((await openVaultFile(out, [key])).plaintext.toString(), PLAIN);
  });

  it("rekeys: the new key opens the file, the old one no longer does", async () => {
    const dir = tempDir();
    const f = plainFile(dir);
    const oldKey = passKey("dev", "old-pass");
    const newKey = rawKey("prod");
    await encryptFile(f, oldKey, f, { scrypt: FAST });
    await rekeyFile(f, [oldKey], newKey);
    const text = readFileSync(f, "utf8");
    assert.match(text, /^\$BOSUN_VAULT;1;prod;key\n/);
    assert.equal(decryptVault(text, [newKey], "f").plaintext.toString(), PLAIN);
    throwsVault(() => decryptVault(text, [oldKey], "f"), /encrypted with a key file/);
  });

  it("leaves a file untouched when decryption fails", async () => {
    const { f, before } = await encryptedFile();
    await rejectsVault(decryptFile(f, [rawKey("default")]), /wrong password or key/);
    assert.equal(readFileSync(f, "utf8"), before);
  });
});

describe("vault edit and create", () => {
  it("edits in a private temp dir, re-encrypts with the same vault id, then removes the temp dir", async () => {
    const dir = tempDir();
    const f = plainFile(dir, "vars.yml.vault");
    const key = passKey("stage", "edit-pass");
    await encryptFile(f, key, f, { scrypt: FAST });
    const log = path.join(dir, "editor.log");
    assert.equal(await editVaultFile(f, [rawKey("other"), key], { editor: appendingEditor(dir, log), scrypt: FAST }), true);
    const [tmp, dirMode, fileMode] = readFileSync(log, "utf8").trim().split(" ");
    assert.equal(dirMode, "700");
    assert.equal(fileMode, "600");
    assert.equal(path.basename(tmp as string), "vars.yml");
    assert.ok(!existsSync(path.dirname(tmp as string)), "temp dir removed");
    const opened = await openVaultFile(f, [key]);
    assert.equal(opened.plaintext.toString(), `${PLAIN}added: yes\n`);
    assert.equal(opened.id, "stage");
  });

  it("leaves the file byte for byte as it was when nothing changed", async () => {
    const { f, key, before } = await encryptedFile();
    assert.equal(await editVaultFile(f, [key], { editor: "true" }), false);
    assert.equal(readFileSync(f, "utf8"), before);
  });

  it("does not save when the editor fails, and still removes the temp dir", async () => {
    const { dir, f, key, before } = await encryptedFile();
    const log = path.join(dir, "editor.log");
    await rejectsVault(editVaultFile(f, [key], { editor: appendingEditor(dir, log, 3) }), /exited with code 3; the vault was not changed/);
    assert.equal(readFileSync(f, "utf8"), before);
    assert.ok(!existsSync(path.dirname(readFileSync(log, "utf8").split(" ")[0] as string)));
  });

  it("refuses to edit a missing file and to create over an existing one", async () => {
    const dir = tempDir();
    await rejectsVault(editVaultFile(path.join(dir, "nope"), [rawKey("d")]), /no such file .*vault create/);
    await rejectsVault(createVaultFile(plainFile(dir), rawKey("d"), { editor: "true" }), /already exists/);
  });

  it("creates a new 0600 vault file from what the editor wrote", async () => {
    const dir = tempDir();
    const f = path.join(dir, "new.yml.vault");
    const key = rawKey("ops");
    await createVaultFile(f, key, { editor: appendingEditor(dir, path.join(dir, "log")) });
    assert.equal(statSync(f).mode & 0o777, 0o600);
    assert.equal((await openVaultFile(f, [key])).plaintext.toString(), "added: yes\n");
  });
});
