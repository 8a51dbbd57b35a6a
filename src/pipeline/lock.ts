/**
 * The one lock of a pipeline stage. A stage run takes the run API's lock for `stageLockKey` before its
 * pre-flight and keeps it through every batch (canary, rest, rollback), verify and the version
 * record; the engine runs inside it are told they run under it (runSite `lockHeld`) and check it is
 * theirs instead of taking it again. The CLI, CI jobs and the server all lock the same file under the
 * state dir, so a second run of the same environment and stage is refused at once, naming the holder;
 * a lock left by a dead process is taken over, and that is logged. See docs/pipelines.md "Locks".
 */
import { acquireRunLock, RunLockBusyError, runLockFile } from "../engine/run-lock.js";
import { BosunError } from "../errors.js";
import type { PipelineContext } from "./context.js";

/** A second run of the same environment and stage while one is in progress. */
export class StageLockedError extends BosunError {}

/** Returns the run-lock key of (pipeline, environment, stage): what the stage and its engine runs share. */
export const stageLockKey = (pipeline: string, env: string, stage: string): string => `pipeline/${pipeline}/${env}/${stage}`;

/** Returns the lock file of (pipeline, environment, stage) under the state dir: shared by every process on the controller. */
export function stageLockFile(stateDir: string, pipeline: string, env: string, stage: string): string {
  return runLockFile(stateDir, stageLockKey(pipeline, env, stage));
}

/** Runs fn holding the (environment, stage) lock; a live holder makes the run fail at once, naming it. */
export async function lockStage<T>(
  ctx: Pick<PipelineContext, "stateDir" | "pipeline" | "via" | "by">,
  env: string,
  stage: string,
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  let release: () => Promise<void>;
  try {
    release = await acquireRunLock(ctx.stateDir, stageLockKey(ctx.pipeline.name, env, stage), `${what}, via ${ctx.via} by ${ctx.by}`);
  } catch (err) {
    if (!(err instanceof RunLockBusyError)) throw err;
    const h = err.holder;
    throw new StageLockedError(
      `${env}/${stage} is being run by pid ${h.pid}${h.what ? ` (${h.what})` : ""} since ${h.since}: refusing a second run`,
    );
  }
  try {
    return await fn();
  } finally {
    await release();
  }
}
