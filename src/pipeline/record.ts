/**
 * Tool and test stages in runs.jl: site stages are recorded there by the run API; a stage that runs a
 * command (an external tool's plan/apply, the project's tests) gets its own line in the same
 * append-only log, with the same origin fields, so `bosun runs` and audits see every stage run.
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import { withStateLock } from "../engine/run-lock.js";
import { type RunRecord, Store } from "../store/runs.js";
import type { PipelineContext } from "./context.js";
import type { StageRun } from "./versions.js";

/** Appends the record of a tool or test stage run to runs.jl; its id joins the stage run's runIds. */
export async function recordCommandRun(
  ctx: PipelineContext,
  kind: "tool" | "test",
  run: StageRun,
  started: Date,
  mode: "plan" | "apply",
): Promise<RunRecord> {
  const exitCode = run.result === "ok" || run.result === "planned" ? 0 : 1;
  const record: RunRecord = {
    id: randomUUID(),
    kind,
    mode,
    user: os.userInfo().username,
    started: started.toISOString(),
    ended: new Date().toISOString(),
    site: ctx.pipeline.file ?? ctx.pipeline.name,
    deployment: `${ctx.pipeline.name}/${run.stage}`,
    inventory: "",
    origin: { via: ctx.via, by: ctx.by, env: run.env, stage: run.stage, inputs: run.inputs, ...(ctx.commit ? { commit: ctx.commit } : {}) },
    ...(ctx.commit ? { commit: ctx.commit } : {}),
    hosts: {},
    exitCode,
    interrupted: false,
    ...(run.note ? { note: run.note } : {}),
  };
  const store = new Store(ctx.stateDir);
  await withStateLock(ctx.stateDir, () => store.appendRun(record));
  run.runIds.push(record.id);
  return record;
}
