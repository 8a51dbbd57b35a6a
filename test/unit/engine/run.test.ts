import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { handler } from "../../../src/core/collector.js";
import type { RunEvent } from "../../../src/core/events.js";
import { type Deployment, deploy, type Play, role } from "../../../src/engine/declare.js";
import type { HostFacts } from "../../../src/facts/host.js";
import { Inventory, type Vars } from "../../../src/inventory/model.js";
import { command } from "../../../src/ops/command.js";
import { directory } from "../../../src/ops/directory.js";
import { file } from "../../../src/ops/file.js";
import { runDep } from "./run-kit.js";

let root: string;
before(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "bosun-run-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

let fresh = 0;
/** Returns an inventory of hosts h1 and h2 on the local connection, each with its own empty dir (var `dir`). */
function twoHosts(extra: Record<string, Vars> = {}): { inventory: Inventory; dirs: { h1: string; h2: string } } {
  const base = path.join(root, `case${++fresh}`);
  const dirs = { h1: path.join(base, "h1"), h2: path.join(base, "h2") };
  mkdirSync(base, { recursive: true });
  const inventory = Inventory.build({
    source: "test-inventory",
    vars: {},
    hosts: (["h1", "h2"] as const).map((name, i) => ({
      name,
      vars: { bosun_connection: "local", dir: dirs[name], ...extra[name] },
      location: { file: "test-inventory", line: i + 1 },
    })),
    groups: [],
  });
  return { inventory, dirs };
}

const run = runDep;

/** Returns the events of one type (narrowed), optionally for one host. */
function ofType<T extends RunEvent["type"]>(events: RunEvent[], type: T, host?: string): Extract<RunEvent, { type: T }>[] {
  return events.filter(
    (e): e is Extract<RunEvent, { type: T }> => e.type === type && (host === undefined || ("host" in e && e.host === host)),
  );
}

/** Returns the types of a host's events, in order. */
const hostTypes = (events: RunEvent[], host: string) => events.filter((e) => "host" in e && e.host === host).map((e) => e.type);

const dirOf = (ctx: { vars: Vars }) => ctx.vars.dir as string;

/** A role with a directory and n-1 files in it; the first file notifies a handler that logs each run. */
const files = role("files", (p: { n: number }, ctx) => {
  const d = dirOf(ctx);
  directory(d);
  for (let i = 1; i < p.n; i++) file(`${d}/f${i}.txt`, { content: `file ${i}\n`, notify: i === 1 ? "log" : undefined });
  handler("log", () => void command(`echo ran >> ${d}/handler.log`, { name: "log handler" }));
});

/** The same, reading a host fact (so its first evaluation needs the host facts). */
const factFiles = role("fact-files", (p: { n: number }, ctx) => {
  const d = dirOf(ctx);
  directory(d);
  for (let i = 1; i < p.n; i++) file(`${d}/f${i}.txt`, { content: `${ctx.facts.os} ${i}\n` });
});

const OPS = 35;

describe("runDeployment: event stream", () => {
  it("emits run_started, play_started, then per host facts, plans, apply, changes and finish, and ends with the recap", async () => {
    const { inventory } = twoHosts();
    const dep = deploy("site", [{ name: "files", hosts: "all", roles: [files({ n: 3 })] }]);
    const { res, events } = await run(dep, inventory);
    assert.equal(res.exitCode, 0);
    const first = events[0];
    assert.equal(first?.type, "run_started");
    assert.ok(
      first?.type === "run_started" && first.mode === "apply" && first.deployment === "site" && first.inventory === "test-inventory",
    );
    assert.deepEqual(events[1], { type: "play_started", play: "files", index: 0, hosts: ["h1", "h2"] });
    for (const h of ["h1", "h2"]) {
      assert.deepEqual(hostTypes(events, h), [
        "host_started",
        "op_planned",
        "op_planned",
        "op_planned",
        "host_started",
        "op_changed",
        "op_changed",
        "op_changed",
        "handler_ran",
        "host_finished",
      ]);
      assert.deepEqual(
        ofType(events, "host_started", h).map((e) => e.phase),
        ["facts", "apply"],
      );
      const planned = ofType(events, "op_planned", h);
      assert.deepEqual(
        planned.map((e) => [e.index, e.op, e.changed, e.summary]),
        [
          [0, `directory ${inventory.varsFor(h).dir}`, true, "create"],
          [1, `file ${inventory.varsFor(h).dir}/f1.txt`, true, "create (7 bytes)"],
          [2, `file ${inventory.varsFor(h).dir}/f2.txt`, true, "create (7 bytes)"],
        ],
      );
      assert.match(planned[1]?.diff ?? "", /^\+file 1$/m);
      assert.deepEqual(
        ofType(events, "op_changed", h).map((e) => e.index),
        [0, 1, 2],
      );
      assert.deepEqual(
        ofType(events, "handler_ran", h).map((e) => [e.handler, e.changed, e.failed]),
        [["log", true, false]],
      );
      const fin = ofType(events, "host_finished", h)[0];
      assert.equal(fin?.status, "changed");
      // 3 ops changed, as planned; the handler run is counted apart.
      assert.deepEqual(fin?.counts, { ok: 0, changed: 3, failed: 0, skipped: 0, handlers: 1, unreachable: false });
      assert.equal(readFileSync(`${inventory.varsFor(h).dir}/handler.log`, "utf8"), "ran\n");
    }
    const last = events.at(-1);
    assert.deepEqual(last?.type === "recap" && { ...last, duration_ms: 0 }, {
      type: "recap",
      hosts: {
        h1: { ok: 0, changed: 3, failed: 0, skipped: 0, handlers: 1, unreachable: false },
        h2: { ok: 0, changed: 3, failed: 0, skipped: 0, handlers: 1, unreachable: false },
      },
      exit_code: 0,
      duration_ms: 0,
    });
    assert.deepEqual(res.status, { h1: "changed", h2: "changed" });
    assert.equal(res.changedOps.h1?.length, 4, "3 ops and the handler");
  });

  it("reports a re-run as ok: ops planned unchanged, no apply phase, no handler", async () => {
    const { inventory } = twoHosts();
    const dep = deploy("site", [{ hosts: "all", roles: [files({ n: 3 })] }]);
    await run(dep, inventory);
    const { res, events } = await run(dep, inventory);
    assert.equal(res.exitCode, 0);
    assert.deepEqual(hostTypes(events, "h1"), ["host_started", "op_planned", "op_planned", "op_planned", "host_finished"]);
    assert.ok(ofType(events, "op_planned").every((e) => !e.changed));
    assert.deepEqual(ofType(events, "play_started")[0]?.play, "play 1 (all)");
    const last = events.at(-1);
    assert.ok(last?.type === "recap");
    assert.deepEqual(last.hosts.h2, { ok: 3, changed: 0, failed: 0, skipped: 0, handlers: 0, unreachable: false });
    assert.equal(readFileSync(`${inventory.varsFor("h1").dir}/handler.log`, "utf8"), "ran\n");
  });
});

describe("runDeployment: execs per host on a play of 35 ops", () => {
  const execsFinished = (events: RunEvent[]) => Object.fromEntries(ofType(events, "host_finished").map((e) => [e.host, e.execs]));

  it("plans with 1 exec, applies changes with 2 (handlers included), re-runs with 1", async () => {
    const { inventory, dirs } = twoHosts();
    const dep = deploy("site", [{ hosts: "all", roles: [files({ n: OPS })] }]);

    const plan = await run(dep, inventory, { mode: "plan" });
    assert.deepEqual(plan.execs, { h1: 1, h2: 1 });
    assert.deepEqual(execsFinished(plan.events), { h1: 1, h2: 1 });
    assert.equal(ofType(plan.events, "op_planned", "h1").length, OPS);
    assert.equal(existsSync(dirs.h1), false, "plan changes nothing");

    const apply = await run(dep, inventory);
    assert.deepEqual(apply.execs, { h1: 2, h2: 2 });
    assert.deepEqual(execsFinished(apply.events), { h1: 2, h2: 2 });
    assert.equal(ofType(apply.events, "op_changed", "h2").length, OPS);
    assert.equal(ofType(apply.events, "handler_ran", "h2").length, 1);
    assert.equal(readdirSync(dirs.h1).length, OPS); // 34 files + handler.log

    const again = await run(dep, inventory);
    assert.deepEqual(again.execs, { h1: 1, h2: 1 });
    assert.deepEqual(execsFinished(again.events), { h1: 1, h2: 1 });
    assert.equal(again.res.hosts.h1?.ok, OPS);
  });

  it("costs one more exec when roles read facts that are not cached, and none once they are", async () => {
    const { inventory } = twoHosts();
    const dep = deploy("site", [{ hosts: "all", roles: [factFiles({ n: OPS })] }]);
    const factCache = new Map<string, HostFacts>();

    const first = await run(dep, inventory, { mode: "plan", factCache });
    assert.equal(first.res.exitCode, 0);
    assert.deepEqual(first.execs, { h1: 2, h2: 2 });
    assert.deepEqual([...factCache.keys()].sort(), ["h1", "h2"]);
    assert.equal(factCache.get("h1")?.os, "Linux");
    assert.match(ofType(first.events, "op_planned", "h1")[1]?.diff ?? "", /^\+Linux 1$/m);

    const second = await run(dep, inventory, { mode: "plan", factCache });
    assert.deepEqual(second.execs, { h1: 1, h2: 1 });

    const apply = await run(dep, inventory, { factCache });
    assert.deepEqual(apply.execs, { h1: 2, h2: 2 });
    const noop = await run(dep, inventory, { factCache });
    assert.deepEqual(noop.execs, { h1: 1, h2: 1 });
  });

  it("applies with 3 execs when facts are read and not cached", async () => {
    const { inventory } = twoHosts();
    const dep = deploy("site", [{ hosts: "all", roles: [factFiles({ n: OPS })] }]);
    const r = await run(dep, inventory);
    assert.deepEqual(r.execs, { h1: 3, h2: 3 });
  });
});

/** A role whose second op fails on hosts with var fail=true. */
const flaky = role("flaky", (_, ctx) => {
  const d = dirOf(ctx);
  directory(d);
  command(ctx.vars.fail ? "echo broken >&2; exit 3" : "true", { name: "maybe fail" });
  file(`${d}/after1`, { content: "x" });
  file(`${d}/after2`, { content: "x" });
});

describe("runDeployment: failures", () => {
  it("fails only the host whose op failed: later ops skipped, other host completes, exit 1", async () => {
    const { inventory, dirs } = twoHosts({ h1: { fail: true } });
    const dep = deploy("site", [
      { name: "one", hosts: "all", roles: [flaky()] },
      { name: "two", hosts: "all", roles: [files({ n: 2 })] },
    ]);
    const { res, events } = await run(dep, inventory, { forks: 1 });
    assert.equal(res.exitCode, 1);
    const failed = ofType(events, "op_failed", "h1");
    assert.deepEqual(
      failed.map((e) => [e.index, e.op, e.rc, e.output, e.error]),
      [[1, "command maybe fail", 3, "broken", "exit code 3"]],
    );
    assert.deepEqual(
      ofType(events, "op_skipped", "h1").map((e) => [e.index, e.reason]),
      [
        [2, "an earlier operation failed"],
        [3, "an earlier operation failed"],
      ],
    );
    assert.equal(existsSync(`${dirs.h1}/after1`), false);
    assert.ok(existsSync(`${dirs.h2}/after2`));
    assert.deepEqual(
      ofType(events, "host_finished").map((e) => [e.play, e.host, e.status]),
      [
        ["one", "h1", "failed"],
        ["one", "h2", "changed"],
        ["two", "h2", "changed"],
      ],
    );
    assert.deepEqual(ofType(events, "play_started")[1]?.hosts, ["h2"], "a failed host drops out of later plays");
    assert.deepEqual(res.hosts.h1, { ok: 0, changed: 1, failed: 1, skipped: 2, handlers: 0, unreachable: false });
    // Play one: 4 changed (a command without guards always changes) and its handler run; play two: the directory exists, f1 is new.
    assert.deepEqual(res.hosts.h2, { ok: 1, changed: 5, failed: 0, skipped: 0, handlers: 1, unreachable: false });
    assert.deepEqual(res.status, { h1: "failed", h2: "changed" });
  });

  it("fails a host whose op cannot be planned, with an op_failed for (plan), and applies the other", async () => {
    const { inventory, dirs } = twoHosts();
    mkdirSync(`${dirs.h1}/conf`, { recursive: true });
    const r = role("conf", (_, ctx) => {
      directory(dirOf(ctx));
      file(`${dirOf(ctx)}/conf`, { content: "x" });
    });
    const { res, events } = await run(deploy("site", [{ hosts: "all", roles: [r()] }]), inventory);
    assert.equal(res.exitCode, 1);
    const f = ofType(events, "op_failed", "h1")[0];
    assert.equal(f?.op, "(plan)");
    assert.match(f?.error ?? "", /is a directory; refusing to replace it with a file/);
    assert.equal(ofType(events, "host_finished", "h1")[0]?.status, "failed");
    assert.equal(readFileSync(`${dirs.h2}/conf`, "utf8"), "x");
  });

  it("fails a host whose role throws, naming the role", async () => {
    const { inventory } = twoHosts();
    const r = role("broken", (_, ctx) => {
      if (ctx.host === "h2") throw new Error("no config for h2");
      directory(dirOf(ctx));
    });
    const { res, events } = await run(deploy("site", [{ hosts: "all", roles: [r()] }]), inventory);
    assert.equal(res.exitCode, 1);
    assert.match(ofType(events, "host_finished", "h2")[0]?.error ?? "", /h2: role broken: no config for h2/);
    assert.equal(res.status.h1, "changed");
  });
});

describe("runDeployment: plan exit codes", () => {
  it("exits 2 with detailedExitCode while changes are pending, 0 once applied", async () => {
    const { inventory } = twoHosts();
    const dep = deploy("site", [{ hosts: "all", roles: [files({ n: 3 })] }]);
    const pending = await run(dep, inventory, { mode: "plan", detailedExitCode: true });
    assert.equal(pending.res.exitCode, 2);
    assert.equal(pending.res.pendingChanges, true);
    assert.deepEqual(pending.res.hosts.h1, { ok: 0, changed: 3, failed: 0, skipped: 0, handlers: 0, unreachable: false });
    assert.equal(ofType(pending.events, "host_finished", "h1")[0]?.status, "changed");
    assert.equal((await run(dep, inventory, { mode: "plan" })).res.exitCode, 0, "without detailedExitCode");
    await run(dep, inventory);
    const clean = await run(dep, inventory, { mode: "plan", detailedExitCode: true });
    assert.equal(clean.res.exitCode, 0);
    assert.equal(clean.res.pendingChanges, false);
    assert.deepEqual(clean.res.hosts.h2, { ok: 3, changed: 0, failed: 0, skipped: 0, handlers: 0, unreachable: false });
  });

  it("exits 1, not 2, when planning failed on a host", async () => {
    const { inventory, dirs } = twoHosts();
    mkdirSync(`${dirs.h1}/conf`, { recursive: true });
    const r = role("conf", (_, ctx) => void file(`${dirOf(ctx)}/conf`, { content: "x" }));
    const { res } = await run(deploy("site", [{ hosts: "all", roles: [r()] }]), inventory, { mode: "plan", detailedExitCode: true });
    assert.equal(res.exitCode, 1);
  });
});

describe("runDeployment: serial batches and failure limits", () => {
  const twoPlays = (first: Omit<Play, "roles" | "hosts">): Deployment =>
    deploy("site", [
      { name: "first", hosts: "all", roles: [flaky()], ...first },
      { name: "second", hosts: "all", roles: [files({ n: 2 })] },
    ]);

  it("serial 1 with anyErrorsFatal: the first host fails, the second never applies, the play is aborted", async () => {
    const { inventory, dirs } = twoHosts({ h1: { fail: true } });
    const { res, events, execs } = await run(twoPlays({ serial: 1, anyErrorsFatal: true }), inventory);
    assert.equal(res.exitCode, 1);
    assert.deepEqual(
      ofType(events, "host_started", "h2").map((e) => e.phase),
      ["facts"],
    );
    assert.equal(existsSync(dirs.h2), false);
    assert.equal(execs.h2, 1, `h2 was planned, never applied ${JSON.stringify(events.filter((e) => "host" in e && e.host === "h2"))}`);
    const aborted = ofType(events, "play_aborted");
    assert.equal(aborted.length, 1);
    assert.match(aborted[0]?.reason ?? "", /a host failed in play "first" \(anyErrorsFatal\)/);
    assert.equal(res.aborted, aborted[0]?.reason);
    assert.deepEqual(
      ofType(events, "play_started").map((e) => e.play),
      ["first"],
    );
    assert.equal(events.at(-1)?.type, "recap");
    const h2 = ofType(events, "host_finished", "h2")[0];
    assert.equal(h2?.status, "skipped", "a host whose batch never ran is finished as skipped");
    assert.ok((h2?.counts.skipped ?? 0) > 0);
    assert.equal(res.status.h2, "skipped");
  });

  it("serial 1 without anyErrorsFatal: the second host still applies", async () => {
    const { inventory, dirs } = twoHosts({ h1: { fail: true } });
    const { res, events } = await run(twoPlays({ serial: 1 }), inventory);
    assert.equal(res.exitCode, 1);
    assert.ok(existsSync(`${dirs.h2}/after2`));
    assert.equal(ofType(events, "play_aborted").length, 0);
    // Batches run one after the other: h1 finished before h2 started applying.
    const order = events.filter(
      (e) => (e.type === "host_finished" || (e.type === "host_started" && e.phase === "apply")) && e.play === "first",
    );
    assert.deepEqual(
      order.map((e) => [e.type, "host" in e && e.host]),
      [
        ["host_started", "h1"],
        ["host_finished", "h1"],
        ["host_started", "h2"],
        ["host_finished", "h2"],
      ],
    );
  });

  it("maxFailPercentage: a batch of one failing host crosses 0%, and the rest of the run stops", async () => {
    const { inventory, dirs } = twoHosts({ h1: { fail: true } });
    const { res, events } = await run(twoPlays({ serial: 1, maxFailPercentage: 0 }), inventory);
    assert.equal(res.exitCode, 1);
    assert.equal(existsSync(dirs.h2), false);
    assert.match(ofType(events, "play_aborted")[0]?.reason ?? "", /1 of 1 hosts failed in a batch of play "first" \(maxFailPercentage 0\)/);
    assert.equal(ofType(events, "play_started").length, 1);
  });

  it("maxFailPercentage: 1 failed host of 2 is not above 50%, but is above 40%", async () => {
    const { inventory } = twoHosts({ h1: { fail: true } });
    const at50 = await run(twoPlays({ maxFailPercentage: 50 }), inventory);
    assert.equal(ofType(at50.events, "play_aborted").length, 0);
    assert.equal(ofType(at50.events, "play_started").length, 2);
    const { inventory: inv2 } = twoHosts({ h1: { fail: true } });
    const at40 = await run(twoPlays({ maxFailPercentage: 40 }), inv2);
    assert.equal(ofType(at40.events, "play_aborted").length, 1);
    assert.equal(ofType(at40.events, "play_started").length, 1);
    assert.equal(ofType(at40.events, "host_finished", "h2")[0]?.status, "changed", "the batch itself completes");
  });

  it("takes serial from the run options over the play's", async () => {
    const { inventory } = twoHosts({ h1: { fail: true } });
    const { events } = await run(twoPlays({ anyErrorsFatal: true }), inventory, { serial: 1 });
    assert.deepEqual(
      ofType(events, "host_started", "h2").map((e) => e.phase),
      ["facts"],
    );
  });
});

describe("runDeployment: interruption, confirmation, limits and tags", () => {
  it("starts nothing when interrupted before the first play, exits 130 and says so", async () => {
    const { inventory, dirs } = twoHosts();
    const { res, events, execs } = await run(deploy("site", [{ hosts: "all", roles: [files({ n: 3 })] }]), inventory, {
      interrupted: () => true,
    });
    assert.equal(res.exitCode, 130);
    assert.equal(res.interrupted, true);
    assert.deepEqual(
      events.map((e) => e.type),
      ["run_started", "interrupted", "recap"],
    );
    assert.deepEqual(execs, {});
    assert.equal(existsSync(dirs.h1), false);
  });

  it("applies nothing when the confirmation is refused", async () => {
    const { inventory, dirs } = twoHosts();
    const asked: unknown[] = [];
    const { res, events } = await run(deploy("site", [{ name: "p", hosts: "all", roles: [files({ n: 3 })] }]), inventory, {
      confirm: async (play, planned) => {
        // Sorted: the list comes in the order hosts finished planning (see the report on run.ts).
        asked.push([play, [...planned].sort((a, b) => a.host.localeCompare(b.host))]);
        return false;
      },
    });
    assert.deepEqual(asked, [
      [
        "p",
        [
          { host: "h1", changes: 3 },
          { host: "h2", changes: 3 },
        ],
      ],
    ]);
    assert.equal(res.exitCode, 1);
    assert.equal(res.aborted, "not confirmed");
    assert.deepEqual(ofType(events, "play_aborted")[0], { type: "play_aborted", play: "p", reason: "not confirmed" });
    assert.equal(existsSync(dirs.h1), false);
  });

  it("does not ask for confirmation when nothing would change", async () => {
    const { inventory } = twoHosts();
    const dep = deploy("site", [{ hosts: "all", roles: [files({ n: 2 })] }]);
    await run(dep, inventory);
    let asked = false;
    const { res } = await run(dep, inventory, {
      confirm: async () => {
        asked = true;
        return false;
      },
    });
    assert.equal(asked, false);
    assert.equal(res.exitCode, 0);
  });

  it("runs only on the hosts the limit selects", async () => {
    const { inventory, dirs } = twoHosts();
    const { res, events, execs } = await run(deploy("site", [{ hosts: "all", roles: [files({ n: 3 })] }]), inventory, { limit: "h2" });
    assert.equal(res.exitCode, 0);
    assert.deepEqual(ofType(events, "play_started")[0]?.hosts, ["h2"]);
    assert.deepEqual(Object.keys(res.hosts), ["h2"]);
    assert.deepEqual(execs, { h2: 2 });
    assert.equal(existsSync(dirs.h1), false);
    assert.ok(existsSync(dirs.h2));
  });

  it("intersects the limit with the play's hosts", async () => {
    const { inventory } = twoHosts();
    const { events } = await run(deploy("site", [{ hosts: "h1", roles: [files({ n: 2 })] }]), inventory, { limit: "h2" });
    assert.deepEqual(ofType(events, "play_started")[0]?.hosts, []);
  });

  it("plans and applies only the ops the tags select", async () => {
    const { inventory, dirs } = twoHosts();
    const r = role("tagged", (_, ctx) => {
      const d = dirOf(ctx);
      directory(d, { tags: ["always"] });
      file(`${d}/conf`, { content: "c", tags: ["conf"] });
      file(`${d}/data`, { content: "d", tags: ["data"] });
    });
    const dep = deploy("site", [{ hosts: "all", roles: [r()] }]);
    const { events } = await run(dep, inventory, { filter: { tags: ["conf"] } });
    assert.deepEqual(
      ofType(events, "op_planned", "h1").map((e) => e.op),
      [`directory ${dirs.h1}`, `file ${dirs.h1}/conf`],
    );
    assert.ok(existsSync(`${dirs.h1}/conf`));
    assert.equal(existsSync(`${dirs.h1}/data`), false);
    const skipped = await run(dep, inventory, { filter: { skipTags: ["conf"] } });
    assert.deepEqual(
      ofType(skipped.events, "op_changed", "h2").map((e) => e.op),
      [`file ${dirs.h2}/data`],
    );
  });

  it("gives roles extra vars over inventory vars, and play vars under them", async () => {
    const { inventory, dirs } = twoHosts();
    const r = role("vars", (_, ctx) => {
      directory(dirOf(ctx));
      file(`${dirOf(ctx)}/v`, { content: `${ctx.vars.a}-${ctx.vars.b}` });
    });
    await run(deploy("site", [{ hosts: "all", roles: [r()], vars: { a: "play", b: "play" } }]), inventory, { extraVars: { b: "extra" } });
    assert.equal(readFileSync(`${dirs.h1}/v`, "utf8"), "play-extra");
  });
});

describe("a run's stop signal", () => {
  it("takes a listener per host exec in flight without Node's more-than-10-listeners warning", async () => {
    const names = Array.from({ length: 14 }, (_, i) => `h${i + 1}`);
    const inventory = Inventory.build({
      source: "test-inventory",
      vars: {},
      hosts: names.map((name, i) => ({ name, vars: { bosun_connection: "local" }, location: { file: "test-inventory", line: i + 1 } })),
      groups: [],
    });
    const slow = role("slow", () => void command("sleep 0.4", { name: "sleep" }));
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const { res } = await run(deploy("d", [{ name: "p", hosts: "all", roles: [slow()] }]), inventory, {
        forks: 14,
        signal: new AbortController().signal,
      });
      assert.equal(res.exitCode, 0);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(
        warnings.filter((w) => w.name === "MaxListenersExceededWarning").map((w) => w.message),
        [],
      );
    } finally {
      process.off("warning", onWarning);
    }
  });
});
