import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import { encryptionKey, newKeyFileText, parseVaultIdArg, readKeySource, resolveKeys, VaultKey } from "../../../src/vault/keys.js";
import { rejectsVault, tempDir, throwsVault } from "./helpers.js";

function file(dir: string, name: string, content: string, mode = 0o600): string {
  const p = path.join(dir, name);
  writeFileSync(p, content, { mode });
  return p;
}

describe("vault key files", () => {
  it("reads a password file without its trailing newline", async () => {
    const dir = tempDir();
    const key = await readKeySource("dev", file(dir, "pw", "s3cret pass\n"));
    assert.equal(key.kind, "passphrase");
    assert.equal(key.material().toString(), "s3cret pass");
    assert.equal(key.id, "dev");
  });

  it("reads a key file made by init as 32 raw bytes", async () => {
    const dir = tempDir();
    const text = newKeyFileText();
    assert.match(text, /^\$BOSUN_VAULT_KEY;1;[A-Za-z0-9+/]{43}=\n$/);
    const key = await readKeySource("prod", file(dir, "k", text));
    assert.equal(key.kind, "key");
    assert.equal(key.material().length, 32);
  });

  it("refuses a damaged key file and an empty password file", async () => {
    const dir = tempDir();
    await rejectsVault(readKeySource("d", file(dir, "k", "$BOSUN_VAULT_KEY;1;AAAA\n")), /damaged key file/);
    await rejectsVault(readKeySource("d", file(dir, "e", "\n")), /the vault password is empty/);
    await rejectsVault(readKeySource("d", path.join(dir, "missing")), /cannot read vault password file: no such file or directory/);
  });

  it("runs an executable password file and uses its output (ansible's password scripts)", async () => {
    const dir = tempDir();
    const script = file(dir, "pw.sh", '#!/bin/sh\necho "from-script-$2"\n', 0o700);
    const key = await readKeySource("dev", script);
    assert.equal(key.material().toString(), "from-script-dev");
  });

  it("never shows key material when printed", () => {
    const key = VaultKey.fromPassphrase("dev", "very-secret-pass", "test");
    for (const s of [String(key), JSON.stringify(key), inspect(key), `${key}`]) assert.ok(!s.includes("very-secret-pass"), s);
    assert.equal(String(key), "VaultKey(dev, passphrase from test)");
  });
});

describe("vault key sources", () => {
  it("parses --vault-id ID@FILE, ID@prompt and a bare FILE", () => {
    assert.deepEqual(parseVaultIdArg("dev@path/to/pw"), { id: "dev", from: "path/to/pw" });
    assert.deepEqual(parseVaultIdArg("dev@prompt"), { id: "dev", from: "prompt" });
    assert.deepEqual(parseVaultIdArg("pw.txt"), { id: "default", from: "pw.txt" });
    throwsVault(() => parseVaultIdArg("bad id@x"), /bad vault id/);
  });

  it("takes --vault-password-file before BOSUN_VAULT_PASSWORD_FILE before BOSUN_VAULT_PASSWORD", async () => {
    const dir = tempDir();
    const a = file(dir, "a", "pass-a\n");
    const b = file(dir, "b", "pass-b\n");
    const env = { BOSUN_VAULT_PASSWORD_FILE: b, BOSUN_VAULT_PASSWORD: "pass-c" };
    const first = async (src: Parameters<typeof resolveKeys>[0]) => (await resolveKeys(src)).map((k) => k.material().toString());
    assert.deepEqual(await first({ passwordFile: a, env }), ["pass-a"]);
    assert.deepEqual(await first({ env }), ["pass-b"]);
    assert.deepEqual(await first({ env: { BOSUN_VAULT_PASSWORD: "pass-c" } }), ["pass-c"]);
  });

  it("puts --vault-id keys first, then the default key, then bosun.toml ids not given on the command line", async () => {
    const dir = tempDir();
    const dev = file(dir, "dev", "dev-pass\n");
    const prod = file(dir, "prod", newKeyFileText());
    const keys = await resolveKeys({
      vaultIds: [`dev@${dev}`],
      env: { BOSUN_VAULT_PASSWORD: "default-pass" },
      configIds: { dev: prod, prod, absent: path.join(dir, "nope") },
    });
    assert.deepEqual(
      keys.map((k) => [k.id, k.kind]),
      [
        ["dev", "passphrase"],
        ["default", "passphrase"],
        ["prod", "key"],
      ],
    );
  });

  it("asks the prompt only when no other source gives a key, twice when confirming", async () => {
    const asked: string[] = [];
    const prompt = async (q: string) => {
      asked.push(q);
      return "typed-pass";
    };
    const keys = await resolveKeys({ env: {}, prompt, confirm: true });
    assert.equal(keys[0]?.source, "prompt");
    assert.deepEqual(asked, ["New vault password: ", "Confirm new vault password: "]);
    asked.length = 0;
    await resolveKeys({ env: { BOSUN_VAULT_PASSWORD: "env-pass" }, prompt });
    assert.deepEqual(asked, []);
    await resolveKeys({ vaultIds: ["ops@prompt"], env: {}, prompt });
    assert.deepEqual(asked, ["Vault password (ops): "]);
  });

  it("refuses mismatched confirmation, and a missing password without a terminal", async () => {
    let n = 0;
    await rejectsVault(resolveKeys({ env: {}, prompt: async () => `p${n++}-pass`, confirm: true }), /the passwords do not match/);
    await rejectsVault(resolveKeys({ env: {} }), /no vault password: pass --vault-id/);
  });

  it("picks the encryption key by --encrypt-vault-id, else the first", () => {
    const a = VaultKey.fromPassphrase("a", "pass-aaaa", "t");
    const b = VaultKey.fromPassphrase("b", "pass-bbbb", "t");
    assert.equal(encryptionKey([a, b]), a);
    assert.equal(encryptionKey([a, b], "b"), b);
    throwsVault(() => encryptionKey([a, b], "c"), /--encrypt-vault-id c: no such vault id among a, b/);
  });
});
