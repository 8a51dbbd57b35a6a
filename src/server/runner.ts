/**
 * The server's one way to start a run. Its only job is to call the engine's run API (runSite), so
 * runs started here take the same locks and leave the same records as the CLI's.
 *
 * Until runSite lands (branch runapi), this calls the engine entry the CLI uses, runDeployment,
 * the way src/cli/commands/run.ts does.
 */
import os from "node:os";
import path from "node:path";
import type { LoadedConfig } from "../config/load.js";
import type { RunEvent } from "../core/events.js";
import { runDeployment } from "../engine/run.js";
import { loadSite } from "../engine/site.js";
import { typecheckSite } from "../engine/typecheck.js";
import type { HostFacts } from "../facts/host.js";
import { loadInventoryFile } from "../inventory/load.js";
import { labLayout } from "../lab/layout.js";
import { type RunRecord, Store } from "../store/runs.js";
import { TransportPool } from "../transport/pool.js";
import { Channel } from "./channel.js";

export interface ServerRunOptions {
  mode: "plan" | "apply";
  site: string;
  /** An inventory path, "lab", or a name from [inventories]. */
  inventory: string;
  config: LoadedConfig;
  limit?: string;
  lockKey: string;
  signal: AbortSignal;
  origin: { via: "server"; by: string; env: string; commit: string };
}

export interface RunHandle {
  events: AsyncIterable<RunEvent>;
  result: Promise<RunRecord>;
}

/** Starts a run; its events stream while it goes, its record comes at the end. */
export function startRun(o: ServerRunOptions): RunHandle {
  const events = new Channel<RunEvent>();
  const result = execute(o, events).finally(() => events.close());
  result.catch(() => {});
  return { events, result };
}

async function execute(o: ServerRunOptions, events: Channel<RunEvent>): Promise<RunRecord> {
  const cfg = o.config.config;
  const store = new Store(cfg.state_dir);
  await typecheckSite(o.site, path.join(cfg.state_dir, "typecheck.json"));
  const dep = await loadSite(o.site);
  const invFile =
    o.inventory === "lab" ? labLayout(cfg.lab.dir, cfg.lab.mirror_port).inventoryFile : (cfg.inventories[o.inventory] ?? o.inventory);
  const inventory = await loadInventoryFile(invFile);
  const factCache = new Map(Object.entries(await store.readFacts<HostFacts>()));
  const pool = await TransportPool.create({
    connectTimeoutS: cfg.ssh.connect_timeout,
    acceptNewHostKeys: cfg.ssh.accept_new_host_keys,
    controlPersistS: cfg.ssh.control_persist,
    retries: cfg.ssh.retries,
  });
  const started = new Date().toISOString();
  try {
    const r = await runDeployment(dep, {
      mode: o.mode,
      site: o.site,
      inventory,
      limit: o.limit,
      filter: {},
      extraVars: {},
      forks: cfg.forks,
      pool,
      factCache,
      emit: events.push,
      interrupted: () => o.signal.aborted,
    });
    const hosts: RunRecord["hosts"] = {};
    for (const [h, c] of Object.entries(r.hosts)) hosts[h] = { ...c, status: r.status[h] ?? "skipped", changedOps: r.changedOps[h] ?? [] };
    const record: RunRecord = {
      id: r.id,
      mode: o.mode,
      user: `${os.userInfo().username} (server: ${o.origin.by})`,
      started,
      ended: new Date().toISOString(),
      site: o.site,
      deployment: dep.name,
      inventory: inventory.source,
      limit: o.limit,
      commit: o.origin.commit,
      hosts,
      exitCode: r.exitCode,
      interrupted: r.interrupted,
      aborted: r.aborted,
    };
    await store.writeFacts(Object.fromEntries(factCache));
    await store.appendRun(record);
    await store.updateState(record);
    return record;
  } finally {
    await pool.closeAll();
  }
}
