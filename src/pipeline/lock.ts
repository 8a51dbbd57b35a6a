import { mkdir } from "node:fs/promises";
import path from "node:path";
import { BosunError } from "../errors.js";
import { logger } from "../log.js";
import { LockBusyError, withLock } from "../util/lock.js";

const log = logger("pipeline");

/** A second run of the same environment and stage while one is in progress. */
export class StageLockedError extends BosunError {}

/** Returns the lock file of (pipeline, environment, stage) under the state dir: shared by every process on the controller. */
export function stageLockFile(stateDir: string, pipeline: string, env: string, stage: string): string {
  return path.join(stateDir, "locks", "pipelines", pipeline, env, `${stage}.lock`);
}

/**
 * Runs fn holding the (environment, stage) lock. A live holder makes the run fail at once, naming
 * it; a lock left by a dead process is taken over, and that is logged.
 */
export async function lockStage<T>(
  stateDir: string,
  pipeline: string,
  env: string,
  stage: string,
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  const file = stageLockFile(stateDir, pipeline, env, stage);
  await mkdir(path.dirname(file), { recursive: true });
  try {
    return await withLock(
      file,
      { what, onStale: (h) => log.warn("took over a lock left by a dead process", { file, pid: h.pid, what: h.what ?? "" }) },
      fn,
    );
  } catch (err) {
    if (err instanceof LockBusyError && err.file === file)
      throw new StageLockedError(
        `${env}/${stage} is being run by pid ${err.holder.pid}${err.holder.what ? ` (${err.holder.what})` : ""} since ${err.holder.since}: refusing a second run`,
      );
    throw err;
  }
}
