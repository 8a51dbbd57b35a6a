/**
 * The one place a pipeline stage starts an engine run: through the run API (runSite). Pipelines
 * never run a site any other way: canary batches, the rest, rollbacks and drift plans all come
 * through runStageSite, and each is recorded in runs.jl with its origin (env, stage, inputs).
 */
import type { LoadedConfig } from "../config/load.js";
import type { EventSink, HostRunStatus, RunOrigin } from "../core/events.js";
import { runSite } from "../engine/run-site.js";
import type { Vars } from "../inventory/model.js";
import type { ConnectionSpec } from "../transport/spec.js";
import type { KeyProvider } from "../vault/vars.js";

export interface StageSiteRun {
  mode: "plan" | "apply";
  site: string;
  /** Inventory reference: a file path, a bosun.toml name, or "lab" (default: the config's). */
  inventory?: string;
  config: LoadedConfig;
  vaultKeys?: KeyProvider;
  /** Host pattern (the runner passes the exact host list of a batch). */
  limit?: string;
  tags?: string[];
  extraVars: Vars;
  serial?: number | string;
  forks: number;
  /** The run API's lock key (stageLockKey); with lockHeld, the stage holds it around all its runs. */
  lockKey: string;
  lockHeld?: boolean;
  origin: RunOrigin;
  connection?: (s: ConnectionSpec) => ConnectionSpec;
  typecheck: boolean;
  signal?: AbortSignal;
  emit: EventSink;
}

export interface StageSiteResult {
  id: string;
  exitCode: number;
  status: Record<string, HostRunStatus>;
}

/** Runs the stage's site once (plan or apply) through the run API; its events go to emit. */
export async function runStageSite(o: StageSiteRun): Promise<StageSiteResult> {
  const handle = runSite({
    mode: o.mode,
    site: o.site,
    inventory: o.inventory,
    config: o.config,
    vaultKeys: o.vaultKeys,
    limit: o.limit,
    tags: o.tags,
    extraVars: o.extraVars,
    serial: o.serial,
    forks: o.forks,
    lockKey: o.lockKey,
    lockHeld: o.lockHeld,
    origin: o.origin,
    connection: o.connection,
    typecheck: o.typecheck,
    signal: o.signal,
    detailedExitCode: o.mode === "plan",
  });
  for await (const e of handle.events) o.emit(e);
  const r = await handle.result;
  return { id: r.id, exitCode: r.exitCode, status: Object.fromEntries(Object.entries(r.hosts).map(([h, x]) => [h, x.status])) };
}
