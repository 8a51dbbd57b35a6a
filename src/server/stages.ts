/**
 * Pipeline stages from the server: the tracked repository's pipeline file (`[server] pipeline`) is
 * loaded from the checkout of the commit a run is for, its stages described for the dashboard's
 * forms, a request checked with the CLI's own input validation before it is queued, and a queued
 * stage run handed to the same pipeline verbs `bosun pipeline run/rollback` call (pre-flight, apply
 * through the run API, verify, versions, the stage lock). The server adds who asked and the confirm
 * an environment's policy wants; it never runs a stage its own way.
 */
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type { LoadedConfig } from "../config/load.js";
import type { RunEvent } from "../core/events.js";
import { BosunError } from "../errors.js";
import { rollbackStage, runStage } from "../pipeline/actions.js";
import type { PipelineEvent } from "../pipeline/context.js";
import { type Pipeline, type Stage, stageInputs, stageKind } from "../pipeline/define.js";
import { InputsError, parseInputs } from "../pipeline/inputs.js";
import { envName, findStage, loadPipeline } from "../pipeline/load.js";
import { StageLockedError } from "../pipeline/lock.js";
import { makePipelineContext } from "../pipeline/make-context.js";
import { historyRuns, statusRows } from "../pipeline/status.js";
import { resolveKeys } from "../vault/keys.js";
import { memoKeys } from "../vault/vars.js";
import type { GitSource } from "./git.js";
import type { CommitInfo, NewRun, ServerRun } from "./storage.js";

export interface StageRequest {
  inputs?: Record<string, unknown>;
  /** The environment's confirmation (prod): required where the pipeline says `confirm: true`. */
  confirm?: boolean;
  /** Rollback: the version to go back to (default: the one before the current). */
  to?: string;
}

/** A stage as the dashboard draws its form. */
export interface StageDescription {
  id: string;
  kind: string;
  description?: string;
  inputs: { name: string; kind: string; description?: string; default?: unknown; required?: boolean; options?: readonly string[] }[];
}

export class PipelineStages {
  constructor(
    private readonly file: string,
    private readonly git: GitSource,
    private readonly config: LoadedConfig,
  ) {}

  /** Returns the pipeline at commit (a checkout of it). */
  async at(commit: CommitInfo): Promise<Pipeline> {
    return loadPipeline(path.join(await this.git.checkout(commit.sha), this.file));
  }

  /** Returns the pipeline's environments and stages with their typed inputs, at commit. */
  async describe(commit: CommitInfo) {
    const p = await this.at(commit);
    return {
      name: p.name,
      commit,
      environments: Object.entries(p.environments).map(([name, e]) => ({
        name,
        confirm: Boolean(e.confirm),
        promoteOnly: Boolean(e.promoteOnly),
      })),
      stages: p.stages.map(describeStage),
    };
  }

  /** Returns the run to queue for a stage request, after the checks the CLI makes before it starts (400s, not failed runs). */
  async check(
    commit: CommitInfo,
    env: string,
    ref: string,
    kind: "stage" | "stage-rollback",
    req: StageRequest,
    by: string,
  ): Promise<NewRun> {
    const p = await this.at(commit);
    const e = envName(p, env);
    const stage = findStage(p, ref);
    const confirm = p.environments[e]?.confirm;
    if (confirm && req.confirm !== true)
      throw new InputsError(`environment ${e} requires confirmation: tick "confirm" (API: "confirm": true)`, {
        confirm: `environment ${e} requires confirmation`,
      });
    if (kind === "stage-rollback") {
      if (stageKind(stage) !== "site")
        throw new BosunError(`stage ${stage.id} is a ${stageKind(stage)} stage: roll it back with its own tool`);
      return { env: e, kind, commit, by, stage: stage.id, ...(req.to ? { to: req.to } : {}) };
    }
    const inputs = parseInputs(stage.id, stage.inputs ?? {}, textless(req.inputs ?? {}));
    return { env: e, kind, commit, by, stage: stage.id, inputs };
  }

  /**
   * Runs a queued stage run (or rollback) through the pipeline verbs; returns its exit code. When
   * another process (a CLI run, a CI job) holds the stage's lock, the run waits for it (says so once
   * in its events) and starts when it is free: one run per environment and stage, the others queue.
   */
  async execute(run: ServerRun, signal: AbortSignal, emit: (e: RunEvent) => void): Promise<number> {
    for (let said = false; ; said = true) {
      try {
        return await this.executeOnce(run, signal, emit);
      } catch (err) {
        if (!(err instanceof StageLockedError) || signal.aborted) throw err;
        const waiting: StageWaiting = { type: "stage_waiting", stage: run.stage ?? "", env: run.env, holder: err.message };
        // Recorded with the run's events like the pipeline's own (which are not engine RunEvents either).
        if (!said) emit(waiting as unknown as RunEvent);
        await delay(LOCK_RETRY_MS, undefined, { signal });
      }
    }
  }

  private async executeOnce(run: ServerRun, signal: AbortSignal, emit: (e: RunEvent) => void): Promise<number> {
    const p = await this.at(run.commit);
    const stage = findStage(p, run.stage ?? "");
    const ctx = makePipelineContext(p, this.config, {
      keys: memoKeys(() => resolveKeys({ configIds: this.config.config.vault.ids })),
      by: run.by,
      via: "server",
      commit: run.commit.sha,
      // The environment's confirmation was checked when the run was asked for.
      yes: true,
      signal,
      emit: (e: PipelineEvent) => emit(e as RunEvent),
    });
    const out =
      run.kind === "stage-rollback"
        ? await rollbackStage(ctx, stage, run.env, run.to)
        : await runStage(ctx, stage, { env: run.env, inputs: run.inputs ?? {} });
    if (out.exitCode !== 0)
      throw new BosunError(`stage ${stage.id} in ${run.env}: ${out.run.result}${out.run.note ? ` (${out.run.note})` : ""}`);
    return out.exitCode;
  }

  /** Returns per environment, stage and host the version running there, and the stage runs (history). */
  async versions(commit: CommitInfo) {
    const p = await this.at(commit);
    const envs = Object.keys(p.environments);
    const dir = this.config.config.state_dir;
    return { status: await statusRows(p, dir, envs), history: await historyRuns(p, dir, envs) };
  }
}

/** The server's own event: its stage run found the stage locked by another process and waits for it. */
interface StageWaiting {
  type: "stage_waiting";
  stage: string;
  env: string;
  holder: string;
}

/** How often a stage run waiting for another process's lock tries again. */
const LOCK_RETRY_MS = 1000;

/** Form values arrive as text or JSON; an empty text field means "not given" (the default applies). */
function textless(given: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(given).filter(([, v]) => v !== "" && v !== null && v !== undefined));
}

function describeStage(s: Stage): StageDescription {
  return {
    id: s.id,
    kind: stageKind(s),
    ...(s.description ? { description: s.description } : {}),
    inputs: Object.entries(stageInputs(s)).map(([name, d]) => ({
      name,
      kind: d.kind,
      ...(d.description ? { description: d.description } : {}),
      ...(d.default !== undefined ? { default: d.default } : {}),
      ...(d.required ? { required: true } : {}),
      ...(d.kind === "choice" ? { options: d.options } : {}),
    })),
  };
}
