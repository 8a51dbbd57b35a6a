import { open, readFile, rm } from "node:fs/promises";
import { pidAlive, sleep } from "./proc.js";

/** Who holds a lock: written into the lock file as JSON. */
export interface LockHolder {
  pid: number;
  since: string;
  /** What the holder is doing, for the message another process shows ("bosun apply site.ts"). */
  what?: string;
}

export interface LockOptions {
  /** How long to wait for a live holder before giving up (0: fail at once). */
  waitMs?: number;
  what?: string;
  /** Called when a lock left by a dead process is taken over. */
  onStale?: (holder: LockHolder) => void;
}

/** Thrown when a live process holds the lock past the wait. */
export class LockBusyError extends Error {
  constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {
    super(`locked by pid ${holder.pid}${holder.what ? ` (${holder.what})` : ""} since ${holder.since}: ${file}`);
    this.name = "LockBusyError";
  }
}

/** Returns who holds a lock file, or undefined (free, or being written). */
export async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    const h = JSON.parse(await readFile(file, "utf8")) as LockHolder;
    return Number.isInteger(h.pid) ? h : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes an exclusive lock file (O_EXCL create, holder's PID inside) and returns its release function.
 * A lock whose holder is dead (or unreadable for long) is taken over; a live holder is waited for up
 * to waitMs, then LockBusyError names it.
 */
export async function acquireLock(file: string, opts: LockOptions = {}): Promise<() => Promise<void>> {
  const deadline = Date.now() + (opts.waitMs ?? 0);
  const me: LockHolder = { pid: process.pid, since: new Date().toISOString(), ...(opts.what ? { what: opts.what } : {}) };
  let unreadableSince: number | undefined;
  for (;;) {
    try {
      const fh = await open(file, "wx", 0o644);
      try {
        await fh.writeFile(`${JSON.stringify(me)}\n`);
      } finally {
        await fh.close();
      }
      return async () => {
        const h = await readHolder(file);
        if (h?.pid === process.pid) await rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = await readHolder(file);
    // A holder between create and write shows an empty file for a moment; only a long-unreadable one is stale.
    if (!holder) unreadableSince ??= Date.now();
    const stale = holder ? !pidAlive(holder.pid) : Date.now() - (unreadableSince ?? Date.now()) > 2000;
    if (stale) {
      if (holder) opts.onStale?.(holder);
      await rm(file, { force: true });
      continue;
    }
    if (holder && Date.now() >= deadline) throw new LockBusyError(file, holder);
    await sleep(100);
  }
}

/** Runs fn holding the lock file; releases it however fn ends. */
export async function withLock<T>(file: string, opts: LockOptions, fn: () => Promise<T>): Promise<T> {
  const release = await acquireLock(file, opts);
  try {
    return await fn();
  } finally {
    await release();
  }
}
