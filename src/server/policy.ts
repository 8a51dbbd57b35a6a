/**
 * Pure decisions of the reconciler: what follows a finished run, and what a run's events say
 * (per-host recap, pending or made changes, drifted operations).
 */
import { type RunEvent, zeroCounts } from "../core/events.js";
import type { EnvironmentConfig } from "./config.js";
import type { HostSummary, ServerRun } from "./storage.js";

export type NextStep = "none" | "apply" | "await_approval";

/**
 * Returns what follows a finished run: a successful plan with changes is applied at once when the
 * environment's policy is auto and a new commit triggered it; otherwise it waits for an approval.
 */
export function afterRun(run: Pick<ServerRun, "kind" | "status" | "by" | "changes">, policy: EnvironmentConfig["policy"]): NextStep {
  if (run.kind !== "plan" || run.status !== "succeeded" || !run.changes) return "none";
  return policy === "auto" && run.by === "git" ? "apply" : "await_approval";
}

export interface RunSummary {
  hosts: Record<string, HostSummary>;
  /** Changes planned (plan, drift) or made (apply). */
  changes: number;
  /** host → operations planned to change (what drifted, for a drift check). */
  pending: Record<string, string[]>;
  exitCode?: number;
  interrupted: boolean;
}

const RANK: HostSummary["status"][] = ["skipped", "ok", "changed", "failed", "unreachable"];

/** Returns the summary of a run's events (every play folded into one line per host). */
export function summarize(events: Iterable<RunEvent>): RunSummary {
  const s = new RunSummarizer();
  for (const e of events) s.add(e);
  return s.summary();
}

/** Folds a run's events into its summary as they come: a run keeps its summary, not its events. */
export class RunSummarizer {
  private readonly s: RunSummary = { hosts: {}, changes: 0, pending: {}, interrupted: false };

  add(e: RunEvent): void {
    const s = this.s;
    if (e.type === "op_planned" && e.changed) (s.pending[e.host] ??= []).push(e.op);
    else if (e.type === "host_finished") {
      const h = (s.hosts[e.host] ??= { ...zeroCounts(), status: "skipped" });
      h.ok += e.counts.ok;
      h.handlers += e.counts.handlers;
      h.changed += e.counts.changed;
      h.failed += e.counts.failed;
      h.skipped += e.counts.skipped;
      h.unreachable ||= e.counts.unreachable;
      if (RANK.indexOf(e.status) > RANK.indexOf(h.status)) h.status = e.status;
    } else if (e.type === "interrupted") s.interrupted = true;
    else if (e.type === "recap") s.exitCode = e.exit_code;
  }

  /** Returns the summary of the events so far. */
  summary(): RunSummary {
    // Handlers count too: a plan whose only change is a handler left pending by a cut-off run still needs its apply.
    this.s.changes = Object.values(this.s.hosts).reduce((n, h) => n + h.changed + h.handlers, 0);
    return this.s;
  }
}

/** Returns the status a run ends with, from its exit code (130: interrupted). */
export function finalStatus(summary: RunSummary, error?: unknown): ServerRun["status"] {
  if (summary.interrupted || summary.exitCode === 130) return "interrupted";
  if (error || (summary.exitCode !== undefined && summary.exitCode !== 0 && summary.exitCode !== 2)) return "failed";
  return "succeeded";
}
