/**
 * Runs a site stage: inputs → policy → lock (environment, stage) → pre-flight → apply through the
 * run API (canary batch first, verified and baked; on failure the canary is rolled back to each
 * host's previous inputs and the run stops) → the rest → verify → versions recorded.
 */
import { UsageError } from "../errors.js";
import type { Inventory, Vars } from "../inventory/model.js";
import type { Shard } from "../inventory/shard.js";
import { TransportPool } from "../transport/pool.js";
import { sleep } from "../util/proc.js";
import { parseDuration, splitCanary } from "./canary.js";
import type { Check } from "./checks.js";
import type { PipelineContext } from "./context.js";
import type { SiteStage } from "./define.js";
import { stageHosts } from "./hosts.js";
import { fromPipeline } from "./load.js";
import { lockStage, stageLockKey } from "./lock.js";
import { type CheckResult, failures, runChecks } from "./run-checks.js";
import { runStageSite } from "./run-stage.js";
import { type StageRun, VersionStore, versionOf } from "./versions.js";

export interface StageRequest {
  env: string;
  /** Inputs as given (text from the CLI, typed values from a record); parsed by the caller. */
  inputs: Record<string, unknown>;
  kind: StageRun["kind"];
  shard?: Shard;
  /** Only these hosts (rollback of a subset); default: the stage's selection. */
  hosts?: string[];
}

export interface StageOutcome {
  run: StageRun;
  exitCode: number;
}

/** Returns the extra vars a stage's inputs become, on top of the environment's vars. */
export function stageVars(ctx: PipelineContext, stage: SiteStage, env: string, inputs: Record<string, unknown>): Vars {
  return { ...(ctx.pipeline.environments[env]?.vars ?? {}), ...(stage.vars ? stage.vars(inputs as never) : inputs), ...ctx.extraVars };
}

/** Returns the stage's host limit: its limit function, else the value of its `hosts` input. */
export function stageLimit(stage: SiteStage, inputs: Record<string, unknown>): string | undefined {
  if (stage.limit) return stage.limit(inputs as never);
  const name = Object.entries(stage.inputs ?? {}).find(([, d]) => d.kind === "hosts")?.[0];
  return name ? (inputs[name] as string | undefined) : undefined;
}

/** Refuses a run the environment's policy does not allow; asks when it wants a confirmation. */
export async function checkPolicy(ctx: PipelineContext, env: string, what: string, kind: StageRun["kind"]): Promise<void> {
  const e = ctx.pipeline.environments[env];
  if (e?.promoteOnly && kind === "apply")
    throw new UsageError(`environment ${env} takes changes only by promotion: bosun pipeline promote STAGE --from ENV --to ${env}`);
  if (!e?.confirm || ctx.yes) return;
  if (!ctx.ask) throw new UsageError(`environment ${env} requires confirmation: not interactive, pass --yes to ${what}`);
  if (!(await ctx.ask(`${what} in ${env}?`))) throw new UsageError(`${what}: not confirmed`);
}

/** Runs one site stage as requested and records it; the exit code is 0 only when every host applied and verified. */
export async function runSiteStage(
  ctx: PipelineContext,
  stage: SiteStage,
  req: StageRequest,
  inputs: Record<string, unknown>,
): Promise<StageOutcome> {
  const version = versionOf(inputs, stage.versionInput);
  const env = ctx.pipeline.environments[req.env];
  if (!env) throw new UsageError(`no environment ${req.env}`);
  const inventory = await ctx.loadInventory(env.inventory);
  const site = fromPipeline(ctx.pipeline, stage.site);
  const hosts = req.hosts ?? (await stageHosts(site, inventory, stageLimit(stage, inputs), req.shard, ctx.limit));
  await checkPolicy(ctx, req.env, `${req.kind} ${stage.id} ${version} on ${hosts.length} host${hosts.length === 1 ? "" : "s"}`, req.kind);
  const store = new VersionStore(ctx.stateDir, ctx.pipeline.name);
  return lockStage(ctx, req.env, stage.id, `bosun pipeline ${req.kind} ${stage.id} ${version}`, async () => {
    ctx.emit({ type: "stage_started", stage: stage.id, env: req.env, kind: req.kind, inputs, version, hosts });
    const previous = await store.read(req.env, stage.id);
    const pool = await TransportPool.create(ctx.ssh);
    const s = new SiteRun(ctx, stage, req, inventory, env.inventory, site, pool);
    try {
      const run = newStageRun(ctx, stage.id, req, inputs, version);
      const hostInputs: Record<string, Record<string, unknown>> = {};
      await s.execute(run, hosts, inputs, version, previous.hosts, hostInputs);
      return await finishStageRun(ctx, run, hostInputs);
    } finally {
      await pool.closeAll();
    }
  });
}

