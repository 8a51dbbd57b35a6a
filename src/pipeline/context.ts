/** What a pipeline run needs from its caller (the CLI, a CI job, the server), and the events it emits. */
import type { LoadedConfig } from "../config/load.js";
import type { RunEvent, RunOrigin } from "../core/events.js";
import type { Inventory } from "../inventory/model.js";
import type { ConnectionSpec } from "../transport/spec.js";
import type { KeyProvider } from "../vault/vars.js";
import type { Probes } from "./checks.js";
import type { Pipeline } from "./define.js";
import type { StageResult } from "./versions.js";

export type PipelineEvent =
  | RunEvent
  | { type: "stage_started"; stage: string; env: string; kind: string; inputs: Record<string, unknown>; version: string; hosts: string[] }
  | { type: "batch_started"; stage: string; batch: "canary" | "rest" | "all" | "rollback"; hosts: string[]; version: string }
  | {
      type: "check_result";
      phase: "preflight" | "verify" | "bake";
      host: string;
      check: string;
      ok: boolean;
      attempts: number;
      error?: string;
    }
  | { type: "canary_rolled_back"; stage: string; hosts: string[]; to: Record<string, string> }
  | { type: "tool_output"; stage: string; step: "plan" | "apply" | "test"; output: string; exit_code: number; changes?: boolean }
  | { type: "stage_finished"; stage: string; env: string; result: StageResult; exit_code: number; note?: string };

export interface PipelineContext {
  pipeline: Pipeline;
  config: LoadedConfig;
  vaultKeys?: KeyProvider;
  stateDir: string;
  ssh: {
    connectTimeoutS: number;
    acceptNewHostKeys: boolean;
    controlPersistS: number;
    retries: number;
    transport?: "openssh" | "ssh2";
    maxHandshakes: number;
  };
  forks: number;
  /** Resolves an environment's inventory reference (a file relative to the pipeline, a bosun.toml name, "lab"). */
  loadInventory(ref: string): Promise<Inventory>;
  /** Returns the reference the run API loads the same inventory from (pipeline-relative paths made absolute). */
  inventoryRef(ref: string): string;
  probes: Probes;
  /** -e vars: on top of the environment's and the stage's (connection settings in CI, for one). */
  extraVars: Record<string, unknown>;
  /** -l: a host pattern every stage's selection is further limited to. */
  limit?: string;
  /** Asks a person; undefined when not interactive. */
  ask?: (question: string) => Promise<boolean>;
  /** --yes: the environment's confirmation is given. */
  yes: boolean;
  by: string;
  /** How the run was started: "pipeline" from the CLI, "ci" from a CI job, "server". */
  via: RunOrigin["via"];
  commit?: string;
  typecheck: boolean;
  specOverride?: (s: ConnectionSpec) => ConnectionSpec;
  signal?: AbortSignal;
  emit(e: PipelineEvent): void;
}
