import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../../../src/errors.js";
import { parseDuration, splitCanary } from "../../../src/pipeline/canary.js";

const hosts = Array.from({ length: 20 }, (_, i) => `web${i + 1}`);

describe("splitCanary", () => {
  it("takes a count of hosts first", () => assert.deepEqual(splitCanary(hosts, 2).canary, ["web1", "web2"]));
  it("takes a percentage, rounded up", () => assert.equal(splitCanary(hosts, "12%").canary.length, 3));
  it("always leaves at least one host for the rest and takes at least one", () => {
    assert.deepEqual(splitCanary(["a", "b"], "100%"), { canary: ["a"], rest: ["b"] });
    assert.deepEqual(splitCanary(hosts, "1%").canary, ["web1"]);
  });
  it("refuses a malformed size", () => assert.throws(() => splitCanary(hosts, "ten"), UsageError));
});

describe("parseDuration", () => {
  for (const [text, ms] of [
    ["500ms", 500],
    ["30s", 30_000],
    ["2m", 120_000],
    ["1m30s", 90_000],
    ["1h", 3_600_000],
  ] as const)
    it(`reads ${text}`, () => assert.equal(parseDuration(text), ms));
  it("refuses text that is not a duration", () => assert.throws(() => parseDuration("2 minutes"), UsageError));
});
