import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { metrics, newState, tick } from "../../../examples/workload/bot.js";
import { createLog, formatLine, parseLevel } from "../../../examples/workload/log.js";

describe("workload log", () => {
  it("writes time LEVEL message key=value, quoting values with spaces", () => {
    const line = formatLine(new Date("2026-11-30T10:00:00Z"), "warn", "slow tick", { ms: 12, why: "gc pause", skip: undefined });
    assert.equal(line, '2026-11-30T10:00:00.000Z WARN slow tick ms=12 why="gc pause"');
  });

  it("drops lines below the level WORKLOAD_LOG names", () => {
    const lines: string[] = [];
    const log = createLog(parseLevel("WARN"), (l) => lines.push(l));
    log.info("hidden");
    log.debug("hidden");
    log.error("shown");
    assert.deepEqual(
      lines.map((l) => l.split(" ").slice(1).join(" ")),
      ["ERROR shown"],
    );
    assert.throws(() => parseLevel("loud"), /unknown level "loud"/);
  });
});

describe("workload bot", () => {
  const cfg = { symbols: ["BTC-USD", "ETH-USD"], interval_ms: 10, max_position: 2 };
  const quiet = createLog("error", () => {});

  it("never holds more than max_position and counts orders by mode", () => {
    const s = newState();
    for (let i = 0; i < 50; i++) tick(s, cfg, false, quiet);
    assert.equal(s.ticks, 50);
    for (const p of s.positions.values()) assert.ok(p >= 0 && p <= 2, `position ${p}`);
    assert.ok([...s.orders.keys()].every((k) => k.startsWith("dry_run/")));
  });

  it("exposes Prometheus counters", () => {
    const s = newState();
    for (let i = 0; i < 5; i++) tick(s, cfg, true, quiet);
    const text = metrics(s, { version: "1.2.3", production: true, startedAt: 1_000_000 });
    assert.match(text, /^workload_info\{version="1\.2\.3",mode="production"\} 1$/m);
    assert.match(text, /^workload_ticks_total 5$/m);
    assert.match(text, /^workload_orders_total\{mode="production",symbol="BTC-USD",side="buy"\} \d+$/m);
    assert.match(text, /^process_start_time_seconds 1000$/m);
  });
});
