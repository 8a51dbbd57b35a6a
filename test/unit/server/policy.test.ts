import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunEvent } from "../../../src/core/events.js";
import { afterRun, finalStatus, summarize } from "../../../src/server/policy.js";

const counts = (changed: number, ok = 1) => ({ ok, changed, failed: 0, skipped: 0, handlers: 0, unreachable: false });

describe("what follows a run", () => {
  it("a new commit's plan with changes is applied at once under policy auto", () => {
    assert.equal(afterRun({ kind: "plan", status: "succeeded", by: "git", changes: 2 }, "auto"), "apply");
  });
  it("under policy approve the plan waits for an approval", () => {
    assert.equal(afterRun({ kind: "plan", status: "succeeded", by: "git", changes: 2 }, "approve"), "await_approval");
  });
  it("a plan someone asked for waits for an approval even under auto", () => {
    assert.equal(afterRun({ kind: "plan", status: "succeeded", by: "alice", changes: 1 }, "auto"), "await_approval");
  });
  it("nothing follows a plan without changes, a failed plan, an apply or a drift check", () => {
    assert.equal(afterRun({ kind: "plan", status: "succeeded", by: "git", changes: 0 }, "auto"), "none");
    assert.equal(afterRun({ kind: "plan", status: "failed", by: "git", changes: 3 }, "auto"), "none");
    assert.equal(afterRun({ kind: "apply", status: "succeeded", by: "git", changes: 3 }, "auto"), "none");
    assert.equal(afterRun({ kind: "drift", status: "succeeded", by: "schedule", changes: 3 }, "approve"), "none");
  });
});

describe("summarize", () => {
  const events: RunEvent[] = [
    { type: "op_planned", play: "p", host: "web1", index: 0, op: "file /etc/motd", changed: true, summary: "content" },
    { type: "op_planned", play: "p", host: "web1", index: 1, op: "apt nginx", changed: false, summary: "ok" },
    { type: "host_finished", play: "p", host: "web1", status: "changed", counts: counts(1), duration_ms: 5, execs: 1 },
    { type: "host_finished", play: "p", host: "db1", status: "ok", counts: counts(0, 2), duration_ms: 5, execs: 1 },
    { type: "host_finished", play: "q", host: "db1", status: "failed", counts: { ...counts(0), failed: 1 }, duration_ms: 5, execs: 1 },
    { type: "recap", hosts: {}, exit_code: 1, duration_ms: 10 },
  ];

  it("folds every play into one line per host, keeping the worst status", () => {
    const s = summarize(events);
    assert.deepEqual(s.hosts.db1, { ok: 3, changed: 0, failed: 1, skipped: 0, handlers: 0, unreachable: false, status: "failed" });
    assert.equal(s.hosts.web1?.status, "changed");
    assert.equal(s.changes, 1);
    assert.deepEqual(s.pending, { web1: ["file /etc/motd"] });
    assert.equal(finalStatus(s), "failed");
  });

  it("an interrupted run ends interrupted; a plan with pending changes (exit 2) succeeded", () => {
    assert.equal(finalStatus(summarize([{ type: "interrupted", signal: "SIGTERM" }])), "interrupted");
    assert.equal(finalStatus(summarize([{ type: "recap", hosts: {}, exit_code: 2, duration_ms: 1 }])), "succeeded");
    assert.equal(finalStatus(summarize([]), new Error("type errors")), "failed");
  });
});
