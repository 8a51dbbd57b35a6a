import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { batches, failLimitCrossed } from "../../../src/engine/batches.js";

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i + 1}`);
const sizes = (b: unknown[][]) => b.map((x) => x.length);

describe("batches", () => {
  it("returns one batch of every host when serial is not set", () => {
    assert.deepEqual(batches(hosts(3), undefined), [["h1", "h2", "h3"]]);
  });

  it("returns no batch for no hosts", () => {
    assert.deepEqual(batches([], 2), []);
    assert.deepEqual(batches([], "50%"), []);
  });

  it("splits hosts into batches of serial hosts, in order, the last one shorter", () => {
    assert.deepEqual(batches(hosts(5), 2), [["h1", "h2"], ["h3", "h4"], ["h5"]]);
    assert.deepEqual(sizes(batches(hosts(5), 1)), [1, 1, 1, 1, 1]);
  });

  it("accepts a count given as a string", () => {
    assert.deepEqual(sizes(batches(hosts(5), "2")), [2, 2, 1]);
    assert.deepEqual(sizes(batches(hosts(5), " 3 ")), [3, 2]);
  });

  it("returns one batch when serial is at least the host count", () => {
    assert.deepEqual(sizes(batches(hosts(3), 10)), [3]);
    assert.deepEqual(sizes(batches(hosts(3), "100%")), [3]);
    assert.deepEqual(sizes(batches(hosts(3), "250%")), [3]);
  });

  it("turns a percentage into a host count, rounding up", () => {
    assert.deepEqual(sizes(batches(hosts(10), "30%")), [3, 3, 3, 1]);
    assert.deepEqual(sizes(batches(hosts(10), "25%")), [3, 3, 3, 1]);
    assert.deepEqual(sizes(batches(hosts(3), "50%")), [2, 1]);
    assert.deepEqual(sizes(batches(hosts(20), "12.5%")), [3, 3, 3, 3, 3, 3, 2]);
    assert.deepEqual(sizes(batches(hosts(4), "1%")), [1, 1, 1, 1]);
  });

  it("uses batches of at least one host for zero, negative or tiny values", () => {
    assert.deepEqual(sizes(batches(hosts(3), 0)), [1, 1, 1]);
    assert.deepEqual(sizes(batches(hosts(3), -2)), [1, 1, 1]);
    assert.deepEqual(sizes(batches(hosts(3), "0%")), [1, 1, 1]);
    assert.deepEqual(sizes(batches(hosts(3), Number.NaN)), [1, 1, 1]);
  });

  it("rounds a fractional serial down, so no batch is larger than serial and every host is in one batch", () => {
    const b = batches(hosts(5), 2.5);
    assert.deepEqual(b.flat(), hosts(5));
    assert.deepEqual(sizes(b), [2, 2, 1]);
  });

  it("rejects a serial that is neither a count nor a percentage, quoting it", () => {
    for (const bad of ["abc", "-1", "%", "30 %", "1e2", "ten%", "2.5", ""]) {
      assert.throws(
        () => batches(hosts(3), bad),
        (e: unknown) => e instanceof Error && e.message === `serial must be a number or a percentage like "30%", got "${bad}"`,
      );
    }
  });

  it("does not mutate the hosts it splits", () => {
    const list = hosts(4);
    batches(list, 3);
    assert.deepEqual(list, hosts(4));
  });
});

describe("failLimitCrossed", () => {
  it("never stops the play without maxFailPercentage", () => {
    assert.equal(failLimitCrossed(5, 5, undefined), false);
  });

  it("stops the play only when failures are strictly above the percentage", () => {
    assert.equal(failLimitCrossed(1, 4, 25), false);
    assert.equal(failLimitCrossed(2, 4, 25), true);
    assert.equal(failLimitCrossed(1, 2, 50), false);
    assert.equal(failLimitCrossed(2, 3, 50), true);
  });

  it("stops at the first failure with maxFailPercentage 0, and never without failures", () => {
    assert.equal(failLimitCrossed(1, 100, 0), true);
    assert.equal(failLimitCrossed(0, 100, 0), false);
  });

  it("never stops the play with 100%", () => {
    assert.equal(failLimitCrossed(4, 4, 100), false);
  });

  it("is false for an empty batch", () => {
    assert.equal(failLimitCrossed(0, 0, 0), false);
  });
});
