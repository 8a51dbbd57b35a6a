/**
 * Drift: plan every site stage with the inputs last applied to each host (through the run API, in
 * check mode) and report per host and operation what differs, with diffs (secrets already masked by
 * the engine). A site without a pipeline is planned as is.
 */
import type { RunEvent } from "../core/events.js";
import type { Shard } from "../inventory/shard.js";
import { shardHosts } from "../inventory/shard.js";
import { redact } from "../vault/redact.js";
import type { PipelineContext } from "./context.js";
import { type SiteStage, stageKind } from "./define.js";
import { fromPipeline } from "./load.js";
import { stageLockKey } from "./lock.js";
import { runStageSite, type StageSiteRun } from "./run-stage.js";
import { stageVars } from "./runner.js";
import { VersionStore } from "./versions.js";

export interface DriftChange {
  op: string;
  summary: string;
  diff?: string;
}

export interface DriftReport {
  /** Pipeline or site name. */
  name: string;
  env?: string;
  at: string;
  /** True when an operation would change on some host. */
  drifted: boolean;
  /** Per stage (or "site"), per host: the operations that would change. */
  stages: { stage: string; version?: string; runId: string; hosts: Record<string, DriftChange[]>; errors: Record<string, string> }[];
}

/** Plans one site on hosts with vars and returns the drift found per host. */
export async function planDrift(base: Omit<StageSiteRun, "mode" | "limit" | "emit"> & { hosts?: string[] }) {
  const hosts: Record<string, DriftChange[]> = {};
  const errors: Record<string, string> = {};
  const onEvent = (e: RunEvent) => {
    if (e.type === "op_planned" && e.changed)
      (hosts[e.host] ??= []).push({ op: e.op, summary: redact(e.summary), ...(e.diff ? { diff: redact(e.diff) } : {}) });
    if (e.type === "host_finished" && (e.status === "failed" || e.status === "unreachable")) errors[e.host] = redact(e.error ?? e.status);
  };
  const r = await runStageSite({ ...base, mode: "plan", limit: base.hosts?.join(","), emit: onEvent });
  return { runId: r.id, hosts, errors };
}

/** Returns the drift of every site stage of the pipeline in env, from the versions recorded per host. */
export async function pipelineDrift(ctx: PipelineContext, env: string, only?: string[], shard?: Shard): Promise<DriftReport> {
  const store = new VersionStore(ctx.stateDir, ctx.pipeline.name);
  const e = ctx.pipeline.environments[env];
  const inventory = await ctx.loadInventory(e?.inventory ?? env);
  const report: DriftReport = { name: ctx.pipeline.name, env, at: new Date().toISOString(), drifted: false, stages: [] };
  for (const stage of ctx.pipeline.stages) {
    if (stageKind(stage) !== "site" || (only && !only.includes(stage.id))) continue;
    const s = stage as SiteStage;
    const state = await store.read(env, s.id);
    // Hosts that run the same inputs are planned together: one engine run per version in place.
    const groups = new Map<string, { inputs: Record<string, unknown>; version: string; hosts: string[] }>();
    const known = Object.keys(state.hosts).filter((h) => inventory.hosts.has(h));
    for (const h of shard ? shardHosts(known, shard) : known) {
      const v = state.hosts[h];
      if (!v) continue;
      const key = JSON.stringify(v.inputs);
      const g = groups.get(key) ?? { inputs: v.inputs, version: v.version, hosts: [] };
      g.hosts.push(h);
      groups.set(key, g);
    }
    for (const g of groups.values()) {
      const d = await planDrift({
        site: fromPipeline(ctx.pipeline, s.site),
        inventory: ctx.inventoryRef(e?.inventory ?? env),
        config: ctx.config,
        vaultKeys: ctx.vaultKeys,
        hosts: g.hosts,
        extraVars: stageVars(ctx, s, env, g.inputs),
        forks: ctx.forks,
        tags: s.tags,
        typecheck: ctx.typecheck,
        connection: ctx.specOverride,
        signal: ctx.signal,
        lockKey: stageLockKey(ctx.pipeline.name, env, s.id),
        origin: { via: ctx.via, by: ctx.by, env, stage: s.id, inputs: g.inputs, commit: ctx.commit },
      });
      report.stages.push({ stage: s.id, version: g.version, ...d });
      if (Object.keys(d.hosts).length) report.drifted = true;
    }
  }
  return report;
}

/** Posts the report's JSON summary to a webhook; returns the HTTP status (the caller warns on failure, drift still exits 2). */
export async function notifyDrift(url: string, report: DriftReport): Promise<number> {
  const summary = {
    name: report.name,
    env: report.env,
    at: report.at,
    drifted: report.drifted,
    hosts: [...new Set(report.stages.flatMap((s) => Object.keys(s.hosts)))],
    stages: report.stages.map((s) => ({ stage: s.stage, version: s.version, hosts: s.hosts, errors: s.errors })),
  };
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "bosun-drift" },
    body: redact(JSON.stringify(summary)),
    signal: AbortSignal.timeout(10_000),
  });
  return r.status;
}

/** Returns the exit code of a drift report: 1 when a host could not be planned, 2 when drifted, else 0. */
export function driftExitCode(r: DriftReport): number {
  if (r.stages.some((s) => Object.keys(s.errors).length)) return 1;
  return r.drifted ? 2 : 0;
}
