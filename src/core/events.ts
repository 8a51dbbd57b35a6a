/**
 * Events the engine emits, in order, for every run. The CLI renders them for people or prints them
 * as NDJSON (--json); the run record is built from the same stream. Schema: docs/events.md.
 */
export type HostRunStatus = "ok" | "changed" | "failed" | "unreachable" | "skipped";

/**
 * What happened to a host's operations: each op counts once, as ok, changed (plan: would change),
 * failed or skipped. Handler runs are counted apart (`handlers`), never as changes, so a plan's
 * "N to change" is the apply's "N changed" when nothing else touched the host.
 */
export interface HostCounts {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  /** Handler runs (plan: handlers left pending by a cut-off run, which the apply will run first). */
  handlers: number;
  unreachable: boolean;
}

/** Returns counts of nothing. */
export const zeroCounts = (): HostCounts => ({ ok: 0, changed: 0, failed: 0, skipped: 0, handlers: 0, unreachable: false });

/** Who or what started a run: recorded with it, so every run's audit line says where it came from. */
export interface RunOrigin {
  via: "cli" | "pipeline" | "server" | "ci";
  by?: string;
  env?: string;
  stage?: string;
  inputs?: Record<string, unknown>;
  commit?: string;
}

/** What a run was asked to do, beyond its site and inventory (recorded as given). */
export interface RunSelection {
  limit?: string;
  tags?: string[];
  skipTags?: string[];
  /** This run's part of a sharded run: shard k of n (1-based). */
  shard?: { k: number; n: number };
}

export type RunEvent =
  | ({
      type: "run_started";
      id: string;
      mode: "plan" | "apply";
      site: string;
      deployment: string;
      inventory: string;
      time: string;
      user?: string;
      commit?: string;
      origin?: RunOrigin;
    } & RunSelection)
  | { type: "play_started"; play: string; index: number; hosts: string[] }
  | { type: "host_started"; play: string; host: string; phase: "facts" | "apply" }
  | { type: "op_planned"; play: string; host: string; index: number; op: string; changed: boolean; summary: string; diff?: string }
  | { type: "op_changed"; play: string; host: string; index: number; op: string }
  | { type: "op_ok"; play: string; host: string; index: number; op: string }
  | { type: "op_failed"; play: string; host: string; index: number | null; op: string; error: string; rc?: number; output?: string }
  | { type: "op_skipped"; play: string; host: string; index: number; op: string; reason: string }
  | { type: "handler_ran"; play: string; host: string; handler: string; changed: boolean; failed: boolean }
  /** A value an op sent back from the host was stored in a vault file (never the value itself). */
  | { type: "secret_stored"; play: string; host: string; op: string; file: string; key: string }
  | { type: "handlers_resumed"; play: string; host: string; handlers: string[] }
  | {
      type: "host_finished";
      play: string;
      host: string;
      status: HostRunStatus;
      counts: HostCounts;
      duration_ms: number;
      execs: number;
      error?: string;
    }
  | { type: "play_aborted"; play: string; reason: string }
  | { type: "interrupted"; signal: string }
  | { type: "recap"; hosts: Record<string, HostCounts>; exit_code: number; duration_ms: number };

export type EventSink = (e: RunEvent) => void;
