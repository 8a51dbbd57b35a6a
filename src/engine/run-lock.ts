import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { BosunError } from "../errors.js";
import { logger } from "../log.js";
import { acquireLock, LockBusyError, type LockHolder, readHolder, withLock } from "../util/lock.js";

const log = logger("lock");

/** Returns the lock file for a run key (site path, or `${env}/${stage}`) under the state dir. */
export function runLockFile(stateDir: string, key: string): string {
  const readable = key.replace(/[^A-Za-z0-9._-]+/g, "_").slice(-60);
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 12);
  return path.join(stateDir, "locks", `${readable}.${hash}.lock`);
}

/** A run lock that is held: another run with the same key refuses or waits until it is released. */
export class RunLockBusyError extends BosunError {
  constructor(
    message: string,
    readonly holder: LockHolder,
  ) {
    super(message);
  }
}

/**
 * Takes the run lock for key (one run per state dir and key at a time); a lock left by a dead
 * process is taken over. waitMs 0 refuses at once, naming the holder. Returns the release function.
 */
export async function acquireRunLock(stateDir: string, key: string, what: string, waitMs = 0): Promise<() => Promise<void>> {
  const file = runLockFile(stateDir, key);
  await mkdir(path.dirname(file), { recursive: true });
  try {
    return await acquireLock(file, {
      waitMs,
      what,
      onStale: (h) => log.warn("took over a run lock whose holder is gone", { pid: h.pid, since: h.since, what: h.what }),
    });
  } catch (err) {
    if (!(err instanceof LockBusyError)) throw err;
    const h = err.holder;
    throw new RunLockBusyError(
      `another run holds the lock for ${key}: pid ${h.pid}${h.what ? ` (${h.what})` : ""} since ${h.since}${waitMs ? ` (waited ${Math.round(waitMs / 1000)} s)` : ""}; lock file ${file}`,
      h,
    );
  }
}

/** Runs fn holding the state dir's short lock (state.json and facts.json are read-modify-written under it). */
export function withStateLock<T>(stateDir: string, fn: () => Promise<T>): Promise<T> {
  return withLock(path.join(stateDir, "state.lock"), { waitMs: 60_000, what: "updating state.json" }, fn);
}

/**
 * Throws unless this process holds the run lock for key: a caller that says it took the lock
 * (a pipeline stage holds it around pre-flight, batches and verify) must really hold it.
 */
export async function checkRunLockHeld(stateDir: string, key: string): Promise<void> {
  const file = runLockFile(stateDir, key);
  const h = await readHolder(file);
  if (h?.pid !== process.pid)
    throw new BosunError(
      `the run lock for ${key} is not held by this process (${h ? `pid ${h.pid} holds it` : "nobody holds it"}): ${file}`,
    );
}
