import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../../src/config/load.js";
import type { RunEvent } from "../../../src/core/events.js";
import { acquireRunLock, runLockFile } from "../../../src/engine/run-lock.js";
import { type RunSiteOptions, runSite } from "../../../src/engine/run-site.js";
import { BosunError } from "../../../src/errors.js";

const INDEX = path.resolve(import.meta.dirname, "../../../src/index.ts");
let root: string;
before(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "bosun-runsite-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** Returns a fresh case: a site writing a file per host, a local two-host inventory, a state dir. */
async function fixture(body = `file(\`\${ctx.vars.dir}/hello\`, { content: "hi\\n" });`, plays = `[{ hosts: "all", roles: [r()] }]`) {
  const dir = path.join(root, `case${++n}`);
  mkdirSync(dir, { recursive: true });
  const site = path.join(dir, "site.ts");
  // An ES module like the CLI's own code: a CommonJS site would load a second copy of the engine.
  writeFileSync(path.join(dir, "package.json"), '{"type":"module"}');
  writeFileSync(
    site,
    `import { deploy, file, role, command } from ${JSON.stringify(INDEX)};\nconst r = role("r", (_p: void, ctx) => { ${body} });\nexport default deploy("t${n}-${process.pid}", ${plays});\n`,
  );
  const inventory = path.join(dir, "inventory.yml");
  const hostDirs = { h1: path.join(dir, "h1"), h2: path.join(dir, "h2") };
  for (const d of Object.values(hostDirs)) mkdirSync(d);
  writeFileSync(
    inventory,
    `all:\n  vars:\n    bosun_connection: local\n  hosts:\n    h1:\n      dir: ${hostDirs.h1}\n    h2:\n      dir: ${hostDirs.h2}\n`,
  );
  const stateDir = path.join(dir, "state");
  const config = await loadConfig({ env: { BOSUN_STATE_DIR: stateDir }, cwd: dir });
  const opts = (o: Partial<RunSiteOptions> = {}): RunSiteOptions => ({ mode: "apply", site, inventory, config, typecheck: false, ...o });
  return { dir, site, stateDir, hostDirs, opts };
}

async function collect(o: RunSiteOptions) {
  const h = runSite(o);
  const events: RunEvent[] = [];
  for await (const e of h.events) events.push(e);
  return { events, result: h.result };
}

const runsOf = (stateDir: string) =>
  existsSync(path.join(stateDir, "runs.jl"))
    ? readFileSync(path.join(stateDir, "runs.jl"), "utf8")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

describe("runSite", () => {
  it("streams the run's events and resolves to the record it wrote to runs.jl and state.json", async () => {
    const f = await fixture();
    const { events, result } = await collect(f.opts({ origin: { via: "pipeline", env: "prod", stage: "web" } }));
    const record = await result;
    assert.equal(record.exitCode, 0, JSON.stringify(events.filter((e) => e.type === "op_failed")));
    assert.equal(events[0]?.type, "run_started");
    assert.equal(events.at(-1)?.type, "recap");
    assert.equal(record.exitCode, 0);
    assert.deepEqual(record.origin, { via: "pipeline", env: "prod", stage: "web" });
    assert.deepEqual(Object.keys(record.hosts).sort(), ["h1", "h2"]);
    assert.equal(record.hosts.h1?.changed, 1);
    assert.deepEqual(record.hosts.h1?.changedOps, [`file ${f.hostDirs.h1}/hello`]);
    assert.equal(readFileSync(path.join(f.hostDirs.h2, "hello"), "utf8"), "hi\n");
    assert.deepEqual(runsOf(f.stateDir), [JSON.parse(JSON.stringify(record))]);
    const state = JSON.parse(readFileSync(path.join(f.stateDir, "state.json"), "utf8"));
    assert.equal(state.h1.lastRun, record.id);
    assert.equal(existsSync(runLockFile(f.stateDir, f.site)), false, "the run lock is released");
  });

  it("refuses at once while another live process holds the run lock, naming it, and records nothing", async () => {
    const f = await fixture();
    const release = await acquireRunLock(f.stateDir, f.site, "bosun apply by a test");
    try {
      await assert.rejects(
        collect(f.opts()).then((c) => c.result),
        (e: unknown) => {
          assert.ok(e instanceof BosunError);
          assert.match(e.message, new RegExp(`pid ${process.pid} \\(bosun apply by a test\\)`));
          return true;
        },
      );
      assert.equal(existsSync(path.join(f.hostDirs.h1, "hello")), false, "no host was touched");
      assert.deepEqual(runsOf(f.stateDir), []);
    } finally {
      await release();
    }
  });

  it("waits for the lock holder when asked to, then runs", async () => {
    const f = await fixture();
    const release = await acquireRunLock(f.stateDir, f.site, "holder");
    setTimeout(() => void release(), 300);
    const record = await (await collect(f.opts({ lockWaitMs: 5000 }))).result;
    assert.equal(record.exitCode, 0);
  });

  it("takes over a run lock left by a process that is gone", async () => {
    const f = await fixture();
    const file = runLockFile(f.stateDir, f.site);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ pid: 2 ** 22 + 17, since: "2020-01-01T00:00:00Z" }));
    const record = await (await collect(f.opts())).result;
    assert.equal(record.exitCode, 0);
  });

  it("a plan does not wait for an apply's lock (it changes nothing)", async () => {
    const f = await fixture();
    const release = await acquireRunLock(f.stateDir, f.site, "apply");
    try {
      const record = await (await collect(f.opts({ mode: "plan" }))).result;
      assert.equal(record.hosts.h1?.changed, 1);
    } finally {
      await release();
    }
  });

  it("rejects bad input before any host is touched and records nothing", async () => {
    const cases: [string, Partial<RunSiteOptions>, RegExp, string?, string?][] = [
      ["empty limit", { limit: "" }, /--limit: an empty limit/],
      ["limit matching nothing (plan)", { limit: "web*", mode: "plan" }, /"web\*" matches no host/],
      ["--serial lots", { serial: "lots" }, /--serial: serial must be a number or a percentage like "30%", got "lots"/],
      ["an empty tag", { tags: [""] }, /--tags: an empty tag/],
      ["forks 0", { forks: 0 }, /--forks: expected a whole number/],
      [
        "a play serial of half",
        {},
        /play 1: serial must be a number or a percentage like "30%", got "half"/,
        undefined,
        `[{ hosts: "all", serial: "half" as never, roles: [r()] }]`,
      ],
      ["an empty deployment", {}, /has no plays: nothing to run/, undefined, "[]"],
    ];
    for (const [name, o, msg, body, plays] of cases) {
      const f = await fixture(body, plays);
      await assert.rejects((await collect(f.opts(o))).result, msg, name);
      assert.equal(existsSync(path.join(f.hostDirs.h1, "hello")), false, name);
      assert.deepEqual(runsOf(f.stateDir), [], name);
    }
  });

  it("refuses an unwritable state dir before touching a host", async () => {
    const f = await fixture();
    const blocker = path.join(f.dir, "not-a-dir");
    writeFileSync(blocker, "");
    const config = await loadConfig({ env: { BOSUN_STATE_DIR: path.join(blocker, "state") }, cwd: f.dir });
    await assert.rejects((await collect(f.opts({ config }))).result, /state_dir .*not-a-dir\/state is not writable/);
    assert.equal(existsSync(path.join(f.hostDirs.h1, "hello")), false);
  });

  it("an abort before any apply ends the run as interrupted (130), recorded", async () => {
    const f = await fixture();
    const stop = new AbortController();
    stop.abort();
    const record = await (await collect(f.opts({ signal: stop.signal }))).result;
    assert.equal(record.exitCode, 130);
    assert.equal(record.interrupted, true);
    assert.equal(runsOf(f.stateDir).length, 1);
    assert.equal(existsSync(path.join(f.hostDirs.h1, "hello")), false);
  });

  it("splits the selected hosts into disjoint shards that cover them all", async () => {
    const f = await fixture();
    const one = await (await collect(f.opts({ mode: "plan", shard: { k: 1, n: 2 } }))).result;
    const two = await (await collect(f.opts({ mode: "plan", shard: { k: 2, n: 2 } }))).result;
    const a = Object.keys(one.hosts);
    const b = Object.keys(two.hosts);
    assert.deepEqual([...a, ...b].sort(), ["h1", "h2"]);
    assert.deepEqual(one.shard, { k: 1, n: 2 });
  });

  it("an abort during an apply stops the host at the next operation boundary and records what ran", async () => {
    const f = await fixture(
      `command("sleep 1", { name: "slow" }); file(\`\${ctx.vars.dir}/after\`, { content: "x" });`,
      `[{ hosts: "h1", roles: [r()] }]`,
    );
    const stop = new AbortController();
    const h = runSite(f.opts({ signal: stop.signal }));
    let abortedAt = 0;
    const events: RunEvent[] = [];
    for await (const e of h.events) {
      events.push(e);
      if (e.type === "host_started" && e.phase === "apply") {
        setTimeout(() => {
          abortedAt = Date.now();
          stop.abort();
        }, 200);
      }
    }
    const record = await h.result;
    assert.ok(Date.now() - abortedAt < 2000, "stopped within the slow op's remaining time");
    assert.equal(record.exitCode, 130);
    assert.deepEqual(record.hosts.h1?.changedOps, ["command slow"]);
    const skipped = events.find((e) => e.type === "op_skipped");
    assert.ok(skipped?.type === "op_skipped" && /stopped before this operation/.test(skipped.reason));
    assert.equal(existsSync(path.join(f.hostDirs.h1, "after")), false);
  });

  it("a run cut hard (second signal) is recorded, and the next run first runs the handlers it left pending", async () => {
    const body = `file(\`\${ctx.vars.dir}/conf\`, { content: "v2", notify: "reload" }); command("sleep 2", { name: "slow" }); handler("reload", () => void command(\`echo reloaded >> \${ctx.vars.dir}/reloads\`, { name: "reload it" }));`;
    const f = await fixture(body.replace("command, ", ""), `[{ hosts: "h1", roles: [r()] }]`);
    writeFileSync(f.site, readFileSync(f.site, "utf8").replace("import { deploy,", "import { handler, deploy,"));
    const kill = new AbortController();
    const h = runSite(f.opts({ killSignal: kill.signal }));
    for await (const e of h.events) if (e.type === "host_started" && e.phase === "apply") setTimeout(() => kill.abort(), 500);
    const cut = await h.result;
    assert.equal(cut.exitCode, 130);
    assert.equal(cut.interrupted, true);
    assert.equal(readFileSync(path.join(f.hostDirs.h1, "conf"), "utf8"), "v2", "the change was made");
    assert.equal(existsSync(path.join(f.hostDirs.h1, "reloads")), false, "its handler did not run");
    assert.equal(runsOf(f.stateDir).length, 1, "the cut run is recorded");

    const { events, result } = await collect(f.opts());
    const next = await result;
    assert.ok(events.some((e) => e.type === "handlers_resumed" && e.host === "h1" && e.handlers.join() === "reload"));
    assert.equal(readFileSync(path.join(f.hostDirs.h1, "reloads"), "utf8"), "reloaded\n");
    assert.equal(next.hosts.h1?.handlers, 1);
    assert.equal(next.exitCode, 0);
    const again = await (await collect(f.opts())).result;
    assert.equal(again.hosts.h1?.handlers, 0, "once run, the handler is no longer pending");
  });
});
