import { createHash } from "node:crypto";
import path from "node:path";
import { type HostRunStatus, type RunEvent, zeroCounts } from "../core/events.js";
import { opId } from "../core/operation.js";
import { ConnectionError } from "../errors.js";
import { selectHosts } from "../inventory/patterns.js";
import type { ConnectionSpec } from "../transport/spec.js";
import { connectionFromVars } from "../transport/spec.js";
import { checkConnectionGuards, planVaultOutputs, storeVaultOutputs, vaultOutputs } from "./after-apply.js";
import { batches, failLimitCrossed } from "./batches.js";
import type { Play } from "./declare.js";
import { evaluatePlay, lazyFacts } from "./evaluate.js";
import { aheadGatherer, type FactsAhead, type LaterPlay } from "./facts-ahead.js";
import { ApplyCutError, applyHost, type PlannedHost, pendingRequest, planHost, uniqueRequests } from "./host.js";
import { recordApply, recordPlan } from "./outcome.js";
import type { RunOptions } from "./run.js";
import type { RunTally } from "./tally.js";

/** What one play needs from its run. */
export interface PlayContext {
  o: RunOptions;
  tally: RunTally;
  /** Limits remote work in flight to `forks` hosts, facts and applies alike. */
  slot: <T>(fn: () => Promise<T>) => Promise<T>;
  deployment: string;
  startedAt: number;
  /** Called once a host has finished the play (its host_finished emitted): lets go of what only this play needed. */
  done?: (host: string) => void;
  /** Every play of the deployment: a host's facts exec also gathers its later plays' facts. */
  plays: Play[];
  ahead: FactsAhead;
}

/** Returns the key of a play's pending-handlers file on a host (deployment and play name, hashed). */
export function pendingKeyOf(deployment: string, play: string): string {
  return createHash("sha256").update(`${deployment}\0${play}`).digest("hex").slice(0, 16);
}

/** Returns the play's display name. */
export const playName = (play: Play, index: number) => play.name ?? `play ${index + 1} (${play.hosts})`;

/**
 * Runs one play: plans every host in parallel (facts, then a pure plan), asks for confirmation when
 * required, then applies in rolling batches. Without a confirmation a host applies as soon as its
 * own plan is ready, so a slow or silent host never holds up healthy ones. Returns the abort reason
 * when the play stopped the run.
 */