/** Returns a new stage run record (result ok until a step says otherwise). */
export function newStageRun(
  ctx: PipelineContext,
  stage: string,
  req: StageRequest,
  inputs: Record<string, unknown>,
  version: string,
): StageRun {
  return {
    runIds: [],
    stage,
    env: req.env,
    at: new Date().toISOString(),
    by: ctx.by,
    via: ctx.via,
    inputs,
    version,
    result: "ok",
    kind: req.kind,
    ...(req.shard ? { shard: req.shard } : {}),
    ...(ctx.commit ? { commit: ctx.commit } : {}),
    hosts: {},
    checks: [],
  };
}

/** Records a finished stage run (hosts move to their inputs) and says so; exit 0 only for ok (or a saved plan). */
export async function finishStageRun(
  ctx: PipelineContext,
  run: StageRun,
  hostInputs: Record<string, Record<string, unknown>> = {},
): Promise<StageOutcome> {
  await new VersionStore(ctx.stateDir, ctx.pipeline.name).record(run, hostInputs);
  const exitCode = run.result === "ok" || run.result === "planned" ? 0 : 1;
  ctx.emit({
    type: "stage_finished",
    stage: run.stage,
    env: run.env,
    result: run.result,
    exit_code: exitCode,
    ...(run.note ? { note: run.note } : {}),
  });
  return { run, exitCode };
}

type Previous = Record<string, { version: string; inputs: Record<string, unknown> }>;

/** One stage run's steps, sharing the run's context, pool and record. */
class SiteRun {
  constructor(
    private readonly ctx: PipelineContext,
    private readonly stage: SiteStage,
    private readonly req: StageRequest,
    private readonly inventory: Inventory,
    private readonly inventoryRef: string,
    private readonly site: string,
    private readonly pool: TransportPool,
  ) {}

  async execute(
    run: StageRun,
    hosts: string[],
    inputs: Record<string, unknown>,
    version: string,
    previous: Previous,
    hostInputs: Record<string, Record<string, unknown>>,
  ) {
    const pre = await this.checks("preflight", this.stage.preflight ?? [], hosts, inputs);
    run.checks?.push(...pre);
    if (failures(pre).length) return this.fail(run, `pre-flight failed: ${failures(pre).join("; ")}`);

    const canary = this.stage.canary && hosts.length > 1 ? splitCanary(hosts, this.stage.canary.hosts) : undefined;
    if (canary && this.stage.canary) {
      const ok = await this.batch(run, "canary", canary.canary, inputs, version);
      const bakeChecks = this.stage.canary.verify ?? this.stage.verify ?? [];
      const baked = ok && (await this.bake(run, canary.canary, inputs, bakeChecks));
      if (!baked) {
        await this.rollback(run, canary.canary, previous, hostInputs);
        run.result = "canary-rolled-back";
        run.note = `canary ${canary.canary.join(", ")} failed (${run.note ?? "verify"}); rolled back; ${canary.rest.length} other host${canary.rest.length === 1 ? " was" : "s were"} not touched`;
        return;
      }
      if (!(await this.batch(run, "rest", canary.rest, inputs, version))) return this.fail(run, run.note ?? "apply failed");
    } else if (!(await this.batch(run, "all", hosts, inputs, version))) return this.fail(run, run.note ?? "apply failed");
  }

