import type { RunEvent } from "../../../src/core/events.js";
import type { Deployment } from "../../../src/engine/declare.js";
import { type RunOptions, runDeployment } from "../../../src/engine/run.js";
import type { Inventory } from "../../../src/inventory/model.js";
import { TransportPool } from "../../../src/transport/pool.js";

/** Runs dep (apply unless o says otherwise) and returns its result, every event, and the execs each host ran (from the pool). */
export async function runDep(dep: Deployment, inventory: Inventory, o: Partial<RunOptions> = {}) {
  const pool = await TransportPool.create();
  const events: RunEvent[] = [];
  try {
    const res = await runDeployment(dep, {
      mode: "apply",
      site: "site.ts",
      inventory,
      filter: {},
      extraVars: {},
      forks: 5,
      pool,
      factCache: new Map(),
      emit: (e) => events.push(e),
      interrupted: () => false,
      ...o,
    });
    return { res, events, execs: pool.execCounts() };
  } finally {
    await pool.closeAll();
  }
}
