/** The pipeline verbs the CLI, CI jobs and the server share: run stages, roll back, promote. */
import { UsageError } from "../errors.js";
import type { Shard } from "../inventory/shard.js";
import type { PipelineContext } from "./context.js";
import { type Stage, stageInputs, stageKind } from "./define.js";
import { parseInputs } from "./inputs.js";
import { runSiteStage, type StageOutcome } from "./runner.js";
import { runTestStage, runToolStage } from "./tool-stage.js";
import { currentRun, rollbackTarget, VersionStore } from "./versions.js";

export interface RunOptions {
  env: string;
  inputs: Record<string, unknown>;
  shard?: Shard;
  /** Tool stages: plan only, save it (exit 2 when changes are pending). */
  planOnly?: boolean;
  /** Tool stages: apply the plan saved by an earlier planOnly run. */
  applySaved?: boolean;
}

/** Runs one stage with the given inputs (parsed against its schema). */
export async function runStage(
  ctx: PipelineContext,
  stage: Stage,
  o: RunOptions,
  kind: "apply" | "rollback" | "promote" = "apply",
): Promise<StageOutcome> {
  const inputs = parseInputs(stage.id, stage.inputs ?? {}, o.inputs);
  const req = { env: o.env, inputs, kind, shard: o.shard };
  switch (stageKind(stage)) {
    case "tool":
      return runToolStage(ctx, stage as Parameters<typeof runToolStage>[1], req, inputs, o);
    case "test":
      return runTestStage(ctx, stage as Parameters<typeof runTestStage>[1], req, inputs);
    default:
      return runSiteStage(ctx, stage as Parameters<typeof runSiteStage>[1], req, inputs);
  }
}

/** Runs stages in order; the first that fails stops the rest (a failed test stage stops before prod stages). Returns the last exit code. */
export async function runStages(
  ctx: PipelineContext,
  stages: readonly Stage[],
  o: RunOptions,
): Promise<{ exitCode: number; ran: string[] }> {
  const ran: string[] = [];
  const declared = new Set(stages.flatMap((s) => Object.keys(stageInputs(s))));
  const unknown = Object.keys(o.inputs).filter((k) => !declared.has(k));
  if (stages.length > 1 && unknown.length)
    throw new UsageError(`no stage of this run takes input ${unknown.map((k) => `"${k}"`).join(", ")}`);
  for (const s of stages) {
    // Inputs given once apply to every stage that declares them.
    const inputs = Object.fromEntries(Object.entries(o.inputs).filter(([k]) => stages.length === 1 || k in stageInputs(s)));
    const r = await runStage(ctx, s, { ...o, inputs });
    ran.push(s.id);
    if (r.exitCode !== 0) return { exitCode: r.exitCode, ran };
  }
  return { exitCode: 0, ran };
}

/** Re-applies the last successful inputs before the current ones (or those of version `to`), then verifies. */
export async function rollbackStage(ctx: PipelineContext, stage: Stage, env: string, to?: string): Promise<StageOutcome> {
  if (stageKind(stage) !== "site") throw new UsageError(`stage ${stage.id} is a ${stageKind(stage)} stage: roll it back with its own tool`);
  const state = await new VersionStore(ctx.stateDir, ctx.pipeline.name).read(env, stage.id);
  const target = rollbackTarget(state, to);
  if (!target)
    throw new UsageError(
      to
        ? `stage ${stage.id} in ${env}: no successful run of version ${to} recorded`
        : `stage ${stage.id} in ${env}: no earlier successful version to roll back to`,
    );
  return runStage(ctx, stage, { env, inputs: target.inputs }, "rollback");
}

/** Runs the stage in `to` with the inputs that last passed in `from` (host patterns are the target's own). */
export async function promoteStage(ctx: PipelineContext, stage: Stage, from: string, to: string): Promise<StageOutcome> {
  const state = await new VersionStore(ctx.stateDir, ctx.pipeline.name).read(from, stage.id);
  const passed = currentRun(state);
  if (!passed) throw new UsageError(`stage ${stage.id}: nothing passed in ${from} yet: nothing to promote`);
  const inputs = Object.fromEntries(Object.entries(passed.inputs).filter(([k]) => stage.inputs?.[k]?.kind !== "hosts"));
  return runStage(ctx, stage, { env: to, inputs }, "promote");
}
