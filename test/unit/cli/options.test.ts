import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "commander";
import { hostPattern, nonEmpty, positiveInt, positiveSeconds, tagList } from "../../../src/cli/options.js";

describe("option parsers", () => {
  it("refuse an empty limit, which would otherwise mean every host", () => {
    for (const v of ["", " ", ",", ":", " , "]) assert.throws(() => hostPattern(v), InvalidArgumentError, JSON.stringify(v));
    assert.equal(hostPattern(" web "), "web");
  });

  it("refuse an empty tag list and an empty tag in a list", () => {
    for (const v of ["", ",", " , "]) assert.throws(() => tagList(v), /empty tag list/);
    assert.throws(() => tagList("a,,b"), /empty tag in "a,,b"/);
    assert.equal(tagList("a,b"), "a,b");
  });

  it("take positive integers and positive seconds only", () => {
    for (const v of ["0", "-1", "1.5", "x", ""]) assert.throws(() => positiveInt(v), InvalidArgumentError);
    for (const v of ["0", "-5", "abc", "", "Infinity"]) assert.throws(() => positiveSeconds(v), InvalidArgumentError);
    assert.equal(positiveInt("3"), 3);
    assert.equal(positiveSeconds("0.5"), 0.5);
    assert.throws(() => nonEmpty("  "), /empty value/);
  });
});
