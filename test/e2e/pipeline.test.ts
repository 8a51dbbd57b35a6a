/**
 * The pipeline scenario of issue 13 on three lab hosts (two web, one db): the seven stages in order,
 * the app at 1.0.0, a broken 1.1.0 as a canary rolled back automatically, 1.2.0, `pipeline rollback`,
 * drift with a webhook, the lock, environment policy, shards, and the test and tool stages.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { before, describe, it } from "node:test";
import { runLockFile } from "../../src/engine/run-lock.js";
import { stageLockKey } from "../../src/pipeline/lock.js";
import { BIN, bosun, type CliResult, onHost, ROOT, tempDir } from "./helpers.js";

const HOSTS = (process.env.BOSUN_E2E_PIPELINE_HOSTS ?? "web14,web15,db7").split(",");
const [WEB_A, WEB_B, DB] = HOSTS as [string, string, string];
const STATE = tempDir("bosun-e2e-pipeline-");
const ENV = { BOSUN_STATE_DIR: STATE };
const P = ["-p", "examples/pipeline.ts"];
const HOST_INPUT = ["--input", `host=${HOSTS.join(",")}`];

type Event = Record<string, unknown> & { type: string };
const events = (r: CliResult): Event[] =>
  r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Event);
const cli = (args: string[]) => bosun(args, { env: ENV });
const app = (...args: string[]) => cli(["pipeline", "run", "6-app", ...P, "--env", "dev", ...HOST_INPUT, "--json", ...args]);
const served = async (host: string) => (await onHost(host, "curl -fsS http://127.0.0.1:9200/version")).stdout.trim();
const status = async () =>
  JSON.parse((await cli(["pipeline", "status", ...P, "--env", "dev", "--json"])).stdout) as {
    stage: string;
    host: string;
    version: string;
    result: string;
  }[];
const appVersions = async () => Object.fromEntries((await status()).filter((r) => r.stage === "6-app").map((r) => [r.host, r.version]));

describe("a pipeline on the lab", { timeout: 2_400_000 }, () => {
  before(async () => {
    const r = await bosun(["lab", "reset", ...HOSTS]);
    assert.equal(r.code, 0, r.stderr);
  });

  it("runs the test and tool stages, then the seven numbered stages in order, each verified", async () => {
    const r = await cli(["pipeline", "run", "--all", ...P, "--env", "dev", ...HOST_INPUT, "--input", "version=1.0.0", "--json"]);
    const finished = events(r).filter((e) => e.type === "stage_finished");
    assert.deepEqual(
      finished.map((e) => [e.stage, e.result]),
      ["0-test", "0-infra", "1-base-system", "2-firewall", "3-monitoring", "4-database", "5-services", "6-app", "7-client"].map((s) => [
        s,
        "ok",
      ]),
      r.stdout.slice(-4000) + r.stderr,
    );
    assert.equal(r.code, 0);
    const checks = events(r).filter((e) => e.type === "check_result");
    assert.ok(
      checks.every((c) => c.ok),
      "every check passed",
    );
    for (const name of ["prometheus", "tcp port 5432 open", "http http://127.0.0.1:9200/version", "host key known"])
      assert.ok(
        checks.some((c) => String(c.check).startsWith(name)),
        `a ${name} check ran`,
      );
    assert.equal(await served(WEB_A), "1.0.0");
    assert.equal(await served(WEB_B), "1.0.0");
    assert.equal((await onHost(DB, "systemctl is-active postgresql prometheus")).stdout.trim(), "active\nactive");
  });

  it("rolls a broken canary back to the previous version automatically; the other hosts are never touched", async () => {
    const r = await app("--input", "version=1.1.0");
    assert.equal(r.code, 1, r.stderr);
    const ev = events(r);
    const batches = ev.filter((e) => e.type === "batch_started").map((e) => [e.batch, e.hosts]);
    assert.deepEqual(batches, [
      ["canary", [WEB_A]],
      ["rollback", [WEB_A]],
    ]);
    assert.deepEqual(ev.find((e) => e.type === "canary_rolled_back")?.to, { [WEB_A]: "1.0.0" });
    assert.ok(!ev.some((e) => e.type === "host_started" && e.host === WEB_B), `${WEB_B} was never touched`);
    const failed = ev.filter((e) => e.type === "check_result" && !e.ok);
    assert.ok(
      failed.some((e) => e.host === WEB_A && /health/.test(String(e.check))),
      "the broken release failed verify",
    );
    assert.equal(ev.find((e) => e.type === "stage_finished")?.result, "canary-rolled-back");
    assert.equal(await served(WEB_A), "1.0.0");
    assert.equal(await served(WEB_B), "1.0.0");
    const hist = (await cli(["pipeline", "history", "6-app", ...P, "--env", "dev", "--json"])).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(hist.at(-1).result, "canary-rolled-back");
    assert.deepEqual(await appVersions(), { [WEB_A]: "1.0.0", [WEB_B]: "1.0.0" });
  });

  it("deploys 1.2.0 canary-first, then `pipeline rollback` goes back to 1.0.0 and verifies", async () => {
    const up = await app("--input", "version=1.2.0");
    assert.equal(up.code, 0, up.stdout.slice(-3000) + up.stderr);
    assert.deepEqual(
      events(up)
        .filter((e) => e.type === "batch_started")
        .map((e) => e.batch),
      ["canary", "rest"],
    );
    assert.deepEqual(await appVersions(), { [WEB_A]: "1.2.0", [WEB_B]: "1.2.0" });
    const back = await cli(["pipeline", "rollback", "6-app", ...P, "--env", "dev", "--json"]);
    assert.equal(back.code, 0, back.stdout.slice(-3000) + back.stderr);
    assert.ok(events(back).some((e) => e.type === "check_result" && e.phase === "verify" && e.ok));
    assert.equal(await served(WEB_A), "1.0.0");
    assert.equal(await served(WEB_B), "1.0.0");
    const rows = (await status()).filter((r) => r.stage === "6-app");
    assert.deepEqual(
      rows.map((r) => [r.host, r.version]),
      [
        [WEB_A, "1.0.0"],
        [WEB_B, "1.0.0"],
      ],
    );
    const human = await cli(["pipeline", "status", ...P, "--env", "dev"]);
    assert.match(human.stdout, new RegExp(`6-app\\s+${WEB_B}\\s+1\\.0\\.0`));
  });

  it("a manual change on a host is drift: exit 2, a per-host report with the diff, and a webhook gets it", async () => {
    const received: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        received.push(body);
        res.end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const clean = await cli(["drift", "examples/pipeline.ts", "--env", "dev", "--json"]);
      assert.equal(clean.code, 0, clean.stdout.slice(-3000) + clean.stderr);
      await onHost(WEB_B, "echo 'edited by hand' >> /srv/webapp/releases/1.0.0/index.html");
      const r = await cli(["drift", "examples/pipeline.ts", "--env", "dev", "--json", "--notify", `http://127.0.0.1:${port}/drift`]);
      assert.equal(r.code, 2, r.stderr);
      const report = JSON.parse(r.stdout) as {
        drifted: boolean;
        stages: { stage: string; hosts: Record<string, { op: string; diff?: string }[]> }[];
      };
      const drifted = report.stages.filter((s) => Object.keys(s.hosts).length);
      assert.deepEqual(
        drifted.map((s) => [s.stage, Object.keys(s.hosts)]),
        [["6-app", [WEB_B]]],
      );
      const change = drifted[0]?.hosts[WEB_B]?.[0];
      assert.equal(change?.op, "copy /srv/webapp/releases/1.0.0/index.html");
      assert.match(change?.diff ?? "", /^-edited by hand$/m);
      assert.equal(received.length, 1, "the webhook was called once");
      const sent = JSON.parse(received[0] as string);
      assert.equal(sent.drifted, true);
      assert.deepEqual(sent.hosts, [WEB_B]);
      const human = await cli(["drift", "examples/pipeline.ts", "--env", "dev"]);
      assert.equal(human.code, 2);
      assert.match(human.stdout, /-edited by hand/);
    } finally {
      server.close();
      await app("--input", "version=1.0.0", "--input", `host=${WEB_B}`);
    }
    assert.equal((await cli(["drift", "examples/pipeline.ts", "--env", "dev", "--json", "--stage", "6-app"])).code, 0, "repaired");
  });

  it("refuses a second run of the same environment and stage while one runs, naming the holder", async () => {
    const first = spawn(
      process.execPath,
      [BIN, "pipeline", "run", "6-app", ...P, "--env", "dev", ...HOST_INPUT, "--input", "version=1.0.0", "--json"],
      {
        cwd: ROOT,
        env: { ...process.env, ...ENV, NO_COLOR: "1" },
        stdio: "ignore",
      },
    );
    const done = new Promise<number>((r) => first.on("close", (c) => r(c ?? 1)));
    const lock = runLockFile(STATE, stageLockKey("example", "dev", "6-app"));
    // Loading and type-checking the pipeline comes first: on a loaded 2-core machine that can take a minute.
    let exited = false;
    void done.then(() => {
      exited = true;
    });
    for (let i = 0; i < 2400 && !exited && !existsSync(lock); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(existsSync(lock), "the first run holds the lock");
    const second = await app("--input", "version=1.0.0");
    assert.notEqual(second.code, 0);
    assert.match(second.stderr, new RegExp(`dev/6-app is being run by pid ${first.pid}`));
    assert.equal(await done, 0, "the first run finishes normally");
    // Another stage of the same environment is not blocked by it, and a lock left by a dead process is taken over.
    mkdirSync(path.dirname(lock), { recursive: true });
    writeFileSync(lock, JSON.stringify({ pid: 999_999, since: new Date().toISOString(), what: "a crashed run" }));
    const later = await cli(["pipeline", "run", "6-app", ...P, "--env", "dev", ...HOST_INPUT, "--input", "version=1.0.0", "--json", "-v"]);
    assert.equal(later.code, 0, later.stderr);
    assert.match(later.stderr, /took over a run lock whose holder is gone.*pid=999999/);
  });

  it("an environment that requires confirmation refuses a non-interactive run without --yes", async () => {
    const r = await cli(["pipeline", "run", "6-app", ...P, "--env", "staging", ...HOST_INPUT, "--input", "version=1.0.0"]);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /environment staging requires confirmation: not interactive, pass --yes/);
    const prod = await cli(["pipeline", "run", "6-app", ...P, "--env", "prod", "--input", "version=1.0.0", "--yes"]);
    assert.match(prod.stderr, /environment prod takes changes only by promotion/);
  });

  it("promotes the inputs that passed in dev to staging (host patterns are staging's own, -l limits them)", async () => {
    const r = await cli([
      "pipeline",
      "promote",
      "6-app",
      ...P,
      "--from",
      "dev",
      "--to",
      "staging",
      "--yes",
      "--json",
      "-l",
      HOSTS.join(","),
    ]);
    assert.equal(r.code, 0, r.stdout.slice(-3000) + r.stderr);
    const started = events(r).find((e) => e.type === "stage_started");
    assert.equal(started?.env, "staging");
    assert.equal(started?.kind, "promote");
    assert.deepEqual(started?.hosts, [WEB_A, WEB_B]);
    const hist = (await cli(["pipeline", "history", "6-app", ...P, "--env", "staging", "--json"])).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(hist.at(-1).version, "1.0.0");
  });

  it("--shard k/n runs a deterministic part of the selection and the record says which", async () => {
    const parts: string[][] = [];
    for (const k of [1, 2]) {
      const r = await cli([
        "pipeline",
        "run",
        "7-client",
        ...P,
        "--env",
        "dev",
        ...HOST_INPUT,
        "--input",
        "version=1.0.1",
        "--shard",
        `${k}/2`,
        "--json",
      ]);
      assert.equal(r.code, 0, r.stderr);
      parts.push(events(r).find((e) => e.type === "stage_started")?.hosts as string[]);
    }
    assert.deepEqual([...(parts[0] ?? []), ...(parts[1] ?? [])].sort(), [...HOSTS].sort());
    const hist = (await cli(["pipeline", "history", "7-client", ...P, "--env", "dev", "--json"])).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(hist.at(-1).shard, { k: 2, n: 2 });
  });
});

describe("test and tool stages", () => {
  const dir = tempDir("bosun-e2e-stages-");
  const file = path.join(dir, "pipeline.ts");
  const kv = path.join(ROOT, "examples/pipeline/tools/kvtool.mjs");
  before(() => {
    // A user's repository is an ES module package.
    writeFileSync(path.join(dir, "package.json"), '{ "type": "module" }\n');
    writeFileSync(path.join(dir, "desired.json"), JSON.stringify({ "dns/a": "1.2.3.4", "db/password": "hunter2-secret" }));
    writeFileSync(
      file,
      `import { pipeline, stage } from ${JSON.stringify(path.join(ROOT, "dist/src/index.js"))};
export default pipeline("stages", [
  stage({ id: "1-test", kind: "test", command: ["sh", "-c", "echo running tests; exit \${FAIL:-0}"], env: {} }),
  stage({ id: "2-infra", kind: "tool", plan: (c) => ["node", ${JSON.stringify(kv)}, "plan", "--desired", "desired.json", "--state", "state.json", "--out", c.planFile],
    apply: (c) => ["node", ${JSON.stringify(kv)}, "apply", "--state", "state.json", c.planFile] }),
], { environments: { dev: { inventory: "lab" } } });
`,
    );
  });
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    bosun(["pipeline", "run", "-p", file, "--json", ...args], { env: { ...ENV, ...env }, cwd: dir });

  it("a failing test stage stops the pipeline before the next stage", async () => {
    const r = await run(["--all"], { FAIL: "3" });
    assert.equal(r.code, 1);
    assert.deepEqual(
      events(r)
        .filter((e) => e.type === "stage_finished")
        .map((e) => [e.stage, e.result]),
      [["1-test", "failed"]],
    );
    assert.ok(!existsSync(path.join(dir, "state.json")), "the tool stage never ran");
  });

  it("a tool stage plans (output saved, sensitive values masked by the tool), applies exactly the saved plan, then has nothing to do", async () => {
    const r = await run(["2-infra"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const plan = events(r).find((e) => e.type === "tool_output" && e.step === "plan");
    assert.equal(plan?.changes, true);
    assert.match(String(plan?.output), /\+ db\/password = \(sensitive\)/);
    assert.doesNotMatch(r.stdout, /hunter2-secret/);
    assert.equal(JSON.parse(readFileSync(path.join(dir, "state.json"), "utf8")).values["dns/a"], "1.2.3.4");
    const again = await run(["2-infra"]);
    assert.equal(events(again).find((e) => e.type === "tool_output")?.changes, false);
    assert.ok(!events(again).some((e) => e.type === "tool_output" && e.step === "apply"), "no changes: apply is not run");
  });

  it("--plan saves a plan and exits 2; --apply-plan applies it; a plan made on an older state is refused by the tool", async () => {
    writeFileSync(path.join(dir, "desired.json"), JSON.stringify({ "dns/a": "5.6.7.8" }));
    const planned = await run(["2-infra", "--plan"]);
    assert.equal(planned.code, 2, planned.stderr);
    const applied = await run(["2-infra", "--apply-plan"]);
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    assert.equal(JSON.parse(readFileSync(path.join(dir, "state.json"), "utf8")).values["dns/a"], "5.6.7.8");
    const stale = await run(["2-infra", "--apply-plan"]);
    assert.equal(stale.code, 1);
    assert.match(stale.stdout, /the plan was made on state serial/);
  });

  it("tool and test stage runs are in runs.jl like site runs, with their origin", async () => {
    const records = readFileSync(path.join(STATE, "runs.jl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown> & { origin?: Record<string, unknown> })
      .filter((r) => r.deployment === "stages/1-test" || r.deployment === "stages/2-infra");
    const test = records.find((r) => r.kind === "test");
    assert.equal(test?.exitCode, 1);
    assert.equal(test?.note, "tests failed (exit 3)");
    assert.deepEqual([test?.origin?.via, test?.origin?.env, test?.origin?.stage], ["pipeline", "dev", "1-test"]);
    const tools = records.filter((r) => r.kind === "tool");
    assert.deepEqual(
      tools.map((r) => [r.mode, r.exitCode]),
      // applied; nothing to do (only planned); --plan; --apply-plan; a stale plan refused by the tool.
      [
        ["apply", 0],
        ["plan", 0],
        ["plan", 0],
        ["apply", 0],
        ["apply", 1],
      ],
    );
    assert.doesNotMatch(JSON.stringify(records), /hunter2-secret/);
    const listed = await cli(["runs"]);
    assert.match(listed.stdout, /stages\/2-infra {2}tool stage/);
  });
});
