import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeError, INTERNAL_ERROR_EXIT, printable } from "../../../src/cli/fail.js";
import { ConfigError, UsageError } from "../../../src/errors.js";

describe("describeError", () => {
  it("gives a Bosun error's message and exit code", () => {
    assert.deepEqual(describeError(new UsageError("bad flag")), { text: "bad flag", exitCode: 64 });
    assert.deepEqual(describeError(new ConfigError({ file: "b.toml", line: 2 }, "x")), { text: "b.toml:2: x", exitCode: 1 });
  });

  it("turns a system error on a path into words, without a stack", () => {
    const err = Object.assign(new Error("EISDIR: illegal operation on a directory, read"), { code: "EISDIR", path: "somedir" });
    assert.deepEqual(describeError(err), { text: "somedir: is a directory, expected a file", exitCode: 1 });
  });

  it("calls anything else a bug, with the stack only when debugging", () => {
    const plain = describeError(new TypeError("x is undefined"), false);
    assert.equal(plain.exitCode, INTERNAL_ERROR_EXIT);
    assert.doesNotMatch(plain.text, /\n\s+at /);
    assert.match(describeError(new TypeError("x is undefined"), true).text, /\n\s+at /);
  });
});

describe("printable", () => {
  it("escapes control characters on every line but keeps the lines", () => {
    assert.equal(printable("a\x1b[2J\nb\x00"), "a\\e[2J\nb\\x00");
  });
});
