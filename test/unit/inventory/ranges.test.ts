import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expandHostRange } from "../../../src/inventory/ranges.js";

describe("expandHostRange", () => {
  it("returns a name without a range unchanged", () => {
    assert.deepEqual(expandHostRange("web1.example.com"), ["web1.example.com"]);
  });

  it("keeps the zero padding of a numeric range whose start has a leading zero", () => {
    assert.deepEqual(expandHostRange("web[01:03]"), ["web01", "web02", "web03"]);
  });

  it("pads numbers that grow past the start's width to the start's width only", () => {
    assert.deepEqual(expandHostRange("n[08:11]"), ["n08", "n09", "n10", "n11"]);
  });

  it("does not pad a numeric range whose start has no leading zero", () => {
    assert.deepEqual(expandHostRange("web[9:11]"), ["web9", "web10", "web11"]);
  });

  it("expands a letter range", () => {
    assert.deepEqual(expandHostRange("db-[a:c]"), ["db-a", "db-b", "db-c"]);
  });

  it("expands an upper-case letter range", () => {
    assert.deepEqual(expandHostRange("rack[A:C]"), ["rackA", "rackB", "rackC"]);
  });

  it("keeps the text after the range", () => {
    assert.deepEqual(expandHostRange("db[1:2].example.com"), ["db1.example.com", "db2.example.com"]);
  });

  it("honours a numeric step and includes the end when the step lands on it", () => {
    assert.deepEqual(expandHostRange("x[0:10:5]"), ["x0", "x5", "x10"]);
  });

  it("stops before the end when the step jumps past it", () => {
    assert.deepEqual(expandHostRange("x[1:10:4]"), ["x1", "x5", "x9"]);
  });

  it("honours a step in a letter range", () => {
    assert.deepEqual(expandHostRange("s[a:e:2]"), ["sa", "sc", "se"]);
  });

  it("returns a single name for a range whose start equals its end", () => {
    assert.deepEqual(expandHostRange("web[5:5]"), ["web5"]);
  });

  it("expands several ranges in one name as a cartesian product, first range outermost", () => {
    assert.deepEqual(expandHostRange("r[1:2]c[a:b]"), ["r1ca", "r1cb", "r2ca", "r2cb"]);
  });

  it("throws when the start of a numeric range is after its end", () => {
    assert.throws(() => expandHostRange("web[3:1]"), /range start is after its end in "web\[3:1\]"/);
  });

  it("throws when the start of a letter range is after its end", () => {
    assert.throws(() => expandHostRange("db[c:a]"), /range start is after its end/);
  });

  it("throws on a range that mixes a letter and a number", () => {
    assert.throws(() => expandHostRange("web[a:3]"), /bad range "\[a:3\]" in "web\[a:3\]"/);
  });

  it("throws on a range of multi-letter words", () => {
    assert.throws(() => expandHostRange("web[aa:bb]"), /expected numbers or single letters/);
  });

  it("throws on a zero step instead of looping forever", () => {
    assert.throws(() => expandHostRange("web[1:3:0]"), /bad range step/);
  });

  it("leaves text in brackets that is not start:end alone", () => {
    assert.deepEqual(expandHostRange("web[1-3]"), ["web[1-3]"]);
  });
});
