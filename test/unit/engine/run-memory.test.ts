import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { RunEvent } from "../../../src/core/events.js";
import { deploy, role } from "../../../src/engine/declare.js";
import { runDeployment } from "../../../src/engine/run.js";
import { Inventory } from "../../../src/inventory/model.js";
import { file } from "../../../src/ops/file.js";
import { TransportPool } from "../../../src/transport/pool.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let root: string;
before(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "bosun-memory-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

const HOSTS = ["h1", "h2", "h3"];

/** Weak references to the op each host's plan holds, by host (the plan is let go ⇔ the op can be collected). */
let planned = new Map<string, WeakRef<object>>();
const big = role("big", (_: undefined, ctx) => {
  const op = file(path.join(root, `${ctx.host}-big`), { content: `${"x".repeat(64 * 1024)}${ctx.host}\n` });
  planned.set(ctx.host, new WeakRef(op));
});

function inventory(): Inventory {
  return Inventory.build({
    source: "test-inventory",
    vars: {},
    hosts: HOSTS.map((name, i) => ({ name, vars: { bosun_connection: "local" }, location: { file: "test-inventory", line: i + 1 } })),
    groups: [],
  });
}

/**
 * Runs one play over h1..h3 one host at a time and, as the last host finishes, returns which hosts'
 * plans are still held in memory and which connections are still open.
 */
async function atLastHost(mode: "plan" | "apply") {
  planned = new Map();
  const pool = await TransportPool.create();
  let seen: { plansHeld: string[]; open: string[] } | undefined;
  const emit = (e: RunEvent) => {
    if (e.type !== "host_finished" || e.host !== "h3") return;
    gc();
    seen = { plansHeld: [...planned].filter(([, r]) => r.deref() !== undefined).map(([h]) => h), open: pool.held() };
  };
  try {
    const res = await runDeployment(deploy("site", [{ name: "big", hosts: "all", serial: 1, roles: [big()] }]), {
      mode,
      site: path.join(root, "site.ts"),
      inventory: inventory(),
      filter: {},
      extraVars: {},
      forks: 3,
      pool,
      factCache: new Map(),
      emit,
      interrupted: () => false,
    });
    assert.equal(res.exitCode, 0);
    assert.deepEqual(Object.keys(res.execs).sort(), HOSTS, "exec counts outlive the released connections");
  } finally {
    await pool.closeAll();
  }
  assert.ok(seen, "h3 finished");
  return seen;
}

describe("runDeployment: per-host memory", () => {
  it("lets go of a host's plan once it finished a check run, while the other hosts are still reported", async () => {
    const { plansHeld, open } = await atLastHost("plan");
    assert.deepEqual(
      plansHeld.filter((h) => h !== "h3"),
      [],
    );
    assert.deepEqual(open, ["h3"], "h1 and h2 are done with the last play: their connections are closed");
  });

  it("lets go of a host's plan and connection once it is applied, before the play's later batches end", async () => {
    const { plansHeld, open } = await atLastHost("apply");
    assert.deepEqual(
      plansHeld.filter((h) => h !== "h3"),
      [],
    );
    assert.deepEqual(open, ["h3"]);
  });
});
