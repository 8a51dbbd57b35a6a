/**
 * Reconciles runs whose process died (kill -9, a crash, a power cut): each active marker whose owner
 * PID is gone becomes a runs.jl record marked interrupted (exit 130), so no run that started is
 * silently missing from the audit log. Every run start and every server start does this first.
 */
import { logger } from "../log.js";
import { activeRuns, clearActive } from "../store/active.js";
import { RunRecorder } from "../store/recorder.js";
import { type RunRecord, Store } from "../store/runs.js";
import { pidAlive } from "../util/proc.js";
import { withStateLock } from "./run-lock.js";

const log = logger("runs");

/** Appends an interrupted record for every run whose owner is dead; returns those records. */
export async function recordDeadRuns(stateDir: string): Promise<RunRecord[]> {
  const dead = activeRuns(stateDir).filter((a) => a.pid !== process.pid && !pidAlive(a.pid));
  if (dead.length === 0) return [];
  const store = new Store(stateDir);
  const known = new Set((await store.runs()).map((r) => r.id));
  const out: RunRecord[] = [];
  await withStateLock(stateDir, async () => {
    for (const a of dead) {
      // A process can die after appending its record and before removing its marker: never record twice.
      if (!known.has(a.started.id)) {
        const rec = new RunRecorder();
        rec.handle(a.started);
        rec.handle({ type: "interrupted", signal: "process died" });
        const record = { ...rec.record(), aborted: `the process running it (pid ${a.pid}) died before it ended` };
        await store.appendRun(record);
        out.push(record);
        log.warn("recorded a run whose process died as interrupted", { run: a.started.id, pid: a.pid, site: a.started.site });
      }
      clearActive(stateDir, a.started.id);
    }
  });
  return out;
}
