import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { type Deployment, deploy, role } from "../../../src/engine/declare.js";
import { FactsAhead } from "../../../src/engine/facts-ahead.js";
import type { Gathered } from "../../../src/engine/host.js";
import type { RunOptions } from "../../../src/engine/run.js";
import type { HostFacts } from "../../../src/facts/host.js";
import { Inventory } from "../../../src/inventory/model.js";
import { command } from "../../../src/ops/command.js";
import { file } from "../../../src/ops/file.js";
import { runDep } from "./run-kit.js";

const root = mkdtempSync(path.join(os.tmpdir(), "bosun-ahead-"));
after(() => rmSync(root, { recursive: true, force: true }));

const inventory = Inventory.build({
  source: "test-inventory",
  vars: {},
  hosts: ["h1", "h2"].map((name, i) => ({
    name,
    vars: { bosun_connection: "local" },
    location: { file: "test-inventory", line: i + 1 },
  })),
  groups: [],
});

/** Runs dep on h1 and h2 (local); returns the exit code, each host's execs, each play's execs per host, and play two's plans. */
async function run(dep: Deployment, mode: RunOptions["mode"], factCache: Map<string, HostFacts>) {
  const { res, events, execs } = await runDep(dep, inventory, { mode, factCache });
  const perPlay = events.flatMap((e) => (e.type === "host_finished" ? [`${e.play} ${e.host} ${e.execs} ${e.status}`] : []));
  const planned = events.flatMap((e) => (e.type === "op_planned" && e.play === "two" ? [`${e.play} ${e.host} ${e.changed}`] : []));
  return { code: res.exitCode, execs, perPlay: perPlay.sort(), planned };
}

const writes = role("writes", (p: { path: string; content: string; only?: string }, ctx) => {
  if (!p.only || p.only === ctx.host) file(p.path, { content: p.content });
});

describe("facts gathered ahead for later plays", () => {
  it("makes a no-op run and a check run of two plays cost one exec per host", async () => {
    const d = mkdtempSync(path.join(root, "noop-"));
    const dep = deploy("site", [
      { name: "one", hosts: "all", roles: [writes({ path: `${d}/one`, content: "1\n" })] },
      { name: "two", hosts: "h2", roles: [writes({ path: `${d}/two`, content: "2\n" })] },
    ]);
    const cache = new Map<string, HostFacts>();
    assert.equal((await run(dep, "apply", cache)).code, 0);
    for (const mode of ["apply", "plan"] as const) {
      const r = await run(dep, mode, cache);
      assert.equal(r.code, 0);
      assert.deepEqual(r.execs, { h1: 1, h2: 1 }, mode);
      assert.deepEqual(r.perPlay, ["one h1 1 ok", "one h2 1 ok", "two h2 0 ok"], mode);
    }
  });

  it("are not used once an apply on any host changed something: the later play sees that change", async () => {
    const d = mkdtempSync(path.join(root, "change-"));
    // Play one writes the shared file on h1 only; play two wants the same file on h2. With facts
    // from before play one, h2 would plan a "create" and report a change that is not one.
    const dep = deploy("site", [
      { name: "one", hosts: "all", roles: [writes({ path: `${d}/shared`, content: "x\n", only: "h1" })] },
      { name: "two", hosts: "h2", roles: [writes({ path: `${d}/shared`, content: "x\n" })] },
    ]);
    const r = await run(dep, "apply", new Map());
    assert.equal(r.code, 0);
    assert.deepEqual(r.perPlay, ["one h1 2 changed", "one h2 1 ok", "two h2 1 ok"]);
    // Planned from fresh facts: nothing to do (stale ones would plan a create, and an apply the host then finds unneeded).
    assert.deepEqual(r.planned, ["two h2 false"]);
  });

  it("are not used after a failed apply either", async () => {
    const d = mkdtempSync(path.join(root, "fail-"));
    const fails = role("fails", (_p: undefined, ctx) => {
      if (ctx.host === "h1") command("exit 3", { name: "fails" });
    });
    const dep = deploy("site", [
      { name: "one", hosts: "all", roles: [fails()] },
      { name: "two", hosts: "h2", roles: [writes({ path: `${d}/two`, content: "2\n" })] },
    ]);
    const r = await run(dep, "apply", new Map());
    assert.equal(r.code, 1);
    assert.ok(r.perPlay.includes("two h2 2 changed"), r.perPlay.join("\n"));
  });
});

describe("FactsAhead", () => {
  const g: Gathered = { host: {} as HostFacts, values: new Map([["k", 1]]) };
  it("gives a host's facts for a play once, while nothing changed", () => {
    const a = new FactsAhead();
    a.keep("h", 1, g, a.stamp);
    assert.equal(a.take("h", 1), g);
    assert.equal(a.take("h", 1), undefined);
  });
  it("gives nothing for facts gathered before a change", () => {
    const a = new FactsAhead();
    const stamp = a.stamp;
    a.changed();
    a.keep("h", 1, g, stamp);
    assert.equal(a.take("h", 1), undefined);
  });
  it("forgets a host that left the run", () => {
    const a = new FactsAhead();
    a.keep("h", 1, g, a.stamp);
    a.drop("h");
    assert.equal(a.take("h", 1), undefined);
  });
});
