import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { EventSink, HostCounts, HostRunStatus, RunEvent } from "../core/events.js";
import type { HostFacts } from "../facts/host.js";
import type { Inventory, Vars } from "../inventory/model.js";
import { selectHosts } from "../inventory/patterns.js";
import type { TransportPool } from "../transport/pool.js";
import type { ConnectionSpec } from "../transport/spec.js";
import { limiter } from "../util/limiter.js";
import type { VaultWriteBack } from "../vault/write-back.js";
import type { Deployment } from "./declare.js";
import type { TagFilter } from "./evaluate.js";
import { exitCodeOf } from "./exit-code.js";
import { FactsAhead } from "./facts-ahead.js";
import { runPlay } from "./play.js";
import { limitedHosts } from "./run-checks.js";
import { RunTally } from "./tally.js";

export interface RunOptions {
  mode: "plan" | "apply";
  site: string;
  inventory: Inventory;
  limit?: string;
  /** Only these hosts (the limit and shard, resolved by the caller); else the limit is resolved here. */
  hostFilter?: Set<string>;
  filter: TagFilter;
  extraVars: Vars;
  forks: number;
  /** Overrides every play's serial. */
  serial?: number | string;
  pool: TransportPool;
  /** Opens a pool of its own for a fresh-connection check (ops with a connectionGuard); without it, none is made. */
  freshPool?: () => Promise<TransportPool>;
  /** Where values ops send back from hosts are stored (ops with vaultOutputs); without it, such ops fail. */
  vault?: VaultWriteBack;
  specOverride?: (s: ConnectionSpec) => ConnectionSpec;
  /** Host facts from earlier runs (read and refreshed). */
  factCache: Map<string, HostFacts>;
  /** Asked before applying a play that has changes; false stops the run. */
  confirm?: (play: string, planned: { host: string; changes: number }[]) => Promise<boolean>;
  emit: EventSink;
  /** True once the run was asked to stop: start nothing new. */
  interrupted: () => boolean;
  /** Aborted when the run is asked to stop: hosts applying stop at their next operation boundary. */
  signal?: AbortSignal;
  detailedExitCode?: boolean;
  /** Extra fields of the run_started event (who, what commit, which selection). */
  announce?: Partial<Extract<RunEvent, { type: "run_started" }>>;
}

export interface RunResult {
  id: string;
  exitCode: number;
  hosts: Record<string, HostCounts>;
  status: Record<string, HostRunStatus>;
  changedOps: Record<string, string[]>;
  pendingChanges: boolean;
  interrupted: boolean;
  aborted?: string;
  execs: Record<string, number>;
}

/**
 * Runs a deployment: its plays in order (see runPlay). Hosts that fail or are unreachable drop out
 * of later plays; others go on unless a play aborts the run. Ends with the recap event.
 */
export async function runDeployment(dep: Deployment, o: RunOptions): Promise<RunResult> {
  const id = randomUUID();
  const start = Date.now();
  const tally = new RunTally();
  // Every host's exec in flight listens on the run's signal: more than Node's default 10 is the normal case.
  if (o.signal) setMaxListeners(0, o.signal);
  o.emit({
    ...o.announce,
    limit: o.limit,
    type: "run_started",
    id,
    mode: o.mode,
    site: o.site,
    deployment: dep.name,
    inventory: o.inventory.source,
    time: new Date().toISOString(),
  });
  // One reading of a limit (an empty one is an error, never "all"): the run API's.
  const hostFilter = o.hostFilter ?? limitedHosts(o.inventory, o.limit, undefined);
  const ctx = {
    o: { ...o, hostFilter },
    tally,
    slot: limiter(o.forks),
    deployment: dep.name,
    startedAt: start,
    plays: dep.plays,
    ahead: new FactsAhead(),
  };
  let aborted: string | undefined;
  for (const [i, play] of dep.plays.entries()) {
    if (o.interrupted() || aborted) break;
    const later = neededLater(o, dep, i);
    // A host done with its last play (or out of the run) lets its connection go at once, not at the play's end.
    const done = (h: string) => {
      if (!later?.has(h) || tally.dead.has(h)) void o.pool.release(h);
    };
    aborted = await runPlay({ ...ctx, done: later ? done : () => {} }, play, i);
    await releaseFinished(o, dep, i, later);
  }
  const interrupted = o.interrupted();
  if (interrupted) o.emit({ type: "interrupted", signal: "SIGINT/SIGTERM" });
  const exitCode = exitCodeOf({
    mode: o.mode,
    interrupted,
    aborted,
    statuses: Object.values(tally.status),
    pendingChanges: tally.pendingChanges,
    detailedExitCode: o.detailedExitCode,
  });
  o.emit({ type: "recap", hosts: tally.hosts, exit_code: exitCode, duration_ms: Date.now() - start });
  return {
    id,
    exitCode,
    hosts: tally.hosts,
    status: tally.status,
    changedOps: tally.changedOps,
    pendingChanges: tally.pendingChanges,
    interrupted,
    aborted,
    execs: o.pool.execCounts(),
  };
}

/** Returns the hosts a play after play i targets; undefined when a later play's pattern is bad (that play reports it). */
function neededLater(o: RunOptions, dep: Deployment, i: number): Set<string> | undefined {
  try {
    return new Set(dep.plays.slice(i + 1).flatMap((p) => selectHosts(o.inventory, p.hosts)));
  } catch {
    return undefined;
  }
}

/**
 * Closes the connections of play i's hosts that no later play targets: a 3,000-host run then holds
 * only the connections it still needs (testinfra ran out of descriptors keeping them all). Hosts
 * usually let theirs go as they finish (PlayContext.done); this catches any the play left open.
 */
async function releaseFinished(o: RunOptions, dep: Deployment, i: number, later: Set<string> | undefined): Promise<void> {
  const play = dep.plays[i];
  if (!play || !later) return; // without a reading of later plays: keep every connection meanwhile
  await Promise.all(
    selectHosts(o.inventory, play.hosts)
      .filter((h) => !later.has(h))
      .map((h) => o.pool.release(h)),
  );
}
