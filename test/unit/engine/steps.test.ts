import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Operation } from "../../../src/core/operation.js";
import { exitCodeOf } from "../../../src/engine/exit-code.js";
import type { PlannedHost } from "../../../src/engine/host.js";
import { recordApply, recordPlan } from "../../../src/engine/outcome.js";
import type { ApplyOutcome } from "../../../src/engine/script-output.js";
import { RunTally, worse } from "../../../src/engine/tally.js";
import { limiter } from "../../../src/util/limiter.js";

const op = (name: string): Operation => ({
  kind: "sh",
  name,
  tags: [],
  notify: [],
  facts: () => [],
  plan: () => ({ changed: true, summary: "" }),
  apply: () => "",
});

/** A planned host of three ops (the first two would change) and one handler of one op. */
const planned = (resume: number[] = []): PlannedHost => ({
  evaluated: { ops: [op("a"), op("b"), op("c")], handlers: [{ name: "reload", ops: [op("r")] }] as PlannedHost["evaluated"]["handlers"] },
  facts: {} as PlannedHost["facts"],
  plans: [
    { changed: true, summary: "" },
    { changed: true, summary: "" },
    { changed: false, summary: "" },
  ],
  resume,
});

describe("recordPlan", () => {
  it("counts ops to change and ok, and handlers left pending apart", () => {
    assert.deepEqual(recordPlan(planned([0])), {
      counts: { ok: 1, changed: 2, failed: 0, skipped: 0, handlers: 1, unreachable: false },
      status: "changed",
    });
  });
});

describe("recordApply", () => {
  const full: ApplyOutcome = {
    steps: [
      { op: 0, status: "changed" },
      { op: 1, status: "changed" },
      { op: 2, status: "ok" },
      { handler: 0, op: 0, flushAt: null, status: "changed" },
    ],
    handlerRuns: [{ handler: 0, flushAt: null }],
    finished: true,
  };

  it("counts each op once and the handler run apart, so the apply's changed equals the plan's to change", () => {
    const r = recordApply("p", "h", planned(), full);
    assert.deepEqual(r.counts, { ok: 1, changed: 2, failed: 0, skipped: 0, handlers: 1, unreachable: false });
    assert.equal(r.counts.changed, recordPlan(planned()).counts.changed);
    assert.deepEqual(r.changedOps, ["sh a", "sh b", "handler reload"]);
    assert.equal(r.status, "changed");
    assert.deepEqual(
      r.events.map((e) => e.type),
      ["op_changed", "op_changed", "op_ok", "handler_ran"],
    );
  });

  it("skips ops after a failure, saying why", () => {
    const r = recordApply("p", "h", planned(), {
      steps: [{ op: 0, status: "failed", rc: 3, output: "x" }],
      handlerRuns: [],
      finished: true,
    });
    assert.equal(r.status, "failed");
    assert.deepEqual(r.counts, { ok: 0, changed: 0, failed: 1, skipped: 2, handlers: 0, unreachable: false });
    assert.deepEqual(
      r.events.filter((e) => e.type === "op_skipped").map((e) => e.type === "op_skipped" && e.reason),
      ["an earlier operation failed", "an earlier operation failed"],
    );
  });

  it("reports the ops after a stop as skipped because the run was stopped", () => {
    const r = recordApply("p", "h", planned(), {
      steps: [{ op: 0, status: "changed" }],
      handlerRuns: [],
      stoppedBefore: 1,
      finished: true,
    });
    assert.equal(r.status, "changed");
    assert.deepEqual(
      r.events.filter((e) => e.type === "op_skipped").map((e) => e.type === "op_skipped" && e.reason),
      ["the run was stopped before this operation", "the run was stopped before this operation"],
    );
  });

  it("makes a cut connection unreachable while keeping what the host reported", () => {
    const cut: ApplyOutcome = { steps: [{ op: 0, status: "changed" }], handlerRuns: [], finished: false };
    const r = recordApply("p", "h", planned(), cut, true);
    assert.equal(r.status, "unreachable");
    assert.deepEqual(r.counts, { ok: 0, changed: 1, failed: 0, skipped: 2, handlers: 0, unreachable: true });
    assert.deepEqual(r.changedOps, ["sh a"]);
  });

  it("does not call a handler run that was cut off before its ops reported a success", () => {
    const r = recordApply("p", "h", planned(), { steps: full.steps.slice(0, 3), handlerRuns: full.handlerRuns, finished: false }, true);
    assert.equal(r.counts.handlers, 1);
    assert.ok(!r.changedOps.includes("handler reload"));
  });
});

describe("exitCodeOf", () => {
  const base = { mode: "apply" as const, interrupted: false, statuses: [], pendingChanges: false };
  it("orders interrupted, failed or aborted, unreachable, pending changes, success", () => {
    assert.equal(exitCodeOf({ ...base, interrupted: true, statuses: ["failed"] }), 130);
    assert.equal(exitCodeOf({ ...base, statuses: ["unreachable", "failed"] }), 1);
    assert.equal(exitCodeOf({ ...base, aborted: "not confirmed" }), 1);
    assert.equal(exitCodeOf({ ...base, statuses: ["unreachable", "ok"] }), 4);
    assert.equal(exitCodeOf({ ...base, mode: "plan", pendingChanges: true, detailedExitCode: true }), 2);
    assert.equal(exitCodeOf({ ...base, mode: "plan", pendingChanges: true }), 0);
    assert.equal(exitCodeOf({ ...base, pendingChanges: true, detailedExitCode: true }), 0, "2 is for plans only");
  });
});

describe("RunTally", () => {
  it("sums a host's counts over plays, keeps its worst status, and drops failed hosts from later plays", () => {
    const t = new RunTally();
    t.record("h", { ok: 1, changed: 2, failed: 0, skipped: 0, handlers: 1, unreachable: false }, "changed", ["x"]);
    t.record("h", { ok: 3, changed: 0, failed: 0, skipped: 0, handlers: 0, unreachable: false }, "ok");
    assert.deepEqual(t.hosts.h, { ok: 4, changed: 2, failed: 0, skipped: 0, handlers: 1, unreachable: false });
    assert.equal(t.status.h, "changed");
    assert.equal(worse("failed", "unreachable"), "unreachable");
    t.record("g", { ok: 0, changed: 0, failed: 1, skipped: 0, handlers: 0, unreachable: false }, "failed");
    assert.ok(t.dead.has("g") && !t.dead.has("h"));
  });
});

describe("limiter", () => {
  it("never runs more than n tasks at once, and runs them all", async () => {
    const slot = limiter(2);
    let active = 0;
    let peak = 0;
    const done = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        slot(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
          return i;
        }),
      ),
    );
    assert.deepEqual(done, [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(peak, 2);
  });
});