export async function runPlay(ctx: PlayContext, play: Play, index: number): Promise<string | undefined> {
  const { o, tally } = ctx;
  const name = playName(play, index);
  const limited = o.hostFilter;
  const hosts = selectHosts(o.inventory, play.hosts).filter((h) => (!limited || limited.has(h)) && !tally.dead.has(h));
  o.emit({ type: "play_started", play: name, index, hosts });
  const pendingKey = pendingKeyOf(ctx.deployment, name);
  const execsBefore = o.pool.execCounts();
  const started = new Map<string, number>();
  const finish = (h: string, status: HostRunStatus, counts = zeroCounts(), error?: string, changedOps: string[] = []) => {
    tally.record(h, counts, status, changedOps);
    o.emit({
      type: "host_finished",
      play: name,
      host: h,
      status,
      counts,
      duration_ms: Date.now() - (started.get(h) ?? ctx.startedAt),
      execs: o.pool.execCount(h) - (execsBefore[h] ?? 0),
      error,
    });
    started.delete(h);
    ctx.done?.(h);
  };
  const fail = (h: string, err: unknown) => {
    ctx.ahead.drop(h);
    const unreachable = err instanceof ConnectionError;
    const counts = { ...zeroCounts(), failed: unreachable ? 0 : 1, unreachable };
    if (!unreachable) o.emit({ type: "op_failed", play: name, host: h, index: null, op: "(plan)", error: (err as Error).message });
    finish(h, unreachable ? "unreachable" : "failed", counts, (err as Error).message);
  };

  const plan = (h: string) =>
    ctx
      .slot(() => planOne(ctx, index, name, h, pendingKey, started))
      .catch((err) => {
        fail(h, err);
        return undefined;
      });
  if (o.mode === "plan") {
    // Only the counts are kept per host: its plan went out in its events and is let go once made.
    const results = hosts.map((h) => plan(h).then((p) => p && recordPlan(p)));
    for (const [i, h] of hosts.entries()) {
      const r = await results[i];
      if (!r) continue;
      if (r.status === "changed") tally.pendingChanges = true;
      finish(h, r.status, r.counts);
    }
    return undefined;
  }
  // A host's plan is held until it is applied, then let go (deleted below).
  const plans = new Map(hosts.map((h) => [h, plan(h)]));
  // A check (op.check) runs on every apply: a host with one is applied even when nothing changes.
  const needsApply = (p: PlannedHost | undefined) =>
    Boolean(p && (p.plans.some((x) => x.changed) || p.resume.length > 0 || p.evaluated.ops.some((op) => op.check)));
  if (o.confirm) {
    const ready = await Promise.all(hosts.map(async (h) => [h, await plans.get(h)] as const));
    const todo = ready.filter(([, p]) => needsApply(p));
    if (todo.length > 0 && !o.interrupted()) {
      const ok = await o.confirm(
        name,
        todo.map(([host, p]) => ({ host, changes: p?.plans.filter((x) => x.changed).length ?? 0 })),
      );
      if (!ok) {
        o.emit({ type: "play_aborted", play: name, reason: "not confirmed" });
        for (const [h, p] of ready) if (p) finish(h, "skipped", { ...zeroCounts(), skipped: p.plans.length }, "not confirmed");
        return "not confirmed";
      }
    }
  }

  let aborted: string | undefined;
  for (const batch of batches(hosts, o.serial ?? play.serial)) {
    let failedInBatch = 0;
    await Promise.all(
      batch.map(async (h) => {
        const p = await plans.get(h);
        plans.delete(h);
        if (!p) {
          if (tally.dead.has(h)) failedInBatch++;
          return;
        }
        if (aborted || o.interrupted())
          return finish(h, "skipped", { ...zeroCounts(), skipped: p.plans.length }, aborted ?? "interrupted before this host was applied");
        if (!needsApply(p)) return finish(h, "ok", recordPlan(p).counts);
        const r = await ctx.slot(() => applyOne(ctx, play, name, h, p, pendingKey));
        // Something changed (or may have, on a failure): facts gathered ahead for later plays are stale.
        if (r.status !== "ok" || r.counts.handlers > 0) ctx.ahead.changed();
        for (const e of r.events) o.emit(e);
        if (r.status === "failed" || r.status === "unreachable") failedInBatch++;
        finish(h, r.status, r.counts, r.error, r.changedOps);
      }),
    );
    if (aborted) continue; // hosts of later batches finish as skipped above, so every planned host is accounted for
    if (play.anyErrorsFatal && failedInBatch > 0) aborted = `a host failed in play "${name}" (anyErrorsFatal)`;
    else if (failLimitCrossed(failedInBatch, batch.length, play.maxFailPercentage))
      aborted = `${failedInBatch} of ${batch.length} hosts failed in a batch of play "${name}" (maxFailPercentage ${play.maxFailPercentage})`;
    if (aborted) o.emit({ type: "play_aborted", play: name, reason: aborted });
  }
  return aborted;
}

/** Gathers a host's facts and plans the play for it, emitting the plan. */
async function planOne(
  ctx: PlayContext,
  index: number,
  name: string,
  h: string,
  pendingKey: string,
  started: Map<string, number>,
): Promise<PlannedHost | undefined> {
  const { o } = ctx;
  const play = ctx.plays[index] as Play;
  if (o.interrupted()) return undefined;
  started.set(h, Date.now());
  o.emit({ type: "host_started", play: name, host: h, phase: "facts" });
  const vars = o.inventory.varsFor(h, { ...(play.vars ?? {}), ...o.extraVars });
  const gather = aheadGatherer({
    t: o.pool.get(specOf(o, vars, h)),
    become: play.become,
    ahead: ctx.ahead,
    host: h,
    play: index,
    later: () => laterPlays(ctx, index, h),
  });
  const p = await planHost(gather, { play, host: h, inventory: o.inventory, vars, filter: o.filter }, o.factCache.get(h), pendingKey);
  // A copy of its own: parsed values are slices of the host's whole facts output, which the cache would keep for the run.
  o.factCache.set(h, structuredClone(p.facts));
  if (o.vault) await planVaultOutputs(p, path.dirname(o.site), o.vault);
  else if (vaultOutputs(p, path.dirname(o.site)).length > 0)
    throw new Error("this play stores values in the vault, which this run cannot do");
  p.evaluated.ops.forEach((op, i) => {
    const plan = p.plans[i] as { changed: boolean; summary: string; diff?: string };
    o.emit({
      type: "op_planned",
      play: name,
      host: h,
      index: i,
      op: opId(op),
      changed: plan.changed,
      summary: plan.summary,
      diff: plan.diff,
    });
  });
  if (p.resume.length > 0)
    o.emit({ type: "handlers_resumed", play: name, host: h, handlers: p.resume.map((i) => p.evaluated.handlers[i]?.name ?? "") });
  return p;
}

