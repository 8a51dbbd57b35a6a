import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { macFor } from "../../../src/lab/net.js";

describe("macFor", () => {
  it("derives a stable, locally administered unicast MAC from the host's address", () => {
    assert.equal(macFor("198.18.0.10"), "02:b0:c6:12:00:0a");
    assert.equal(macFor("198.18.0.10"), macFor("198.18.0.10"));
    assert.notEqual(macFor("198.18.0.10"), macFor("198.18.0.11"));
    const first = Number.parseInt(macFor("198.18.0.200").split(":")[0] as string, 16);
    assert.equal(first & 0b10, 0b10, "locally administered bit set");
    assert.equal(first & 0b1, 0, "unicast");
  });
});
