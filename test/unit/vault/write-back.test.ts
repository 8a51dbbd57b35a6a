import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { encryptVault } from "../../../src/vault/crypto.js";
import { openVaultFile } from "../../../src/vault/files.js";
import { Secret } from "../../../src/vault/secret.js";
import { checkVaultOutput, VaultWriteBack } from "../../../src/vault/write-back.js";
import { rawKey, tempDir } from "./helpers.js";

const key = rawKey("prod");
const other = rawKey("other");
const keys = async () => [key];

async function contentOf(file: string, k = key): Promise<Record<string, string>> {
  return parse((await openVaultFile(file, [k])).plaintext.toString("utf8"));
}

describe("values written back into a vault file", () => {
  it("creates a missing vault file (0600, the first key's id) holding the value under its key", async () => {
    const f = path.join(tempDir(), "secrets", "grafana.yml.vault");
    const wb = new VaultWriteBack(keys);
    assert.equal(await wb.has(f, "token"), false);
    assert.deepEqual(await wb.store(f, new Map([["token", new Secret("glsa_abc123")]])), ["token"]);
    assert.equal(statSync(f).mode & 0o777, 0o600);
    assert.match(readFileSync(f, "utf8"), /^\$BOSUN_VAULT;1;prod;key\n/);
    assert.doesNotMatch(readFileSync(f, "utf8"), /glsa_abc123/);
    assert.deepEqual(await contentOf(f), { token: "glsa_abc123" });
    assert.equal(await wb.has(f, "token"), true);
  });

  it("keeps the other keys, the vault id and the mode of an existing file, and reads it with another run", async () => {
    const f = path.join(tempDir(), "v.yml.vault");
    writeFileSync(f, encryptVault("db_password: hunter22\n", key), { mode: 0o640 });
    await new VaultWriteBack(async () => [other, key]).store(f, new Map([["token", new Secret("t-1")]]));
    assert.deepEqual(await contentOf(f), { db_password: "hunter22", token: "t-1" });
    assert.match(readFileSync(f, "utf8"), /^\$BOSUN_VAULT;1;prod;key\n/);
    assert.equal(statSync(f).mode & 0o777, 0o640);
    assert.equal(await new VaultWriteBack(keys).has(f, "token"), true);
  });

  it("does not rewrite the file when the value is already there", async () => {
    const f = path.join(tempDir(), "v.yml.vault");
    writeFileSync(f, encryptVault("token: same\n", key), { mode: 0o600 });
    const before = readFileSync(f, "utf8");
    assert.deepEqual(await new VaultWriteBack(keys).store(f, new Map([["token", new Secret("same")]])), []);
    assert.equal(readFileSync(f, "utf8"), before);
  });

  it("leaves the original untouched when the key is wrong, and the error names the file, never the value", async () => {
    const f = path.join(tempDir(), "v.yml.vault");
    writeFileSync(f, encryptVault("db_password: hunter22\n", key), { mode: 0o600 });
    const before = readFileSync(f, "utf8");
    await assert.rejects(
      new VaultWriteBack(async () => [other]).store(f, new Map([["token", new Secret("never-shown")]])),
      (err: Error) => err.message.includes(f) && !err.message.includes("never-shown") && /wrong password or key/.test(err.message),
    );
    assert.equal(readFileSync(f, "utf8"), before);
  });

  it("refuses a decrypted content that is not a YAML mapping without quoting it, and changes nothing", async () => {
    const f = path.join(tempDir(), "v.yml.vault");
    writeFileSync(f, encryptVault("- secret-item\n", key));
    const before = readFileSync(f, "utf8");
    await assert.rejects(new VaultWriteBack(keys).store(f, new Map([["token", new Secret("x-value")]])), (err: Error) => {
      return /expected a mapping/.test(err.message) && !err.message.includes("secret-item");
    });
    assert.equal(readFileSync(f, "utf8"), before);
  });

  it("asks for a vault key only when one is needed, and says how to give one", async () => {
    const f = path.join(tempDir(), "new.yml.vault");
    const wb = new VaultWriteBack(undefined);
    assert.equal(await wb.has(f, "token"), false, "a missing file needs no key");
    await assert.rejects(wb.store(f, new Map([["token", new Secret("abc")]])), /needs a vault key: pass --vault-password-file/);
  });

  it("queues concurrent stores into one file so neither value is lost", async () => {
    const f = path.join(tempDir(), "v.yml.vault");
    const wb = new VaultWriteBack(keys);
    await Promise.all(["a", "b", "c"].map((h) => wb.store(f, new Map([[`token_${h}`, new Secret(`value-${h}`)]]))));
    assert.deepEqual(await contentOf(f), { token_a: "value-a", token_b: "value-b", token_c: "value-c" });
  });

  it("accepts var-name keys and YAML vault files only", () => {
    assert.equal(checkVaultOutput("s/g.yml.vault", "grafana_token"), undefined);
    assert.match(checkVaultOutput("s/g.yml.vault", "bad-key") ?? "", /letters, digits/);
    assert.match(checkVaultOutput("s/g.toml.vault", "k") ?? "", /must be YAML/);
  });
});
