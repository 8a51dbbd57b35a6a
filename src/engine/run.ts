import { randomUUID } from "node:crypto";
import type { EventSink, HostCounts, HostRunStatus, RunEvent } from "../core/events.js";
import { opId } from "../core/operation.js";
import { ConnectionError } from "../errors.js";
import type { HostFacts } from "../facts/host.js";
import type { Inventory, Vars } from "../inventory/model.js";
import { selectHosts } from "../inventory/patterns.js";
import { mapLimit, type TransportPool } from "../transport/pool.js";
import { type ConnectionSpec, connectionFromVars } from "../transport/spec.js";
import { batches, failLimitCrossed } from "./batches.js";
import type { Deployment, Play } from "./declare.js";
import type { TagFilter } from "./evaluate.js";
import { applyHost, type PlannedHost, planHost } from "./host.js";

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
  specOverride?: (s: ConnectionSpec) => ConnectionSpec;
  /** Host facts from earlier runs (read and refreshed). */
  factCache: Map<string, HostFacts>;
  /** Asked before applying a play that has changes; false stops the run. */
  confirm?: (play: string, planned: { host: string; changes: number }[]) => Promise<boolean>;
  emit: EventSink;
  /** True once SIGINT/SIGTERM arrived: start nothing new. */
  interrupted: () => boolean;
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

const zero = (): HostCounts => ({ ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: false });

/**
 * Runs a deployment: plays in order; per play, every host's facts → plan in parallel (forks), then,
 * when applying, rolling batches (serial) with one apply exec per host that has changes.
 * Hosts that fail or are unreachable drop out of later plays; others go on unless anyErrorsFatal or
 * the batch's fail percentage is crossed.
 */
