/** Status and history views over the version store: rows the CLI prints and the server serves. */
import type { Pipeline } from "./define.js";
import { type StageRun, VersionStore } from "./versions.js";

export interface StatusRow {
  env: string;
  stage: string;
  host: string;
  version: string;
  inputs: Record<string, unknown>;
  at: string;
  by: string;
  result: string;
}

/** Returns per environment, stage and host what runs there now (version, inputs, when, by whom, result). */
export async function statusRows(p: Pipeline, stateDir: string, envs: readonly string[]): Promise<StatusRow[]> {
  const store = new VersionStore(stateDir, p.name);
  const rows: StatusRow[] = [];
  for (const env of envs)
    for (const s of p.stages) {
      const st = await store.read(env, s.id);
      const last = st.history.at(-1);
      for (const [host, v] of Object.entries(st.hosts))
        rows.push({ env, stage: s.id, host, ...v, result: last?.hosts[host]?.status ?? v.result });
    }
  return rows;
}

/** Returns stage runs of the environments, oldest first (optionally of one stage). */
export async function historyRuns(p: Pipeline, stateDir: string, envs: readonly string[], stage?: string): Promise<StageRun[]> {
  const store = new VersionStore(stateDir, p.name);
  const all: StageRun[] = [];
  for (const env of envs) for (const s of p.stages) if (!stage || s.id === stage) all.push(...(await store.read(env, s.id)).history);
  return all.sort((a, b) => a.at.localeCompare(b.at));
}
