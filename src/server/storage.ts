/**
 * What the server keeps, behind one small interface: the run queue and history, each run's events,
 * approvals, the audit log of actions, deployed versions per host and drift. SQLite implements it
 * (src/server/sqlite.ts); a networked database can replace it for a fleet-wide server.
 */
import type { HostCounts, HostRunStatus, RunEvent } from "../core/events.js";

/** Site runs of an environment (plan, apply, rollback, drift), and pipeline stage runs and rollbacks. */
export type JobKind = "plan" | "apply" | "rollback" | "drift" | "stage" | "stage-rollback";
export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "interrupted";
export type Approval = "pending" | "approved" | "superseded";

export interface CommitInfo {
  sha: string;
  author: string;
  message: string;
}

/** One host's part of a run's recap. */
export interface HostSummary extends HostCounts {
  status: HostRunStatus;
}

export interface ServerRun {
  id: number;
  env: string;
  kind: JobKind;
  commit: CommitInfo;
  status: RunStatus;
  /** Who asked: "git" (a new commit), "schedule" (drift check), or a token name. */
  by: string;
  queuedAt: string;
  startedAt?: string;
  endedAt?: string;
  /** The engine's run id (runs.jl). */
  runId?: string;
  /** Plans under an approve policy that have changes wait for an approval. */
  approval?: Approval;
  approvedBy?: string;
  /** Changes pending (plan, drift) or made (apply). */
  changes?: number;
  hosts?: Record<string, HostSummary>;
  error?: string;
  /** The plan whose approval queued this apply. */
  parent?: number;
  /** Stage runs: the pipeline stage, its inputs (parsed), and for a rollback the version asked for. */
  stage?: string;
  inputs?: Record<string, unknown>;
  to?: string;
}

export type NewRun = Pick<ServerRun, "env" | "kind" | "commit" | "by"> & Partial<Pick<ServerRun, "parent" | "stage" | "inputs" | "to">>;
export type RunPatch = Partial<Omit<ServerRun, "id" | "env" | "kind" | "commit" | "by" | "queuedAt">>;

export interface AuditEntry {
  time: string;
  who: string;
  action: string;
  detail: string;
}

export interface HostVersion {
  env: string;
  host: string;
  commit: string;
  run: number;
  at: string;
}

export interface DriftEntry {
  env: string;
  host: string;
  /** Operations whose plan says "changes" at the last applied commit. */
  ops: string[];
  commit: string;
  checkedAt: string;
}

export interface Storage {
  enqueue(run: NewRun): ServerRun;
  /** The oldest queued run whose environment has nothing running (one run per environment at a time). */
  nextQueued(): ServerRun | undefined;
  update(id: number, patch: RunPatch): ServerRun;
  get(id: number): ServerRun | undefined;
  list(filter?: { env?: string; status?: RunStatus; limit?: number }): ServerRun[];
  queueDepth(): number;
  /** Runs left "running" by a process that died: recorded as interrupted. Returns them. */
  interruptOrphans(reason: string): ServerRun[];
  appendEvent(run: number, event: RunEvent): void;
  events(run: number): RunEvent[];
  audit(entry: Omit<AuditEntry, "time">): void;
  auditLog(limit?: number): AuditEntry[];
  setVersion(v: Omit<HostVersion, "at">): void;
  versions(): HostVersion[];
  /** Replaces an environment's drift with the hosts that drifted (none: in sync). */
  setDrift(env: string, commit: string, hosts: Record<string, string[]>): void;
  drift(): DriftEntry[];
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  close(): void;
}
