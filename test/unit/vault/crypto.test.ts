import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { decryptVault, encryptVault } from "../../../src/vault/crypto.js";
import { CHECKSUM_BYTES, isVaulted, parseEnvelope } from "../../../src/vault/format.js";
import { readKeySource } from "../../../src/vault/keys.js";
import { FAST, fixture, passKey, rawKey, throwsVault } from "./helpers.js";

const PLAIN = "db_password: hunter2\napi_token: abcd-1234\n";

/** Returns text with bit `bit` of byte `i` flipped (on the UTF-8 bytes). */
function flip(text: string, i: number, bit = 0): string {
  const b = Buffer.from(text, "utf8");
  b[i] = (b[i] as number) ^ (1 << bit);
  return b.toString("latin1");
}

describe("vault encryption round trip", () => {
  it("decrypts what it encrypted with a passphrase", () => {
    const key = passKey("default", "correct horse battery staple");
    const text = encryptVault(PLAIN, key, { scrypt: FAST });
    assert.ok(text.startsWith("$BOSUN_VAULT;1;default;scrypt\n"));
    assert.ok(!text.includes("hunter2"));
    const opened = decryptVault(text, [key], "t.yml");
    assert.equal(opened.plaintext.toString(), PLAIN);
    assert.equal(opened.id, "default");
    assert.equal(opened.key, key);
  });

  it("decrypts what it encrypted with a raw key file key", () => {
    const key = rawKey("prod");
    const text = encryptVault(PLAIN, key);
    assert.match(text, /^\$BOSUN_VAULT;1;prod;key\n/);
    assert.equal(decryptVault(text, [key], "t").plaintext.toString(), PLAIN);
  });

  it("uses the default scrypt cost N=2^17 r=8 p=1 and records it in the vault", () => {
    const text = encryptVault("x", passKey("default", "pw-default-cost"));
    assert.deepEqual(parseEnvelope(text, "t").scrypt, { logN: 17, r: 8, p: 1 });
  });

  it("round-trips empty and binary plaintexts", () => {
    const key = rawKey("k");
    assert.equal(decryptVault(encryptVault("", key), [key], "t").plaintext.length, 0);
    const bin = Buffer.from([0, 255, 10, 13, 0x80, 0xfe]);
    assert.deepEqual(decryptVault(encryptVault(bin, key), [key], "t").plaintext, bin);
  });

  it("wraps the base64 body at 76 columns and ends with a newline", () => {
    const text = encryptVault("y".repeat(500), rawKey("k"));
    const lines = text.split("\n");
    assert.equal(lines.at(-1), "");
    for (const l of lines.slice(1, -2)) assert.equal(l.length, 76);
  });

  it("writes a one-line form that decrypts the same, also with surrounding whitespace trimmed", () => {
    const key = passKey("default", "pw-oneline");
    const text = encryptVault("v", key, { scrypt: FAST, oneline: true });
    assert.match(text, /^\$BOSUN_VAULT;1;default;scrypt;[A-Za-z0-9+/=]+$/);
    assert.equal(decryptVault(text, [key], "t").plaintext.toString(), "v");
  });

  it("uses a fresh salt and IV every time", () => {
    const key = rawKey("k");
    assert.notEqual(encryptVault(PLAIN, key), encryptVault(PLAIN, key));
  });

  it("reads the committed version-1 fixtures (the format does not drift)", async () => {
    const plain = readFileSync(fixture("bosun-1.plain.yml"), "utf8");
    const pass = await readKeySource("default", fixture("bosun-1.password"));
    const key = await readKeySource("ops", fixture("bosun-1.key"));
    assert.equal(decryptVault(readFileSync(fixture("bosun-1-passphrase.yml.vault"), "utf8"), [pass], "f").plaintext.toString(), plain);
    assert.equal(decryptVault(readFileSync(fixture("bosun-1-key.yml.vault"), "utf8"), [key], "f").plaintext.toString(), plain);
  });

  it("recognises vault text by its magic", () => {
    assert.ok(isVaulted("  $BOSUN_VAULT;1;x;key\nAAAA"));
    assert.ok(!isVaulted("$ANSIBLE_VAULT;1.1;AES256"));
    assert.ok(!isVaulted("plain: yes"));
  });
});

