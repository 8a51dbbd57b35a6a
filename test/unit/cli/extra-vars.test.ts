import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { parseExtraVars, parseVarsText } from "../../../src/cli/extra-vars.js";
import { UsageError, VarsError } from "../../../src/errors.js";
import { encryptVault } from "../../../src/vault/crypto.js";
import { VaultKey } from "../../../src/vault/keys.js";

const dir = mkdtempSync(path.join(tmpdir(), "bosun-extra-vars-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("parseExtraVars", () => {
  it("reads key=value pairs as YAML scalars, and text YAML cannot read as text", async () => {
    assert.deepEqual(await parseExtraVars(["a=1 b=true c=x", "d=[unclosed"]), { a: 1, b: true, c: "x", d: "[unclosed" });
  });

  it("refuses a pair without a key, a key that is not a var name, and empty text", async () => {
    await assert.rejects(parseExtraVars(["=x"]), (e) => e instanceof UsageError && /expected key=value/.test(e.message));
    await assert.rejects(parseExtraVars(["a-b=1"]), /"a-b" is not a var name/);
    await assert.rejects(parseExtraVars([""]), UsageError);
  });

  it("names the argument of a bad inline mapping, escaped", async () => {
    await assert.rejects(parseExtraVars(["{bad\x1b"]), (e) => e instanceof UsageError && e.message.startsWith('-e "{bad\\e": not a valid'));
  });

  it("refuses a directory and a device as vars files", async () => {
    await assert.rejects(parseExtraVars([`@${dir}`]), /is a directory/);
    await assert.rejects(parseExtraVars(["@/dev/zero"]), /not a regular file/);
  });

  it("never quotes the decrypted text of a vaulted vars file with a syntax error", async () => {
    const key = VaultKey.fromPassphrase("default", "unit-pw-123", "test");
    const file = path.join(dir, "s.yml.vault");
    writeFileSync(file, encryptVault('pw: "Very-Secret-Value-77\nx: [\n', key, { scrypt: { logN: 10, r: 8, p: 1 } }));
    await assert.rejects(
      parseExtraVars([`@${file}`], async () => [key]),
      (e) =>
        e instanceof VarsError &&
        !e.message.includes("Very-Secret") &&
        /s\.yml\.vault:\d+:\d+: bad YAML in the decrypted content/.test(e.message),
    );
  });
});

describe("parseVarsText", () => {
  it("names file:line:col and the reason for plain text", () => {
    assert.throws(() => parseVarsText("a = \n", "v.toml", true, false), { message: "v.toml:1:5: bad TOML: invalid value" });
  });
});
