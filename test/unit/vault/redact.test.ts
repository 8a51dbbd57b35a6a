import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { forgetSecrets, redact, redactDeep, registerSecret } from "../../../src/vault/redact.js";

describe("redact of pieces of secrets", () => {
  afterEach(forgetSecrets);

  it("hides a run of 8 or more characters of a secret even when the rest was altered", () => {
    registerSecret("Zq7-Kw9\\0xPm4LtR2vNb");
    // dash's echo turned "\0" into NUL: the exact value is gone, most of it is still there.
    const out = redact("echo: Zq7-Kw9\x00xPm4LtR2vNb done");
    assert.doesNotMatch(out, /xPm4LtR2v|LtR2vNb/);
    assert.equal(out, "echo: Zq7-Kw9\x00*** done");
  });

  it("leaves runs shorter than 8 characters, and blank or repetitive layout of a key, alone", () => {
    registerSecret("-----BEGIN KEY-----\n        abcdefghijklmnop\n-----END KEY-----");
    assert.equal(redact("abcdefg and --------        and hello"), "abcdefg and --------        and hello");
    assert.equal(redact("x:abcdefghij:y"), "x:***:y");
  });
});

describe("redact of serialized text", () => {
  afterEach(forgetSecrets);

  it("hides a secret in its JSON spelling too, for JSON that was serialized before masking", () => {
    registerSecret('tok"en\\x1');
    assert.equal(redact(JSON.stringify({ v: 'a tok"en\\x1 b' })), '{"v":"a *** b"}');
  });
});

describe("redactDeep", () => {
  afterEach(forgetSecrets);

  it("masks values before they are serialized, so quotes and backslashes in a secret cannot hide it", () => {
    registerSecret('ab"cd\\1234');
    const json = JSON.stringify(redactDeep({ type: "op_planned", diff: '+token=ab"cd\\1234', list: ['ab"cd\\1234'] }));
    assert.doesNotMatch(json, /ab\\"cd/);
    assert.equal(json, '{"type":"op_planned","diff":"+token=***","list":["***"]}');
  });
});
