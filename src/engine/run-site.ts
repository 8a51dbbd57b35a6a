import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { type LoadedConfig, loadConfig } from "../config/load.js";
import type { RunEvent, RunOrigin } from "../core/events.js";
import { BosunError } from "../errors.js";
import type { HostFacts } from "../facts/host.js";
import type { Vars } from "../inventory/model.js";
import { clearActive, markActive } from "../store/active.js";
import { RunRecorder } from "../store/recorder.js";
import { type RunRecord, Store } from "../store/runs.js";
import { TransportPool } from "../transport/pool.js";
import type { ConnectionSpec } from "../transport/spec.js";
import type { SshSettings } from "../transport/ssh.js";
import type { KeyProvider } from "../vault/vars.js";
import { VaultWriteBack } from "../vault/write-back.js";
import { EventQueue } from "./event-queue.js";
import { loadInventoryRef } from "./inventory-ref.js";
import { recordDeadRuns } from "./orphan-runs.js";
import { runDeployment } from "./run.js";
import { checkDeployment, checkRunOptions, checkStateDir, limitedHosts } from "./run-checks.js";
import { acquireRunLock, checkRunLockHeld, withStateLock } from "./run-lock.js";
import { loadSite } from "./site.js";
import { typecheckSite } from "./typecheck.js";

export interface RunSiteOptions {
  mode: "plan" | "apply";
  /** Path of the site .ts file. */
  site: string;
  /** Inventory path, a name from [inventories] in bosun.toml, or "lab". */
  inventory?: string;
  /** Else loaded as the CLI does (bosun.toml, env vars, env.toml). */
  config?: LoadedConfig;
  /** Decrypts vaulted inventory values. */
  vaultKeys?: KeyProvider;
  limit?: string;
  tags?: string[];
  skipTags?: string[];
  extraVars?: Vars;
  /** Overrides every play's serial. */
  serial?: number | string;
  forks?: number;
  /** This run's part of the selected hosts (1-based k of n). */
  shard?: { k: number; n: number };
  /** One run per state dir and key at a time (default: the site's absolute path; pipelines pass `${env}/${stage}`). */
  lockKey?: string;
  /** The caller already holds the run lock for lockKey (a pipeline stage, around all its batches): checked, not taken again. */
  lockHeld?: boolean;
  /** How long to wait for a run holding the lock (0, the default: refuse at once, naming the holder). */
  lockWaitMs?: number;
  /** Asked before applying a play that has changes; false stops the run. */
  confirm?: (play: string, planned: { host: string; changes: number }[]) => Promise<boolean>;
  /** Abort = stop at the next operation boundary on every host, record what ran. */
  signal?: AbortSignal;
  /** Abort = stop now: cut every exec in flight (a second Ctrl-C). The run is still recorded. */
  killSignal?: AbortSignal;
  origin?: RunOrigin;
  /** Type-check the site first (default true; cached per change of its files). */
  typecheck?: boolean;
  /** Exit code 2 when a plan has pending changes. */
  detailedExitCode?: boolean;
  /** Adjusts each host's connection (CLI -u, -b, --become-user, -K). */
  connection?: (s: ConnectionSpec) => ConnectionSpec;
  ssh?: Partial<Omit<SshSettings, "controlDir">>;
}

export interface RunHandle {
  /** Every event of the run, from run_started to recap (each reader sees all of them). */
  events: AsyncIterable<RunEvent>;
  /** The run's record, once written to runs.jl. Rejects when the run could not start (bad input, lock held). */
  result: Promise<RunRecord>;
}

/**
 * Starts a plan or apply of a site: loads and type-checks the site, checks every input before the
 * first connection, takes the run lock, plans/applies, keeps the fact cache, and records the run
 * (runs.jl, state.json under the state lock) from its own events. The one way a run starts:
 * the CLI renders the events, pipelines and the server call it the same way.
 */
export function runSite(o: RunSiteOptions): RunHandle {
  const queue = new EventQueue();
  const result = execute(o, queue).finally(() => queue.close());
  // The caller may only read events: an unhandled rejection here would crash it before it awaits result.
  result.catch(() => {});
  return { events: queue, result };
}

