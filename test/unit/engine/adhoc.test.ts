import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { exitCodeOf, type HostOutcome, type HostStatus } from "../../../src/engine/adhoc.js";

const outcome = (host: string, status: HostStatus): HostOutcome<unknown> => ({ host, address: host, status, durationMs: 1 });

describe("exitCodeOf", () => {
  it("returns 0 when every host is ok", () => {
    assert.equal(exitCodeOf([outcome("a", "ok"), outcome("b", "ok")]), 0);
  });

  it("returns 0 when there are no hosts", () => {
    assert.equal(exitCodeOf([]), 0);
  });

  it("returns 4 when a host is unreachable and none failed", () => {
    assert.equal(exitCodeOf([outcome("a", "ok"), outcome("b", "unreachable")]), 4);
  });

  it("returns 1 when a host failed", () => {
    assert.equal(exitCodeOf([outcome("a", "ok"), outcome("b", "failed")]), 1);
  });

  it("returns 1 rather than 4 when hosts both failed and were unreachable, whatever their order", () => {
    assert.equal(exitCodeOf([outcome("a", "unreachable"), outcome("b", "failed")]), 1);
    assert.equal(exitCodeOf([outcome("a", "failed"), outcome("b", "unreachable")]), 1);
  });
});
