/**
 * External-tool and test stages. A tool stage runs its plan command (its exit code says whether
 * changes are pending; its output is saved and shown with secrets masked), asks when the
 * environment's policy wants it, then runs the apply command on exactly the saved plan: the plan
 * file's hash is taken after planning and checked before applying. A test stage runs a command; a
 * failure stops the pipeline.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { BosunError } from "../errors.js";
import { run as runLocal } from "../util/proc.js";
import { redact } from "../vault/redact.js";
import type { PipelineContext } from "./context.js";
import type { Argv, TestStage, ToolContext, ToolStage } from "./define.js";
import { fromPipeline } from "./load.js";
import { lockStage } from "./lock.js";
import { recordCommandRun } from "./record.js";
import type { StageOutcome, StageRequest } from "./runner.js";
import { checkPolicy, finishStageRun, newStageRun } from "./runner.js";
import { versionOf } from "./versions.js";

const argv = (a: Argv, c: ToolContext) => [...(typeof a === "function" ? a(c) : a)];

async function exec(cmd: string[], cwd: string, env: Record<string, string>, timeoutMs?: number) {
  const [bin, ...args] = cmd;
  if (!bin) throw new BosunError("empty command");
  return runLocal(bin, args, { cwd, env: { ...process.env, ...env }, check: false, timeoutMs });
}

const runEnv = (ctx: PipelineContext, req: StageRequest, stage: { id: string; env?: Record<string, string> }) => ({
  BOSUN_PIPELINE: ctx.pipeline.name,
  BOSUN_PIPELINE_ENV: req.env,
  BOSUN_PIPELINE_STAGE: stage.id,
  ...stage.env,
});

/** Returns the saved plan's file for (environment, stage). */
export function planFile(ctx: PipelineContext, env: string, stage: string): string {
  return path.join(ctx.stateDir, "pipelines", ctx.pipeline.name, env, `${stage}.plan`);
}

/**
 * Runs a tool stage: plan, then (unless planOnly or nothing to do) approve and apply the saved plan.
 * With applySaved, the plan made by an earlier `--plan` run is applied (after its hash is checked).
 */
export async function runToolStage(
  ctx: PipelineContext,
  stage: ToolStage,
  req: StageRequest,
  inputs: Record<string, unknown>,
  o: { planOnly?: boolean; applySaved?: boolean } = {},
): Promise<StageOutcome & { changes: boolean }> {
  const cwd = fromPipeline(ctx.pipeline, stage.cwd ?? ".");
  const file = planFile(ctx, req.env, stage.id);
  const tc: ToolContext = { planFile: file, inputs, env: req.env };
  const env = runEnv(ctx, req, stage);
  return lockStage(ctx, req.env, stage.id, `bosun pipeline run ${stage.id}`, async () => {
    ctx.emit({ type: "stage_started", stage: stage.id, env: req.env, kind: "tool", inputs, version: versionOf(inputs), hosts: [] });
    const run = newStageRun(ctx, stage.id, req, inputs, versionOf(inputs));
    const started = new Date();
    const finish = async (mode: "plan" | "apply") => {
      await recordCommandRun(ctx, "tool", run, started, mode);
      return finishStageRun(ctx, run);
    };
    await mkdir(path.dirname(file), { recursive: true });
    let changes = true;
    if (!o.applySaved) {
      await rm(file, { force: true });
      const p = await exec(argv(stage.plan, tc), cwd, env);
      const output = redact(p.stdout + p.stderr);
      // Tools that print the plan instead of writing it (kubectl diff) get their output saved as the plan.
      if (!existsSync(file)) await writeFile(file, p.stdout, { mode: 0o600 });
      await writeFile(`${file}.txt`, output, { mode: 0o600 });
      changes = p.code === (stage.changesExitCode ?? 2);
      ctx.emit({ type: "tool_output", stage: stage.id, step: "plan", output, exit_code: p.code, changes });
      if (p.code !== 0 && !changes) {
        run.result = "failed";
        run.note = `plan exited ${p.code}`;
        return { ...(await finish("plan")), changes };
      }
      await writeFile(`${file}.sha256`, sha256(await readFile(file)), { mode: 0o600 });
      if (o.planOnly || !changes) {
        run.result = o.planOnly ? "planned" : "ok";
        run.note = changes ? "changes pending: plan saved" : "no changes";
        const out = await finish("plan");
        return { ...out, exitCode: o.planOnly && changes ? 2 : out.exitCode, changes };
      }
    } else if (!existsSync(file)) throw new BosunError(`${stage.id}: no saved plan in ${file}: run with --plan first`);
    await checkPolicy(ctx, req.env, `apply the saved plan of ${stage.id}`, req.kind);
    const want = await readFile(`${file}.sha256`, "utf8").catch(() => "");
    if (sha256(await readFile(file)) !== want)
      throw new BosunError(`${stage.id}: the saved plan ${file} changed since it was made: plan again`);
    const a = await exec(argv(stage.apply, tc), cwd, env);
    ctx.emit({ type: "tool_output", stage: stage.id, step: "apply", output: redact(a.stdout + a.stderr), exit_code: a.code });
    if (a.code !== 0) {
      run.result = "failed";
      run.note = `apply exited ${a.code}`;
    }
    return { ...(await finish("apply")), changes };
  });
}

/** Runs a test stage's command; its exit code decides. */
export async function runTestStage(
  ctx: PipelineContext,
  stage: TestStage,
  req: StageRequest,
  inputs: Record<string, unknown>,
): Promise<StageOutcome> {
  const cwd = fromPipeline(ctx.pipeline, stage.cwd ?? ".");
  return lockStage(ctx, req.env, stage.id, `bosun pipeline run ${stage.id}`, async () => {
    ctx.emit({ type: "stage_started", stage: stage.id, env: req.env, kind: "test", inputs, version: versionOf(inputs), hosts: [] });
    const run = newStageRun(ctx, stage.id, req, inputs, versionOf(inputs));
    const started = new Date();
    const t = await exec(argv(stage.command, { planFile: "", inputs, env: req.env }), cwd, runEnv(ctx, req, stage), stage.timeoutMs);
    ctx.emit({ type: "tool_output", stage: stage.id, step: "test", output: redact(t.stdout + t.stderr), exit_code: t.code });
    if (t.code !== 0) {
      run.result = "failed";
      run.note = `tests failed (exit ${t.code})`;
    }
    await recordCommandRun(ctx, "test", run, started, "apply");
    return finishStageRun(ctx, run);
  });
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
