import { ConnectionError } from "../errors.js";
import type { Inventory, Vars } from "../inventory/model.js";
import { logger } from "../log.js";
import { mapLimit, type TransportPool } from "../transport/pool.js";
import { type ConnectionSpec, connectionFromVars } from "../transport/spec.js";
import type { Transport } from "../transport/types.js";

const log = logger("run");

export type HostStatus = "ok" | "failed" | "unreachable";

export interface HostOutcome<T> {
  host: string;
  address: string;
  status: HostStatus;
  value?: T;
  /** Why the host failed or was unreachable. */
  error?: string;
  durationMs: number;
}

export interface HostTargets {
  inventory: Inventory;
  hosts: string[];
  extraVars?: Vars;
  /** Applied to every host's connection spec (e.g. --user, --become, a prompted become password). */
  override?: (spec: ConnectionSpec) => ConnectionSpec;
}

/** Returns the connection spec of each selected host from its merged vars. */
export function connectionSpecs(t: HostTargets): ConnectionSpec[] {
  return t.hosts.map((h) => {
    const spec = connectionFromVars(h, t.inventory.varsFor(h, t.extraVars));
    return t.override ? t.override(spec) : spec;
  });
}

/**
 * Runs fn on every host with at most `forks` hosts in flight. A ConnectionError makes the host
 * "unreachable", any other error "failed"; fn decides itself whether its value means failure.
 * Other hosts always go on. onDone is called as each host finishes (live output).
 */
export async function forEachHost<T>(
  specs: ConnectionSpec[],
  pool: TransportPool,
  forks: number,
  fn: (t: Transport, spec: ConnectionSpec) => Promise<{ value: T; failed?: boolean }>,
  onDone?: (o: HostOutcome<T>) => void,
): Promise<HostOutcome<T>[]> {
  return mapLimit(specs, forks, async (spec) => {
    const start = Date.now();
    let outcome: HostOutcome<T>;
    try {
      const t = pool.get(spec);
      await t.connect();
      const r = await fn(t, spec);
      outcome = {
        host: spec.name,
        address: spec.address,
        status: r.failed ? "failed" : "ok",
        value: r.value,
        durationMs: Date.now() - start,
      };
    } catch (err) {
      const unreachable = err instanceof ConnectionError;
      outcome = {
        host: spec.name,
        address: spec.address,
        status: unreachable ? "unreachable" : "failed",
        error: (err as Error).message,
        durationMs: Date.now() - start,
      };
      log.debug("host did not complete", { host: spec.name, status: outcome.status, error: outcome.error });
    }
    onDone?.(outcome);
    return outcome;
  });
}

/** Returns the process exit code for a set of outcomes: 1 if any failed, else 4 if any unreachable, else 0. */
export function exitCodeOf(outcomes: HostOutcome<unknown>[]): number {
  if (outcomes.some((o) => o.status === "failed")) return 1;
  if (outcomes.some((o) => o.status === "unreachable")) return 4;
  return 0;
}
