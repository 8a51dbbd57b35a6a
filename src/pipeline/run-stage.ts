/**
 * The one place a pipeline stage starts an engine run. Pipelines never run a site any other way:
 * plan and apply, canary batches, rollbacks and drift plans all come through runStageSite.
 */
import os from "node:os";
import path from "node:path";
import type { EventSink, HostRunStatus } from "../core/events.js";
import { runDeployment } from "../engine/run.js";
import { loadSite } from "../engine/site.js";
import { typecheckSite } from "../engine/typecheck.js";
import type { HostFacts } from "../facts/host.js";
import type { Inventory, Vars } from "../inventory/model.js";
import { Store } from "../store/runs.js";
import { TransportPool } from "../transport/pool.js";
import type { ConnectionSpec } from "../transport/spec.js";

/** Who started a stage run and with what: carried into the run record. */
export interface Origin {
  via: string;
  by?: string;
  env?: string;
  stage?: string;
  inputs?: Record<string, unknown>;
  commit?: string;
}

export interface StageSiteRun {
  mode: "plan" | "apply";
  site: string;
  inventory: Inventory;
  stateDir: string;
  ssh: { connectTimeoutS: number; acceptNewHostKeys: boolean; controlPersistS: number; retries: number };
  /** Host pattern (the runner passes the exact host list of a batch). */
  limit?: string;
  tags?: string[];
  extraVars: Vars;
  serial?: number | string;
  forks: number;
  lockKey: string;
  origin: Origin;
  specOverride?: (s: ConnectionSpec) => ConnectionSpec;
  typecheck: boolean;
  signal?: AbortSignal;
  emit: EventSink;
}

export interface StageSiteResult {
  id: string;
  exitCode: number;
  status: Record<string, HostRunStatus>;
}

/** Runs the stage's site once (plan or apply) through the engine and records it in runs.jl. */
export async function runStageSite(o: StageSiteRun): Promise<StageSiteResult> {
  const store = new Store(o.stateDir);
  if (o.typecheck) await typecheckSite(o.site, path.join(o.stateDir, "typecheck.json"));
  const dep = await loadSite(o.site);
  const factCache = new Map(Object.entries(await store.readFacts<HostFacts>()));
  const pool = await TransportPool.create(o.ssh);
  const started = new Date();
  try {
    const r = await runDeployment(dep, {
      mode: o.mode,
      site: path.resolve(o.site),
      inventory: o.inventory,
      limit: o.limit,
      filter: { tags: o.tags },
      extraVars: o.extraVars,
      forks: o.forks,
      serial: o.serial,
      pool,
      factCache,
      specOverride: o.specOverride,
      emit: o.emit,
      interrupted: () => Boolean(o.signal?.aborted),
      detailedExitCode: true,
    });
    await store.writeFacts(Object.fromEntries(factCache));
    const hosts: Parameters<Store["appendRun"]>[0]["hosts"] = {};
    for (const [h, c] of Object.entries(r.hosts)) hosts[h] = { ...c, status: r.status[h] ?? "skipped", changedOps: r.changedOps[h] ?? [] };
    const record = {
      id: r.id,
      mode: o.mode,
      user: o.origin.by ?? os.userInfo().username,
      started: started.toISOString(),
      ended: new Date().toISOString(),
      site: path.resolve(o.site),
      deployment: dep.name,
      inventory: o.inventory.source,
      limit: o.limit,
      tags: o.tags,
      commit: o.origin.commit,
      hosts,
      exitCode: r.exitCode,
      interrupted: r.interrupted,
      aborted: r.aborted,
      origin: o.origin,
    };
    await store.appendRun(record);
    await store.updateState(record);
    return { id: r.id, exitCode: r.exitCode, status: r.status };
  } finally {
    await pool.closeAll();
  }
}
