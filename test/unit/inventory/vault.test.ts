import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { InventoryError } from "../../../src/errors.js";
import { loadInventoryFile } from "../../../src/inventory/load.js";
import { encryptVault } from "../../../src/vault/crypto.js";
import { VaultKey } from "../../../src/vault/keys.js";
import { isSecret } from "../../../src/vault/secret.js";

const FIX = path.resolve(import.meta.dirname, "../../fixtures/vault");
const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-inv-vault-"));
const key = VaultKey.fromBytes("default", Buffer.alloc(32, 7), "test key");

describe("vaulted data in inventories", () => {
  it("turns an inline $BOSUN_VAULT value into a Secret that only reveal() opens", async () => {
    const f = path.join(dir, "inline.yml");
    const enc = encryptVault("s3cret-db-pass", key).replaceAll("\n", "\n        ");
    writeFileSync(f, `all:\n  hosts:\n    db1:\n      db_password: |\n        ${enc}\n      port: 5432\n`);
    const inv = await loadInventoryFile(f, async () => [key]);
    const v = inv.varsFor("db1");
    assert.ok(isSecret(v.db_password));
    assert.equal((v.db_password as { reveal(): string }).reveal(), "s3cret-db-pass");
    assert.equal(String(v.db_password), "***");
    assert.equal(JSON.stringify(v).includes("s3cret"), false);
    assert.equal(v.port, 5432);
  });

  it("reads Ansible's `!vault |` values with their password", async () => {
    const f = path.join(dir, "ansible.yml");
    const vars = readFileSync(path.join(FIX, "ansible-inline.yml"), "utf8").replaceAll(/^/gm, "    ");
    writeFileSync(f, `all:\n  vars:\n${vars}\n  hosts:\n    web1: {}\n`);
    const pass = readFileSync(path.join(FIX, "ansible-1.1.password"), "utf8").trim();
    const inv = await loadInventoryFile(f, async () => [VaultKey.fromPassphrase("default", pass, "test")]);
    const v = inv.varsFor("web1");
    assert.ok(isSecret(v.db_password));
    assert.equal(v.db_user, "app");
  });

  it("decrypts a wholly encrypted inventory and makes every var a Secret", async () => {
    const f = path.join(dir, "hosts.yml.vault");
    writeFileSync(f, encryptVault("all:\n  vars: { api_token: tok-123456 }\n  hosts: { web1: { bosun_host: 10.0.0.1 } }\n", key));
    const inv = await loadInventoryFile(f, async () => [key]);
    const v = inv.varsFor("web1");
    assert.ok(isSecret(v.api_token));
    assert.equal((v.bosun_host as { reveal(): string }).reveal(), "10.0.0.1");
  });

  it("asks for keys only when there is vaulted data, and names the file when none are given", async () => {
    const plain = path.join(dir, "plain.yml");
    writeFileSync(plain, "all:\n  hosts: { web1: {} }\n");
    let asked = 0;
    await loadInventoryFile(plain, async () => {
      asked++;
      return [key];
    });
    assert.equal(asked, 0);
    const f = path.join(dir, "needs-key.yml");
    writeFileSync(f, `all:\n  vars:\n    x: "${encryptVault("v", key).replaceAll("\n", "\\n")}"\n  hosts: { web1: {} }\n`);
    await assert.rejects(
      loadInventoryFile(f),
      (e: unknown) => e instanceof InventoryError && e.message.includes(f) && /vault/.test(e.message),
    );
  });

  it("refuses a wrong key with a vault error, never garbage", async () => {
    const f = path.join(dir, "wrong.yml.vault");
    writeFileSync(f, encryptVault("all:\n  hosts: { web1: {} }\n", key));
    const other = VaultKey.fromBytes("default", Buffer.alloc(32, 9), "other");
    await assert.rejects(
      loadInventoryFile(f, async () => [other]),
      /wrong password or key|no key/i,
    );
  });
});
