import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { escapeControl, quoteValue } from "../../../src/util/text.js";

describe("escapeControl", () => {
  it("shows escape sequences, NUL, DEL, C1 and bidi overrides as visible escapes", () => {
    assert.equal(escapeControl("a\x1b[31mred\x00\x7f\x9b\u202eb"), "a\\e[31mred\\x00\\x7f\\x9b\\u202eb");
  });

  it("leaves printable text, including non-ASCII letters, as it is", () => {
    assert.equal(escapeControl("héllo wörld ✓"), "héllo wörld ✓");
  });

  it("escapes newlines and tabs so a quoted value stays on one line", () => {
    assert.equal(escapeControl("a\nb\tc\r"), "a\\nb\\tc\\r");
  });
});

describe("quoteValue", () => {
  it("quotes, escapes and cuts long values", () => {
    assert.equal(quoteValue('a"b\x1b'), '"a\\"b\\e"');
    assert.equal(quoteValue("x".repeat(100), 10), `"${"x".repeat(10)}…"`);
  });
});
