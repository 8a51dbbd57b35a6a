/**
 * The server's one way to start a run. Its only job is to call the engine's run API (runSite), so
 * runs started here take the same locks and leave the same records (runs.jl, state.json) as the CLI's.
 */
import type { LoadedConfig } from "../config/load.js";
import type { RunOrigin } from "../core/events.js";
import { type RunHandle, runSite } from "../engine/run-site.js";

export type { RunHandle };

export interface ServerRunOptions {
  mode: "plan" | "apply";
  site: string;
  /** An inventory path, "lab", or a name from [inventories]. */
  inventory: string;
  config: LoadedConfig;
  limit?: string;
  /** One run per environment (and stage) at a time, shared with the CLI and pipelines. */
  lockKey: string;
  signal: AbortSignal;
  origin: RunOrigin & { via: "server"; by: string; env: string; commit: string };
}

/** How long a run waits for the environment's lock held by someone else (a CLI apply) before failing. */
const LOCK_WAIT_MS = 10 * 60 * 1000;

/** Starts a run; its events stream while it goes, its record comes at the end. */
export function startRun(o: ServerRunOptions): RunHandle {
  return runSite({
    mode: o.mode,
    site: o.site,
    inventory: o.inventory,
    config: o.config,
    limit: o.limit,
    lockKey: o.lockKey,
    lockWaitMs: LOCK_WAIT_MS,
    signal: o.signal,
    origin: o.origin,
  });
}