export async function runDeployment(dep: Deployment, o: RunOptions): Promise<RunResult> {
  const id = randomUUID();
  const start = Date.now();
  const res: RunResult = { id, exitCode: 0, hosts: {}, status: {}, changedOps: {}, pendingChanges: false, interrupted: false, execs: {} };
  const dead = new Set<string>();
  const limited = o.hostFilter ?? (o.limit ? new Set(selectHosts(o.inventory, o.limit)) : undefined);
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

  const counts = (h: string) => (res.hosts[h] ??= zero());
  const setStatus = (h: string, s: HostRunStatus) => {
    const rank: HostRunStatus[] = ["skipped", "ok", "changed", "failed", "unreachable"];
    if (!res.status[h] || rank.indexOf(s) > rank.indexOf(res.status[h] as HostRunStatus)) res.status[h] = s;
  };

  for (const [pi, play] of dep.plays.entries()) {
    if (o.interrupted() || res.aborted) break;
    const playName = play.name ?? `play ${pi + 1} (${play.hosts})`;
    const hosts = selectHosts(o.inventory, play.hosts).filter((h) => (!limited || limited.has(h)) && !dead.has(h));
    o.emit({ type: "play_started", play: playName, index: pi, hosts });
    const specs = new Map(hosts.map((h) => [h, spec(o, play, h)]));
    const planned = new Map<string, PlannedHost>();
    const startedAt = new Map<string, number>();
    const execsBefore = o.pool.execCounts();
    const finished = new Set<string>();

    const fail = (h: string, err: unknown) => {
      const unreachable = err instanceof ConnectionError;
      const c = counts(h);
      if (unreachable) c.unreachable = true;
      else c.failed++;
      dead.add(h);
      setStatus(h, unreachable ? "unreachable" : "failed");
      if (!unreachable) o.emit({ type: "op_failed", play: playName, host: h, index: null, op: "(plan)", error: (err as Error).message });
      finish(h, unreachable ? "unreachable" : "failed", (err as Error).message);
    };
    const finish = (h: string, status: HostRunStatus, error?: string) => {
      finished.add(h);
      const execs = (o.pool.execCounts()[h] ?? 0) - (execsBefore[h] ?? 0);
      o.emit({
        type: "host_finished",
        play: playName,
        host: h,
        status,
        counts: { ...counts(h) },
        duration_ms: Date.now() - (startedAt.get(h) ?? start),
        execs,
        error,
      });
    };

    // Phase 1: facts and plan, every host in parallel.
    await mapLimit(hosts, o.forks, async (h) => {
      if (o.interrupted()) return;
      startedAt.set(h, Date.now());
      o.emit({ type: "host_started", play: playName, host: h, phase: "facts" });
      try {
        const t = o.pool.get(specs.get(h) as ConnectionSpec);
        const vars = o.inventory.varsFor(h, { ...(play.vars ?? {}), ...o.extraVars });
        const p = await planHost(t, { play, host: h, inventory: o.inventory, vars, filter: o.filter }, o.factCache.get(h), play.become);
        o.factCache.set(h, p.facts);
        planned.set(h, p);
        p.evaluated.ops.forEach((op, i) => {
          const plan = p.plans[i] as { changed: boolean; summary: string; diff?: string };
          o.emit({
            type: "op_planned",
            play: playName,
            host: h,
            index: i,
            op: opId(op),
            changed: plan.changed,
            summary: plan.summary,
            diff: plan.diff,
          });
        });
      } catch (err) {
        fail(h, err);
      }
    });

    const changesOf = (h: string) => planned.get(h)?.plans.filter((p) => p.changed).length ?? 0;
    if (o.mode === "plan") {
      for (const h of hosts.filter((x) => planned.has(x))) {
        const p = planned.get(h) as PlannedHost;
        const c = counts(h);
        const n = changesOf(h);
        c.changed += n;
        c.ok += p.plans.length - n;
        if (n > 0) res.pendingChanges = true;
        setStatus(h, n > 0 ? "changed" : "ok");
        finish(h, n > 0 ? "changed" : "ok");
      }
      continue;
    }

    const order = hosts.filter((h) => planned.has(h));
    const withChanges = order.filter((h) => changesOf(h) > 0);
    if (withChanges.length > 0 && o.confirm && !o.interrupted()) {
      const ok = await o.confirm(
        playName,
        withChanges.map((h) => ({ host: h, changes: changesOf(h) })),
      );
      if (!ok) {
        res.aborted = "not confirmed";
        o.emit({ type: "play_aborted", play: playName, reason: "not confirmed" });
        break;
      }
    }

    // Phase 2: apply, in rolling batches.
    for (const batch of batches(order, o.serial ?? play.serial)) {
      if (o.interrupted() || res.aborted) break;
      let failedInBatch = 0;
      await mapLimit(batch, o.forks, async (h) => {
        const p = planned.get(h) as PlannedHost;
        const c = counts(h);
        if (changesOf(h) === 0) {
          c.ok += p.plans.length;
          setStatus(h, "ok");
          return finish(h, "ok");
        }
        if (o.interrupted()) return;
        o.emit({ type: "host_started", play: playName, host: h, phase: "apply" });
        try {
          const out = await applyHost(o.pool.get(specs.get(h) as ConnectionSpec), p, play.become);
          let failedOp = false;
          const changedBefore = c.changed;
          p.evaluated.ops.forEach((op, i) => {
            const r = out.ops.get(String(i));
            const id = opId(op);
            if (!r) {
              c.skipped++;
              o.emit({ type: "op_skipped", play: playName, host: h, index: i, op: id, reason: "an earlier operation failed" });
            } else if (r.status === "failed") {
              failedOp = true;
              c.failed++;
              o.emit({
                type: "op_failed",
                play: playName,
                host: h,
                index: i,
                op: id,
                error: `exit code ${r.rc}`,
                rc: r.rc,
                output: r.output,
              });
            } else if (r.status === "changed") {
              c.changed++;
              (res.changedOps[h] ??= []).push(id);
              o.emit({ type: "op_changed", play: playName, host: h, index: i, op: id });
            } else {
              c.ok++;
              o.emit({ type: "op_ok", play: playName, host: h, index: i, op: id });
            }
          });
          for (const run of out.handlersRun) {
            const [hiText = "", suffix = ""] = run.split(/(?=@)/);
            const hi = Number(hiText);
            const hd = p.evaluated.handlers[hi];
            if (!hd) continue;
            const rs = hd.ops.map((_, oi) => out.ops.get(`h${hi}.${oi}${suffix}`));
            const hFailed = rs.some((r) => r?.status === "failed");
            if (hFailed) {
              failedOp = true;
              c.failed++;
              const r = rs.find((x) => x?.status === "failed");
              o.emit({
                type: "op_failed",
                play: playName,
                host: h,
                index: null,
                op: `handler ${hd.name}`,
                error: `exit code ${r?.rc}`,
                rc: r?.rc,
                output: r?.output,
              });
            } else {
              c.changed++;
              (res.changedOps[h] ??= []).push(`handler ${hd.name}`);
            }
            o.emit({ type: "handler_ran", play: playName, host: h, handler: hd.name, changed: !hFailed, failed: hFailed });
          }
          if (failedOp) {
            failedInBatch++;
            dead.add(h);
            setStatus(h, "failed");
            finish(h, "failed");
          } else {
            const st = c.changed > changedBefore ? "changed" : "ok";
            setStatus(h, st);
            finish(h, st);
          }
        } catch (err) {
          failedInBatch++;
          fail(h, err);
        }
      });
      if (play.anyErrorsFatal && failedInBatch > 0) res.aborted = `a host failed in play "${playName}" (anyErrorsFatal)`;
      else if (failLimitCrossed(failedInBatch, batch.length, play.maxFailPercentage)) {
        res.aborted = `${failedInBatch} of ${batch.length} hosts failed in a batch of play "${playName}" (maxFailPercentage ${play.maxFailPercentage})`;
      }
      if (res.aborted) o.emit({ type: "play_aborted", play: playName, reason: res.aborted });
    }
    // Hosts whose batch never ran (play aborted, or interrupted): every op skipped, and said so.
    for (const h of order.filter((x) => !finished.has(x))) {
      counts(h).skipped += planned.get(h)?.plans.length ?? 0;
      setStatus(h, "skipped");
      finish(h, "skipped", res.aborted ?? "interrupted before this host was applied");
    }
  }

  if (o.interrupted()) {
    res.interrupted = true;
    o.emit({ type: "interrupted", signal: "SIGINT/SIGTERM" });
  }
  const statuses = Object.values(res.status);
  res.exitCode = res.interrupted
    ? 130
    : statuses.includes("failed") || res.aborted
      ? 1
      : statuses.includes("unreachable")
        ? 4
        : o.mode === "plan" && o.detailedExitCode && res.pendingChanges
          ? 2
          : 0;
  res.execs = o.pool.execCounts();
  o.emit({ type: "recap", hosts: res.hosts, exit_code: res.exitCode, duration_ms: Date.now() - start });
  return res;
}

function spec(o: RunOptions, play: Play, host: string): ConnectionSpec {
  const s = connectionFromVars(host, o.inventory.varsFor(host, { ...(play.vars ?? {}), ...o.extraVars }));
  return o.specOverride ? o.specOverride(s) : s;
}
