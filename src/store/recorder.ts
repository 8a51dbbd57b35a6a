import { type HostRunStatus, type RunEvent, zeroCounts } from "../core/events.js";
import type { RunRecord } from "./runs.js";

type HostEntry = RunRecord["hosts"][string] & { seen?: boolean };

const RANK: HostRunStatus[] = ["skipped", "ok", "changed", "failed", "unreachable"];

/**
 * Builds a run's record from its event stream: the store subscribes to the events every run emits,
 * so a run is recorded the same way whoever started it, and a run cut short (no recap) still
 * yields a record of what was seen.
 */
export class RunRecorder {
  private started: Extract<RunEvent, { type: "run_started" }> | undefined;
  private readonly hosts: Record<string, HostEntry> = {};
  private exitCode: number | undefined;
  private interrupted = false;
  private aborted: string | undefined;

  handle = (e: RunEvent): void => {
    switch (e.type) {
      case "run_started":
        this.started = e;
        break;
      case "op_changed":
        this.host(e.host).changedOps.push(e.op);
        break;
      case "secret_stored":
        // Only that a value was stored, and where: never the value.
        (this.host(e.host).secretsStored ??= []).push(`${e.key} in ${e.file}`);
        break;
      case "handler_ran":
        if (e.changed) this.host(e.host).changedOps.push(`handler ${e.handler}`);
        break;
      case "host_finished": {
        // A host_finished carries the host's counts for that play: the run's are their sum (the recap says so too).
        const h = this.host(e.host);
        for (const k of ["ok", "changed", "failed", "skipped", "handlers"] as const) h[k] += e.counts[k];
        h.unreachable ||= e.counts.unreachable;
        if (RANK.indexOf(e.status) > RANK.indexOf(h.status) || !h.seen) h.status = e.status;
        h.seen = true;
        break;
      }
      case "play_aborted":
        this.aborted ??= e.reason;
        break;
      case "interrupted":
        this.interrupted = true;
        break;
      case "recap":
        this.exitCode = e.exit_code;
        for (const [name, c] of Object.entries(e.hosts)) Object.assign(this.host(name), c);
        break;
      default:
    }
  };

  /** True once the run announced itself (a run that failed validation before starting has no record). */
  get hasStarted(): boolean {
    return this.started !== undefined;
  }

  /** Returns the record so far; a run without a recap counts as interrupted (130) or failed (1). */
  record(ended = new Date()): RunRecord {
    const s = this.started;
    if (!s) throw new Error("no run_started event: nothing to record");
    const hosts: RunRecord["hosts"] = {};
    for (const [name, { seen: _, ...h }] of Object.entries(this.hosts)) hosts[name] = h;
    return {
      id: s.id,
      mode: s.mode,
      user: s.user ?? "",
      started: s.time,
      ended: ended.toISOString(),
      site: s.site,
      deployment: s.deployment,
      inventory: s.inventory,
      limit: s.limit,
      tags: s.tags,
      skipTags: s.skipTags,
      shard: s.shard,
      commit: s.commit,
      origin: s.origin,
      hosts,
      exitCode: this.exitCode ?? (this.interrupted ? 130 : 1),
      interrupted: this.interrupted,
      aborted: this.aborted ?? (this.exitCode === undefined && !this.interrupted ? "the run ended without a recap" : undefined),
    };
  }

  private host(name: string): HostEntry {
    this.hosts[name] ??= { ...zeroCounts(), status: "skipped", changedOps: [] };
    return this.hosts[name] as HostEntry;
  }
}
