import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ServerConfigSchema } from "../../../src/server/config.js";
import { driftTargets, nextFirings } from "../../../src/server/scheduler.js";

describe("drift schedule", () => {
  it("fires on the cron expression's times (UTC)", () => {
    const from = new Date("2026-11-30T10:07:00Z");
    assert.deepEqual(
      nextFirings("*/15 * * * *", from, 3).map((d) => d.toISOString()),
      ["2026-11-30T10:15:00.000Z", "2026-11-30T10:30:00.000Z", "2026-11-30T10:45:00.000Z"],
    );
    assert.deepEqual(
      nextFirings("0 3 * * 1", from, 1).map((d) => d.toISOString()),
      ["2026-12-07T03:00:00.000Z"],
    );
  });

  it("checks only environments that have an applied commit", () => {
    const applied: Record<string, string> = { dev: "abc" };
    assert.deepEqual(
      driftTargets(["dev", "prod"], (e) => applied[e]),
      ["dev"],
    );
  });

  it("a bad cron expression is a config error naming the key", () => {
    const r = ServerConfigSchema.safeParse({ drift_schedule: "every minute" });
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues[0]?.path, ["drift_schedule"]);
    assert.match(r.error?.issues[0]?.message ?? "", /cron expression/);
    assert.equal(ServerConfigSchema.safeParse({ drift_schedule: "*/5 * * * * *" }).success, true);
  });
});
