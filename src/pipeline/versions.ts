/**
 * The version store: per pipeline, environment and stage, every stage run (inputs, version, result,
 * per-host outcome) and, per host, the last inputs that were applied successfully. One JSON file per
 * (environment, stage), written atomically under that stage's run lock, so there is one writer.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../util/fs.js";
import { redact } from "../vault/redact.js";

export type StageResult = "ok" | "failed" | "rolled-back" | "canary-rolled-back" | "refused" | "planned";

export interface StageRun {
  /** Ids of the engine runs (runs.jl) this stage run started, in order. */
  runIds: string[];
  stage: string;
  env: string;
  at: string;
  by: string;
  via: string;
  inputs: Record<string, unknown>;
  version: string;
  result: StageResult;
  /** What went wrong or what happened instead (failed checks, the canary's rollback). */
  note?: string;
  kind: "apply" | "rollback" | "promote";
  shard?: { k: number; n: number };
  commit?: string;
  hosts: Record<string, { status: string; version: string }>;
  checks?: { host: string; check: string; ok: boolean; error?: string }[];
}

export interface HostVersion {
  version: string;
  inputs: Record<string, unknown>;
  at: string;
  by: string;
  result: string;
}

export interface StageState {
  history: StageRun[];
  /** Per host: what it runs now (the last successful apply or rollback). */
  hosts: Record<string, HostVersion>;
}

/** Returns the version name of a set of inputs: the version input's value, else a short hash of the inputs. */
export function versionOf(inputs: Record<string, unknown>, versionInput = "version"): string {
  const v = inputs[versionInput];
  if (typeof v === "string" && v) return v;
  const keys = Object.keys(inputs).sort();
  const text = JSON.stringify(keys.map((k) => [k, inputs[k]]));
  return `inputs-${createHash("sha256").update(text).digest("hex").slice(0, 8)}`;
}

export class VersionStore {
  constructor(
    readonly stateDir: string,
    readonly pipeline: string,
  ) {}

  file(env: string, stage: string): string {
    return path.join(this.stateDir, "pipelines", this.pipeline, env, `${stage}.json`);
  }

  async read(env: string, stage: string): Promise<StageState> {
    try {
      return JSON.parse(await readFile(this.file(env, stage), "utf8")) as StageState;
    } catch {
      return { history: [], hosts: {} };
    }
  }

  /** Appends a stage run and moves each host that succeeded to the run's inputs. */
  async record(run: StageRun, hostInputs: Record<string, Record<string, unknown>> = {}): Promise<StageState> {
    const s = await this.read(run.env, run.stage);
    s.history.push(run);
    for (const [h, r] of Object.entries(run.hosts)) {
      if (r.status === "failed" || r.status === "unreachable" || r.status === "skipped") continue;
      s.hosts[h] = { version: r.version, inputs: hostInputs[h] ?? run.inputs, at: run.at, by: run.by, result: run.result };
    }
    await writeFileAtomic(this.file(run.env, run.stage), `${redact(JSON.stringify(s, null, 1))}\n`, 0o600);
    return s;
  }
}

const findLast = <T>(xs: readonly T[], f: (x: T) => boolean): T | undefined => [...xs].reverse().find(f);

/** Returns the last successful run's inputs (what the stage runs now), or undefined. */
export function currentRun(s: StageState): StageRun | undefined {
  return findLast(s.history, (r) => r.result === "ok" || r.result === "rolled-back");
}

/**
 * Returns the run to roll back to: with `to`, the last successful run of that version; else the last
 * successful run before the current one whose version differs from it.
 */
export function rollbackTarget(s: StageState, to?: string): StageRun | undefined {
  const ok = s.history.filter((r) => r.result === "ok" || r.result === "rolled-back");
  if (to !== undefined) return findLast(ok, (r) => r.version === to);
  const current = ok.at(-1);
  if (!current) return undefined;
  return findLast(ok.slice(0, -1), (r) => r.version !== current.version);
}