  /** Applies inputs to hosts, then verifies them; false when a host failed either. */
  private async batch(
    run: StageRun,
    batch: "canary" | "rest" | "all" | "rollback",
    hosts: string[],
    inputs: Record<string, unknown>,
    version: string,
  ): Promise<boolean> {
    this.ctx.emit({ type: "batch_started", stage: this.stage.id, batch, hosts, version });
    const r = await runStageSite({
      mode: "apply",
      site: this.site,
      inventory: this.ctx.inventoryRef(this.inventoryRef),
      config: this.ctx.config,
      vaultKeys: this.ctx.vaultKeys,
      limit: hosts.join(","),
      tags: this.stage.tags,
      extraVars: stageVars(this.ctx, this.stage, this.req.env, inputs),
      serial: batch === "canary" ? undefined : this.stage.serial,
      forks: this.ctx.forks,
      lockKey: stageLockKey(this.ctx.pipeline.name, this.req.env, this.stage.id),
      lockHeld: true,
      origin: { via: this.ctx.via, by: this.ctx.by, env: this.req.env, stage: this.stage.id, inputs, commit: this.ctx.commit },
      connection: this.ctx.specOverride,
      typecheck: this.ctx.typecheck,
      signal: this.ctx.signal,
      emit: (e) => this.ctx.emit(e),
    });
    run.runIds.push(r.id);
    const applied = hosts.filter((h) => r.status[h] === "ok" || r.status[h] === "changed");
    for (const h of hosts) run.hosts[h] = { status: applied.includes(h) ? "ok" : (r.status[h] ?? "skipped"), version };
    const verify = await this.checks("verify", this.stage.verify ?? [], applied, inputs);
    run.checks?.push(...verify);
    for (const f of verify.filter((c) => !c.ok)) run.hosts[f.host] = { status: "failed", version };
    const notes = [...(r.exitCode !== 0 ? [`engine run ${r.id} exited ${r.exitCode}`] : []), ...failures(verify)];
    if (notes.length) run.note = notes.join("; ");
    return r.exitCode === 0 && applied.length === hosts.length && failures(verify).length === 0;
  }

  /** Keeps verifying the canary until the bake time is over; false at the first failure. */
  private async bake(run: StageRun, hosts: string[], inputs: Record<string, unknown>, checks: Check[]): Promise<boolean> {
    const c = this.stage.canary;
    const until = Date.now() + (c?.bake ? parseDuration(c.bake) : 0);
    const every = c?.every ? parseDuration(c.every) : 5000;
    while (Date.now() < until) {
      await sleep(Math.min(every, Math.max(0, until - Date.now())));
      const rs = await this.checks("bake", checks, hosts, inputs);
      if (failures(rs).length) {
        run.checks?.push(...rs);
        run.note = failures(rs).join("; ");
        for (const f of rs.filter((x) => !x.ok)) run.hosts[f.host] = { status: "failed", version: run.version };
        return false;
      }
    }
    return true;
  }

  /** Re-applies each host's previous inputs (grouped by version) and verifies; records hosts as rolled back. */
  private async rollback(run: StageRun, hosts: string[], previous: Previous, hostInputs: Record<string, Record<string, unknown>>) {
    const groups = new Map<string, { version: string; inputs: Record<string, unknown>; hosts: string[] }>();
    const orphans: string[] = [];
    for (const h of hosts) {
      const p = previous[h];
      if (!p) {
        orphans.push(h);
        continue;
      }
      const key = JSON.stringify(p.inputs);
      const g = groups.get(key) ?? { version: p.version, inputs: p.inputs, hosts: [] };
      g.hosts.push(h);
      groups.set(key, g);
    }
    const failedNote = run.note;
    const to: Record<string, string> = {};
    for (const g of groups.values()) {
      const scratch: StageRun = { ...run, hosts: {}, checks: [] };
      const ok = await this.batch(scratch, "rollback", g.hosts, g.inputs, g.version);
      run.runIds.push(...scratch.runIds.filter((id) => !run.runIds.includes(id)));
      run.checks?.push(...(scratch.checks ?? []));
      for (const h of g.hosts) {
        run.hosts[h] = { status: ok ? "rolled-back" : "failed", version: g.version };
        if (ok) hostInputs[h] = g.inputs;
        to[h] = g.version;
      }
    }
    run.note = [failedNote, orphans.length ? `no earlier version recorded for ${orphans.join(", ")}: left as is` : ""]
      .filter(Boolean)
      .join("; ");
    this.ctx.emit({ type: "canary_rolled_back", stage: this.stage.id, hosts: Object.keys(to), to });
  }

  private async checks(
    phase: "preflight" | "verify" | "bake",
    checks: readonly Check[],
    hosts: string[],
    inputs: Record<string, unknown>,
  ): Promise<CheckResult[]> {
    return runChecks(checks, hosts, {
      inventory: this.inventory,
      pool: this.pool,
      env: this.req.env,
      inputs,
      extraVars: stageVars(this.ctx, this.stage, this.req.env, inputs),
      probes: this.ctx.probes,
      forks: this.ctx.forks,
      specOverride: this.ctx.specOverride,
      onResult: (r) => this.ctx.emit({ type: "check_result", phase, ...r }),
    });
  }

  private fail(run: StageRun, note: string): void {
    run.result = "failed";
    run.note = note;
  }
}
