import { type HostCounts, type HostRunStatus, zeroCounts } from "../core/events.js";

const RANK: HostRunStatus[] = ["skipped", "ok", "changed", "failed", "unreachable"];

/** Returns the worse of two host statuses (unreachable > failed > changed > ok > skipped). */
export function worse(a: HostRunStatus | undefined, b: HostRunStatus): HostRunStatus {
  return a !== undefined && RANK.indexOf(a) >= RANK.indexOf(b) ? a : b;
}

/** Adds counts b into a (unreachable sticks). */
export function addCounts(a: HostCounts, b: HostCounts): void {
  a.ok += b.ok;
  a.changed += b.changed;
  a.failed += b.failed;
  a.skipped += b.skipped;
  a.handlers += b.handlers;
  a.unreachable ||= b.unreachable;
}

/** A run's results so far: per host totals over plays, the worst status, changed ops, hosts out of the run. */
export class RunTally {
  readonly hosts: Record<string, HostCounts> = {};
  readonly status: Record<string, HostRunStatus> = {};
  readonly changedOps: Record<string, string[]> = {};
  /** Hosts that failed or were unreachable: later plays leave them out. */
  readonly dead = new Set<string>();
  pendingChanges = false;

  /** Adds a host's counts for one play and its status for it. */
  record(host: string, counts: HostCounts, status: HostRunStatus, changedOps: string[] = []): void {
    addCounts((this.hosts[host] ??= zeroCounts()), counts);
    this.status[host] = worse(this.status[host], status);
    if (changedOps.length) (this.changedOps[host] ??= []).push(...changedOps);
    if (status === "failed" || status === "unreachable") this.dead.add(host);
  }
}
