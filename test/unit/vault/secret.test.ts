import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { format, inspect } from "node:util";
import { encryptVault } from "../../../src/vault/crypto.js";
import { forgetSecrets, redact, registerSecret } from "../../../src/vault/redact.js";
import { decryptFileToObject, decryptInline, isSecret, Secret } from "../../../src/vault/secret.js";
import { FAST, passKey, rawKey, rejectsVault, tempDir, throwsVault } from "./helpers.js";

describe("Secret", () => {
  const s = new Secret("tr0ub4dor&3");

  it("never shows its plaintext through String, template literals, JSON, inspect or format", () => {
    assert.equal(String(s), "***");
    assert.equal(`${s}`, "***");
    assert.equal(`pw=${s}!`, "pw=***!");
    assert.equal("x" + s, "x***");
    assert.equal(JSON.stringify(s), '"***"');
    assert.equal(JSON.stringify({ db: { password: s } }), '{"db":{"password":"***"}}');
    assert.equal(inspect(s), "***");
    assert.equal(inspect({ password: s }, { depth: 5 }), "{ password: *** }");
    assert.equal(format("%s %o %O %j", s, s, s, s), '*** *** *** "***"');
    assert.deepEqual(Object.keys(s), []);
  });

  it("gives the plaintext only through reveal()", () => {
    assert.equal(s.reveal(), "tr0ub4dor&3");
  });

  it("is recognised by isSecret, and nothing else is", () => {
    assert.ok(isSecret(s));
    for (const x of ["***", null, undefined, 3, { reveal: () => "x" }]) assert.ok(!isSecret(x));
  });
});

describe("redact", () => {
  it("replaces every known secret plaintext in text with ***", () => {
    forgetSecrets();
    new Secret("hunter2-pw");
    new Secret("api-token-123");
    assert.equal(redact("login hunter2-pw then hunter2-pw with api-token-123."), "login *** then *** with ***.");
    assert.equal(redact("nothing to hide"), "nothing to hide");
  });

  it("ignores values shorter than 4 characters and prefers the longest match", () => {
    forgetSecrets();
    registerSecret("abc");
    registerSecret("pass");
    registerSecret("password1");
    assert.equal(redact("abc password1 pass"), "abc *** ***");
  });

  it("hides each line of a multi-line secret too", () => {
    forgetSecrets();
    new Secret("-----BEGIN KEY-----\nAAAABBBBCCCC\n-----END KEY-----\n");
    assert.equal(redact("got line: AAAABBBBCCCC"), "got line: ***");
  });

  it("hides vault passphrases once they are used as keys", () => {
    forgetSecrets();
    passKey("default", "my-vault-passphrase");
    assert.equal(redact("sshpass my-vault-passphrase"), "sshpass ***");
  });
});

describe("decryptInline", () => {
  it("returns a Secret from an encrypt-string value, as YAML gives it from a `|` block", () => {
    const key = passKey("default", "inline-pass");
    const block = `${encryptVault("db-s3cret", key, { scrypt: FAST })}`;
    const secret = decryptInline(`\n${block}\n\n`, [key]);
    assert.ok(isSecret(secret));
    assert.equal(secret.reveal(), "db-s3cret");
    assert.equal(redact("x db-s3cret"), "x ***");
  });

  it("accepts the one-line form", () => {
    const key = rawKey("ops");
    assert.equal(decryptInline(encryptVault("v4lue", key, { oneline: true }), [key]).reveal(), "v4lue");
  });

  it("refuses a value that is not encrypted", () => {
    throwsVault(() => decryptInline("plain", [rawKey("x")]), /inline vault value: not encrypted/);
  });
});

describe("decryptFileToObject", () => {
  const key = rawKey("default");

  async function roundTrip(name: string, content: string): Promise<unknown> {
    const file = path.join(tempDir(), name);
    writeFileSync(file, encryptVault(content, key));
    return decryptFileToObject(file, [key]);
  }

  it("parses YAML, TOML and JSON by extension, after a final .vault", async () => {
    assert.deepEqual(await roundTrip("vars.yml.vault", "a: 1\nb: [x, y]\n"), { a: 1, b: ["x", "y"] });
    assert.deepEqual(await roundTrip("vars.yaml", "a: s\n"), { a: "s" });
    // smol-toml makes null-prototype objects; compare the data.
    const toml = await roundTrip("env.toml.vault", 'token = "t0k"\n[db]\nport = 5432\n');
    assert.deepEqual(JSON.parse(JSON.stringify(toml)), { token: "t0k", db: { port: 5432 } });
    assert.deepEqual(await roundTrip("x.json", '{"k": ["v"]}'), { k: ["v"] });
  });

  it("leaves string leaves as plain strings", async () => {
    const data = (await roundTrip("v.yml", "password: pl41n\n")) as { password: unknown };
    assert.equal(typeof data.password, "string");
  });

  it("reports a parse error by line and column without quoting the plaintext", async () => {
    const err = await rejectsVault(
      roundTrip("bad.yml.vault", "ok: 1\nsecret_value: [unclosed\n"),
      /bad\.yml\.vault: decrypted content is not valid YAML \(line \d+, column \d+\)/,
    );
    assert.ok(!err.message.includes("unclosed"));
    const jerr = await rejectsVault(roundTrip("bad.json", '{"pw": "sekrit-json",}'), /not valid JSON/);
    assert.ok(!jerr.message.includes("sekrit"));
  });

  it("refuses an extension it cannot parse", async () => {
    await rejectsVault(roundTrip("notes.txt.vault", "hello"), /cannot tell the format/);
  });
});