async function execute(o: RunSiteOptions, queue: EventQueue): Promise<RunRecord> {
  const loaded = o.config ?? (await loadConfig());
  const cfg = loaded.config;
  const site = path.resolve(o.site);
  checkRunOptions(o);
  if (o.typecheck !== false) await typecheckSite(site, path.join(cfg.state_dir, "typecheck.json"));
  const dep = await loadSite(site);
  checkDeployment(dep, site);
  const inventory = await loadInventoryRef(loaded, o.inventory, o.vaultKeys);
  const hostFilter = limitedHosts(inventory, o.limit, o.shard);
  await checkStateDir(cfg.state_dir);
  await recordDeadRuns(cfg.state_dir);
  const store = new Store(cfg.state_dir);
  if (o.lockHeld) {
    if (!o.lockKey) throw new BosunError("lockHeld needs the lockKey the caller holds");
    await checkRunLockHeld(cfg.state_dir, o.lockKey);
  }
  const release =
    o.mode === "apply" && !o.lockHeld
      ? await acquireRunLock(cfg.state_dir, o.lockKey ?? site, `bosun apply ${o.site} (${o.origin?.via ?? "cli"})`, o.lockWaitMs ?? 0)
      : async () => {};
  const recorder = new RunRecorder();
  queue.listen(recorder.handle);
  let runId: string | undefined;
  queue.listen((e) => {
    if (e.type !== "run_started") return;
    runId = e.id;
    markActive(cfg.state_dir, e);
  });
  const ssh = {
    connectTimeoutS: cfg.ssh.connect_timeout,
    acceptNewHostKeys: cfg.ssh.accept_new_host_keys,
    controlPersistS: cfg.ssh.control_persist,
    retries: cfg.ssh.retries,
    transport: cfg.ssh.transport,
    maxHandshakes: cfg.ssh.max_handshakes,
    ...o.ssh,
    signal: o.killSignal,
  };
  const pool = await TransportPool.create(ssh);
  const factCache = new Map(Object.entries(await store.readFacts<HostFacts>()));
  let failure: unknown;
  try {
    await runDeployment(dep, {
      mode: o.mode,
      site,
      inventory,
      limit: o.limit,
      hostFilter,
      filter: { tags: o.tags, skipTags: o.skipTags },
      extraVars: o.extraVars ?? {},
      forks: o.forks ?? cfg.forks,
      serial: o.serial,
      pool,
      // A fresh-connection check must not be masked by retries: one more try covers a transient blip.
      freshPool: () => TransportPool.create({ ...ssh, retries: Math.min(ssh.retries, 2) }),
      vault: new VaultWriteBack(o.vaultKeys),
      specOverride: o.connection,
      factCache,
      confirm: o.confirm,
      emit: queue.push,
      interrupted: () => Boolean(o.signal?.aborted || o.killSignal?.aborted),
      signal: o.signal,
      detailedExitCode: o.detailedExitCode,
      announce: {
        user: os.userInfo().username,
        commit: o.origin?.commit ?? gitCommit(site),
        origin: o.origin ?? { via: "cli" },
        tags: o.tags,
        skipTags: o.skipTags,
        shard: o.shard,
      },
    });
  } catch (err) {
    failure = err;
  } finally {
    await pool.closeAll();
  }
  try {
    // Recorded whatever happened once the run started: a record of what the hosts reported beats none.
    if (!recorder.hasStarted) throw failure;
    const record = recorder.record();
    await withStateLock(cfg.state_dir, async () => {
      await store.writeFacts(Object.fromEntries(factCache));
      await store.appendRun(record);
      await store.updateState(record);
    });
    clearActive(cfg.state_dir, record.id);
    if (failure) throw failure;
    return record;
  } finally {
    // A run that could not be recorded leaves no marker behind either: its error is the caller's.
    if (runId) clearActive(cfg.state_dir, runId);
    await release();
  }
}

/** Returns the git commit of the site's repository, when it is in one. */
function gitCommit(site: string): string | undefined {
  try {
    return (
      execFileSync("git", ["-C", path.dirname(site), "rev-parse", "HEAD"], { stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .trim() || undefined
    );
  } catch {
    return undefined;
  }
}