describe("vault tampering", () => {
  const key = rawKey("default");
  const text = encryptVault(PLAIN, key);
  const bodyStart = text.indexOf("\n") + 1;

  it("detects a flipped byte in the body as an integrity failure", () => {
    throwsVault(() => decryptVault(flip(text, bodyStart + 40), [key], "t.yml"), /^t\.yml: integrity check failed/);
  });

  it("detects a flipped byte in the authenticated header (vault id, kdf, version)", () => {
    for (const at of ["default", "key", ";1;"]) {
      throwsVault(() => decryptVault(flip(text, text.indexOf(at) + 1), [key], "t"), /integrity check failed/);
    }
  });

  it("detects every single-bit flip anywhere after the magic, never returning plaintext", () => {
    const pk = passKey("dev", "pw-bitflip");
    for (const [k, t] of [
      [key, text],
      [pk, encryptVault("s3cret", pk, { scrypt: FAST })],
    ] as const) {
      const magic = "$BOSUN_VAULT;".length;
      for (let i = 0; i < Buffer.byteLength(t); i++) {
        for (let bit = 0; bit < 8; bit++) {
          const re = i < magic ? /not a Bosun vault/ : /integrity check failed/;
          throwsVault(() => decryptVault(flip(t, i, bit), [k], "t"), re);
        }
      }
    }
  });

  it("detects a payload re-signed with a correct checksum by the GCM tag", () => {
    // An attacker can recompute the (unkeyed) checksum, not the tag: flip a ciphertext byte and fix the checksum.
    const env = parseEnvelope(text, "t");
    const raw = Buffer.from(text.split("\n").slice(1).join(""), "base64");
    const payload = Buffer.from(raw.subarray(0, raw.length - CHECKSUM_BYTES));
    const at = payload.length - env.tag.length - 1;
    payload[at] = (payload[at] as number) ^ 1;
    const sum = createHash("sha256").update("$BOSUN_VAULT;1;default;key\n").update(payload).digest().subarray(0, CHECKSUM_BYTES);
    const forged = `$BOSUN_VAULT;1;default;key\n${Buffer.concat([payload, sum]).toString("base64")}\n`;
    throwsVault(() => decryptVault(forged, [key], "t"), /integrity check failed: the vault was modified \(authentication tag/);
  });

  it("refuses scrypt costs that would exhaust memory", () => {
    const pk = passKey("default", "pw-cost");
    throwsVault(() => encryptVault("x", pk, { scrypt: { logN: 25, r: 8, p: 1 } }), /scrypt parameters out of range/);
  });
});

describe("vault keys and ids", () => {
  it("says wrong password, naming the vault id, instead of returning garbage", () => {
    const text = encryptVault(PLAIN, passKey("default", "right-pass"), { scrypt: FAST });
    const err = throwsVault(
      () => decryptVault(text, [passKey("default", "wrong-pass")], "s.yml"),
      /^s\.yml: wrong password or key for vault id "default"/,
    );
    assert.ok(!err.message.includes("wrong-pass"));
  });

  it("says wrong key for a different key file", () => {
    throwsVault(() => decryptVault(encryptVault(PLAIN, rawKey("ops")), [rawKey("ops")], "t"), /wrong password or key/);
  });

  it("opens a vault with the key of the matching id among several", () => {
    const dev = passKey("dev", "dev-pass");
    const prod = rawKey("prod");
    const stage = passKey("stage", "stage-pass");
    const text = encryptVault(PLAIN, stage, { scrypt: FAST });
    const opened = decryptVault(text, [dev, prod, stage], "t");
    assert.equal(opened.key, stage);
    assert.equal(opened.id, "stage");
  });

  it("tries every key when none has the recorded id", () => {
    const text = encryptVault(PLAIN, passKey("old", "shared-pass"), { scrypt: FAST });
    const other = passKey("new", "shared-pass");
    const opened = decryptVault(text, [passKey("x", "nope-pass"), other], "t");
    assert.equal(opened.key, other);
    assert.equal(opened.id, "old");
  });

  it("explains a passphrase given for a key-file vault", () => {
    const text = encryptVault(PLAIN, rawKey("ops"));
    throwsVault(
      () => decryptVault(text, [passKey("ops", "a-pass")], "t"),
      /encrypted with a key file .* vault id "ops"; only ops \(passphrase\) given/,
    );
  });

  it("refuses a bad vault id", () => {
    throwsVault(() => passKey("has space", "pw12"), /bad vault id "has space"/);
  });
});
