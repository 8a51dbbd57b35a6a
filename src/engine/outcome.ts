import { type HostCounts, type HostRunStatus, type RunEvent, zeroCounts } from "../core/events.js";
import { opId } from "../core/operation.js";
import type { PlannedHost } from "./host.js";
import { type ApplyOutcome, handlerRunSteps } from "./script-output.js";

export interface HostOutcome {
  events: RunEvent[];
  counts: HostCounts;
  changedOps: string[];
  status: HostRunStatus;
}

/** Why an op of the plan has no result from the host. */
function skipReason(outcome: ApplyOutcome, i: number, failedBefore: boolean, cut: boolean): string {
  if (outcome.stoppedBefore !== undefined && i >= outcome.stoppedBefore) return "the run was stopped before this operation";
  if (failedBefore) return "an earlier operation failed";
  if (cut) return "the connection was lost before the host reported this operation";
  return "not run";
}

/**
 * Returns what an apply outcome means for one host of a play: an event per op and per handler run,
 * the host's counts (each op once; handler runs apart) and status. `cut` says the connection was
 * lost: the host is then unreachable, with what it had reported.
 */
export function recordApply(play: string, host: string, p: PlannedHost, outcome: ApplyOutcome, cut = false): HostOutcome {
  const events: RunEvent[] = [];
  const counts = zeroCounts();
  const changedOps: string[] = [];
  let failed = false;
  p.evaluated.ops.forEach((op, i) => {
    const id = opId(op);
    const r = outcome.steps.find((s) => !("handler" in s) && s.op === i);
    if (!r) {
      counts.skipped++;
      events.push({ type: "op_skipped", play, host, index: i, op: id, reason: skipReason(outcome, i, failed, cut) });
    } else if (r.status === "failed") {
      failed = true;
      counts.failed++;
      events.push({ type: "op_failed", play, host, index: i, op: id, error: `exit code ${r.rc}`, rc: r.rc, output: r.output });
    } else if (r.status === "changed") {
      counts.changed++;
      changedOps.push(id);
      events.push({ type: "op_changed", play, host, index: i, op: id });
    } else {
      counts.ok++;
      events.push({ type: "op_ok", play, host, index: i, op: id });
    }
  });
  for (const run of outcome.handlerRuns) {
    const hd = p.evaluated.handlers[run.handler];
    if (!hd) continue;
    const steps = handlerRunSteps(outcome, run);
    const bad = steps.find((s) => s.status === "failed");
    // A handler whose ops did not all report ran only partly (connection lost): not a success.
    const complete = steps.length === hd.ops.length;
    counts.handlers++;
    if (bad) {
      failed = true;
      counts.failed++;
      events.push({
        type: "op_failed",
        play,
        host,
        index: null,
        op: `handler ${hd.name}`,
        error: `exit code ${bad.rc}`,
        rc: bad.rc,
        output: bad.output,
      });
    } else if (complete) changedOps.push(`handler ${hd.name}`);
    events.push({ type: "handler_ran", play, host, handler: hd.name, changed: !bad && complete, failed: Boolean(bad) });
  }
  counts.unreachable = cut;
  const status: HostRunStatus = cut ? "unreachable" : failed ? "failed" : counts.changed > 0 || counts.handlers > 0 ? "changed" : "ok";
  return { events, counts, changedOps, status };
}

/** Returns a host's counts and status for a plan: each op to change or ok; handlers left pending apart. */
export function recordPlan(p: PlannedHost): { counts: HostCounts; status: HostRunStatus } {
  const counts = zeroCounts();
  counts.changed = p.plans.filter((x) => x.changed).length;
  counts.ok = p.plans.length - counts.changed;
  counts.handlers = p.resume.length;
  return { counts, status: counts.changed > 0 || counts.handlers > 0 ? "changed" : "ok" };
}
