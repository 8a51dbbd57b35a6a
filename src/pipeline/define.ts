/**
 * What a pipeline file declares: `export default pipeline("shop", [stage…], { environments })`.
 * Data only: the runner (runner.ts) decides how a stage runs, through the engine's run API.
 */
import type { Vars } from "../inventory/model.js";
import type { Check } from "./checks.js";
import type { InputDefs, InputValues } from "./inputs.js";

/** Canary rollout: the first hosts, verified and baked, before the rest. */
export interface Canary {
  /** How many hosts go first: a count or a percentage of the selection ("10%"). */
  hosts: number | `${number}%`;
  /** How long to keep verifying the canary before the rest ("2m", "30s", "500ms"). Default none. */
  bake?: string;
  /** Checks during the bake (default: the stage's verify). */
  verify?: Check[];
  /** Pause between verifications during the bake (default 5 s). */
  every?: string;
}

interface StageBase<I extends InputDefs> {
  /** Number and name, e.g. "3-monitoring": the number orders stages, the whole id names them. */
  id: string;
  description?: string;
  inputs?: I;
  /** Pre-flight checks: all must pass on every selected host before anything is applied. */
  preflight?: Check[];
}

/** A stage that applies a site (plays) to hosts through the engine's run API. */
export interface SiteStage<I extends InputDefs = InputDefs> extends StageBase<I> {
  kind?: "site";
  /** Site file, relative to the pipeline file. */
  site: string;
  /** Extra vars from the inputs (default: every input by name). */
  vars?: (inputs: InputValues<I>) => Vars;
  /** Host pattern the run is limited to (default: the value of a `hosts` input, if any). */
  limit?: (inputs: InputValues<I>) => string | undefined;
  /** Checks after apply, on every applied host. */
  verify?: Check[];
  canary?: Canary;
  /** Rolling batches after the canary: a count or a percentage. */
  serial?: number | `${number}%`;
  tags?: string[];
  /** The input whose value names the stage's version (default "version"; else a hash of the inputs). */
  versionInput?: string;
}

/** A command line: argv, each word passed as is (no shell). Values may use the run's context. */
export type Argv = readonly string[] | ((c: ToolContext) => readonly string[]);

export interface ToolContext {
  /** Where the plan is saved: the plan command writes it (or its stdout is saved there); apply consumes it. */
  planFile: string;
  inputs: Record<string, unknown>;
  env: string;
}

/**
 * A stage that wraps an external tool with plan → (approve) → apply: Terraform/OpenTofu
 * (`plan -detailed-exitcode -out`, `apply PLAN`), `kubectl diff`/`apply`, or anything with that shape.
 */
export interface ToolStage<I extends InputDefs = InputDefs> extends StageBase<I> {
  kind: "tool";
  /** Working directory, relative to the pipeline file. */
  cwd?: string;
  plan: Argv;
  apply: Argv;
  /** Exit code of plan that means "changes pending" (Terraform: 2, kubectl diff: 1). Exit 0 means none; others fail. */
  changesExitCode?: number;
  /** Extra environment for both commands. */
  env?: Record<string, string>;
}

/** A stage that runs the project's own tests (e.g. against `bosun lab` hosts): a failure stops the pipeline. */
export interface TestStage<I extends InputDefs = InputDefs> extends StageBase<I> {
  kind: "test";
  cwd?: string;
  command: Argv;
  env?: Record<string, string>;
  timeoutMs?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: a pipeline mixes stages with different input types
export type Stage = SiteStage<any> | ToolStage<any> | TestStage<any>;

/** An environment: its inventory, vars and policy. */
export interface Environment {
  /** Inventory file (relative to the pipeline file), a name from bosun.toml [inventories], or "lab". */
  inventory: string;
  vars?: Vars;
  /** Ask before applying (non-interactive runs need --yes). */
  confirm?: boolean;
  /** Stages that may not run here directly, only by `pipeline promote` from another environment. */
  promoteOnly?: boolean;
  /** GitHub environment name for generated workflows (default: the environment's name). */
  github?: string;
}

export interface PipelineOptions {
  environments: Record<string, Environment>;
  /** Environment used when --env is not given (default: the first). */
  defaultEnv?: string;
}

const PIPELINE = Symbol.for("bosun.pipeline");

export interface Pipeline {
  readonly [PIPELINE]: true;
  name: string;
  stages: Stage[];
  environments: Record<string, Environment>;
  defaultEnv: string;
  /** Absolute path of the pipeline file (set when loaded). */
  file?: string;
}

/** Declares a site stage with typed inputs (inference of the inputs' types for vars/limit). */
export function stage<I extends InputDefs>(s: SiteStage<I>): SiteStage<I>;
export function stage<I extends InputDefs>(s: ToolStage<I>): ToolStage<I>;
export function stage<I extends InputDefs>(s: TestStage<I>): TestStage<I>;
export function stage(s: Stage): Stage {
  return s;
}

/** Declares a pipeline (export it as the pipeline file's default): numbered stages, environments. */
export function pipeline(name: string, stages: Stage[], opts: PipelineOptions): Pipeline {
  const envs = Object.keys(opts.environments);
  if (envs.length === 0) throw new Error(`pipeline ${name}: declare at least one environment`);
  const seen = new Set<string>();
  for (const s of stages) {
    if (!/^\d+-[a-z0-9][a-z0-9-]*$/.test(s.id)) throw new Error(`pipeline ${name}: stage id "${s.id}" must look like "3-monitoring"`);
    if (seen.has(s.id)) throw new Error(`pipeline ${name}: two stages are called "${s.id}"`);
    seen.add(s.id);
  }
  const defaultEnv = opts.defaultEnv ?? (envs[0] as string);
  if (!opts.environments[defaultEnv]) throw new Error(`pipeline ${name}: defaultEnv "${defaultEnv}" is not an environment`);
  return {
    [PIPELINE]: true,
    name,
    stages: [...stages].sort((a, b) => stageNumber(a) - stageNumber(b)),
    environments: opts.environments,
    defaultEnv,
  };
}

export function isPipeline(x: unknown): x is Pipeline {
  return typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[PIPELINE] === true;
}

/** Returns the number a stage id starts with ("3-monitoring" → 3). */
export function stageNumber(s: Stage): number {
  return Number.parseInt(s.id, 10);
}

export const stageKind = (s: Stage): "site" | "tool" | "test" => s.kind ?? "site";

/** Returns the stage's input declarations (typed: a pipeline's stages each have their own input types). */
export const stageInputs = (s: Stage): InputDefs => (s.inputs ?? {}) as InputDefs;
