/**
 * Runs in progress, one marker file each (`active/<run id>.json`: the owner's PID and the run's
 * run_started event). A run removes its marker once its record is in runs.jl; a marker whose owner
 * is dead is a run that a kill -9 (or a crash) cut short, and is recorded as interrupted on the next
 * start (src/engine/orphan-runs.ts).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { RunEvent } from "../core/events.js";

export type RunStarted = Extract<RunEvent, { type: "run_started" }>;

export interface ActiveRun {
  pid: number;
  started: RunStarted;
}

const dirOf = (stateDir: string) => path.join(stateDir, "active");
const fileOf = (stateDir: string, id: string) => path.join(dirOf(stateDir), `${id.replace(/[^\w-]/g, "_")}.json`);

/** Marks a run as in progress in this process (synchronous: it is on disk before the first host is touched). */
export function markActive(stateDir: string, started: RunStarted): void {
  mkdirSync(dirOf(stateDir), { recursive: true, mode: 0o700 });
  writeFileSync(fileOf(stateDir, started.id), `${JSON.stringify({ pid: process.pid, started } satisfies ActiveRun)}\n`, { mode: 0o600 });
}

/** Removes a run's marker (its record is written). */
export function clearActive(stateDir: string, id: string): void {
  rmSync(fileOf(stateDir, id), { force: true });
}

/** Returns every marker; an unreadable one (torn write) is skipped. */
export function activeRuns(stateDir: string): ActiveRun[] {
  let names: string[];
  try {
    names = readdirSync(dirOf(stateDir)).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  const out: ActiveRun[] = [];
  for (const n of names) {
    try {
      const a = JSON.parse(readFileSync(path.join(dirOf(stateDir), n), "utf8")) as ActiveRun;
      if (Number.isInteger(a.pid) && a.started?.id) out.push(a);
    } catch {
      /* torn marker */
    }
  }
  return out;
}
