import type { HostRunStatus } from "../core/events.js";

export interface RunEnd {
  mode: "plan" | "apply";
  interrupted: boolean;
  aborted?: string;
  statuses: HostRunStatus[];
  pendingChanges: boolean;
  detailedExitCode?: boolean;
}

/**
 * Returns a run's exit code: 130 interrupted · 1 a host failed or the run was aborted · 4 a host was
 * unreachable (none failed) · 2 plan with --detailed-exitcode and changes pending · 0 otherwise.
 */
export function exitCodeOf(r: RunEnd): number {
  if (r.interrupted) return 130;
  if (r.aborted || r.statuses.includes("failed")) return 1;
  if (r.statuses.includes("unreachable")) return 4;
  if (r.mode === "plan" && r.detailedExitCode && r.pendingChanges) return 2;
  return 0;
}