const targets = new WeakMap<PlayContext, Map<number, Set<string>>>();

/** Returns the hosts play j targets (its pattern resolved once per run). */
function targetsOf(ctx: PlayContext, j: number): Set<string> {
  let byPlay = targets.get(ctx);
  if (!byPlay) targets.set(ctx, (byPlay = new Map()));
  let set = byPlay.get(j);
  if (!set) byPlay.set(j, (set = new Set(selectHosts(ctx.o.inventory, ctx.plays[j]?.hosts ?? ""))));
  return set;
}

/**
 * Returns the fact requests of host h's plays after play `index` that can share its facts exec (same
 * become), evaluated with the cached facts. A play that cannot be evaluated yet (a role reads facts
 * not cached, a role error) is left out: it gathers, and reports, on its own.
 */
function laterPlays(ctx: PlayContext, index: number, h: string): LaterPlay[] {
  const { o } = ctx;
  const become = ctx.plays[index]?.become;
  const out: LaterPlay[] = [];
  ctx.plays.forEach((play, j) => {
    if (j <= index || play.become !== become) return;
    try {
      if (!targetsOf(ctx, j).has(h)) return;
      const vars = o.inventory.varsFor(h, { ...(play.vars ?? {}), ...o.extraVars });
      const facts = o.factCache.get(h) ?? lazyFacts();
      const e = evaluatePlay({ play, host: h, inventory: o.inventory, vars, filter: o.filter, facts });
      out.push({ index: j, requests: [...uniqueRequests(e), pendingRequest(pendingKeyOf(ctx.deployment, playName(play, j)))] });
    } catch {
      // Not now: the play evaluates at its turn.
    }
  });
  return out;
}

/** Applies a planned host; a lost connection becomes unreachable with what the host had reported. */
async function applyOne(ctx: PlayContext, play: Play, name: string, h: string, p: PlannedHost, pendingKey: string) {
  const { o } = ctx;
  o.emit({ type: "host_started", play: name, host: h, phase: "apply" });
  const vars = o.inventory.varsFor(h, { ...(play.vars ?? {}), ...o.extraVars });
  const spec = specOf(o, vars, h);
  const siteDir = path.dirname(o.site);
  try {
    // No key for the vault: fail before the host creates a credential that could not be kept.
    if (o.vault && vaultOutputs(p, siteDir).length > 0) await o.vault.requireKeys(`host ${h} sends back values for the vault, which`);
    const outcome = await applyHost(o.pool.get(spec), p, { become: play.become, pendingKey, signal: o.signal });
    const r = { ...recordApply(name, h, p, outcome), error: undefined as string | undefined };
    const before = r.status;
    if (o.vault) await storeVaultOutputs(name, h, p, outcome, r, siteDir, o.vault);
    if (o.freshPool)
      await checkConnectionGuards(name, h, p, outcome, r, { spec, freshPool: o.freshPool, open: o.pool, become: play.become });
    // Failed only by a check after the script (vault, fresh connection): the host's error says which.
    if (r.status === "failed" && before !== "failed") r.error = [...r.events].reverse().find((e) => e.type === "op_failed")?.error;
    return r;
  } catch (err) {
    if (err instanceof ApplyCutError) return { ...recordApply(name, h, p, err.outcome, true), error: err.message };
    const events: RunEvent[] = [{ type: "op_failed", play: name, host: h, index: null, op: "(apply)", error: (err as Error).message }];
    return { events, counts: { ...zeroCounts(), failed: 1 }, changedOps: [], status: "failed" as const, error: (err as Error).message };
  }
}

function specOf(o: RunOptions, vars: Record<string, unknown>, host: string): ConnectionSpec {
  const s = connectionFromVars(host, vars);
  return o.specOverride ? o.specOverride(s) : s;
}
