import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { BIN, bosun, type CliResult, LAB, labHosts, onHost, ROOT, SUITE_HOSTS, tempDir } from "./helpers.js";

type Event = Record<string, unknown> & { type: string };
const events = (r: CliResult): Event[] =>
  r.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Event);
const recap = (r: CliResult) => {
  const last = events(r).at(-1) as Event;
  assert.equal(last.type, "recap", `last event is the recap:\n${r.stdout}\n${r.stderr}`);
  return last.hosts as Record<string, { ok: number; changed: number; failed: number; skipped: number; unreachable: boolean }>;
};
const finished = (r: CliResult) =>
  events(r).filter((e) => e.type === "host_finished") as (Event & { host: string; execs: number; play: string })[];

/** Returns each host's execs over all plays of a run. */
const execsPerHost = (r: CliResult) => {
  const out: Record<string, number> = {};
  for (const e of finished(r)) out[e.host] = (out[e.host] ?? 0) + e.execs;
  return out;
};

describe("the example site on the lab", () => {
  it("first apply changes every host, then a second apply and a plan change nothing at 1 exec per host", async () => {
    const first = await bosun(["apply", "examples/site.ts", ...LAB, "--yes", "--json"]);
    assert.equal(first.code, 0, first.stderr + first.stdout.slice(-3000));
    const hosts = await labHosts();
    const r1 = recap(first);
    for (const h of hosts) assert.equal(r1[h.name]?.failed, 0);
    for (const e of finished(first))
      assert.ok(e.execs <= 3, `${e.host} used ${e.execs} execs in play ${e.play} (at most 3: facts, apply, handlers)`);

    const second = await bosun(["apply", "examples/site.ts", ...LAB, "--yes", "--json"]);
    assert.equal(second.code, 0, second.stderr);
    const r2 = recap(second);
    for (const h of hosts) {
      assert.equal(r2[h.name]?.changed, 0, `${h.name} changed nothing on the second run`);
      assert.ok((r2[h.name]?.ok ?? 0) > 0);
    }
    assert.equal(events(second).filter((e) => e.type === "op_changed").length, 0);
    // One exec per host for the whole run: the first play's facts exec gathers the web play's facts too.
    assert.deepEqual(execsPerHost(second), Object.fromEntries(hosts.map((h) => [h.name, 1])), "no-op re-run: execs per host");

    const plan = await bosun(["plan", "examples/site.ts", ...LAB, "--json", "--detailed-exitcode"]);
    assert.equal(plan.code, 0, "no pending changes: exit 0 even with --detailed-exitcode");
    assert.deepEqual(execsPerHost(plan), Object.fromEntries(hosts.map((h) => [h.name, 1])), "check run: execs per host");
  });

  it("serves the app through nginx on every web host", async () => {
    const r = await bosun(["exec", "web", ...LAB, "--json", "--", "curl -fsS http://127.0.0.1/version"]);
    assert.equal(r.code, 0, r.stdout);
    for (const [, v] of Object.entries(JSON.parse(r.stdout) as Record<string, { stdout: string }>))
      assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  it("plan after a manual change on one host shows exactly that drift, with a diff, and exits 2", async () => {
    const hosts = await labHosts();
    const target = hosts[0]!.name;
    await onHost(target, "echo '# edited by hand' >> /etc/nginx/sites-available/app");
    try {
      const plan = await bosun(["plan", "examples/site.ts", ...LAB, "--json", "--detailed-exitcode"]);
      assert.equal(plan.code, 2, plan.stderr);
      const changes = events(plan).filter((e) => e.type === "op_planned" && e.changed) as (Event & {
        host: string;
        op: string;
        diff?: string;
      })[];
      assert.deepEqual(
        changes.map((c) => [c.host, c.op]),
        [[target, "file /etc/nginx/sites-available/app"]],
      );
      assert.match(changes[0]!.diff ?? "", /^-# edited by hand$/m);
      const human = await bosun(["plan", "examples/site.ts", ...LAB]);
      assert.match(human.stdout, /file \/etc\/nginx\/sites-available\/app/);
      assert.match(human.stdout, /-# edited by hand/);
    } finally {
      const fix = await bosun(["apply", "examples/site.ts", ...LAB, "--yes", "--json", "-l", target]);
      const changed = events(fix)
        .filter((e) => e.type === "op_changed")
        .map((e) => e.op);
      assert.deepEqual(changed, ["file /etc/nginx/sites-available/app"], "the drift is repaired by one change");
      const handlers = events(fix)
        .filter((e) => e.type === "handler_ran")
        .map((e) => e.handler);
      assert.deepEqual(handlers, ["reload nginx"]);
      assert.equal(recap(fix)[target]?.changed, 1, "one change, as planned");
      assert.equal((recap(fix)[target] as { handlers?: number } | undefined)?.handlers, 1, "its handler run, counted apart");
    }
  });

  it("a type error in a site is reported with file and line before any host is touched", async () => {
    const dir = path.join(ROOT, "tmp", `e2e-type-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const site = path.join(dir, "site.ts");
    writeFileSync(
      site,
      `import { deploy, file, role } from "bosun";\nconst r = role("r", (p: { n: number }) => {\n  file("/srv/e2e-type-marker", { content: String(p.n) });\n});\nexport default deploy("bad", [{ hosts: "all", roles: [r({ n: "three" })] }]);\n`,
    );
    const r = await bosun(["apply", site, ...LAB, "--yes", "--json"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${site.replaceAll(".", "\\.")}:5:\\d+: Type 'string' is not assignable to type 'number'`));
    assert.equal(r.stdout, "", "no run started");
    const check = await onHost((await labHosts())[0]!.name, "test -e /srv/e2e-type-marker && echo present || echo absent");
    assert.equal(check.stdout.trim(), "absent");
    rmSync(dir, { recursive: true, force: true });
  });

  it("apply refuses to run without --yes when not interactive, touching nothing", async () => {
    const r = await bosun(["apply", "examples/site.ts", ...LAB]);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /--yes/);
  });
});

describe("failures and interruptions", () => {
  it("a failing operation on one host stops that host's later operations; other hosts complete", async () => {
    await bosun(["exec", "all", ...LAB, "--", "rm -rf /srv/e2e-fail"]);
    const bad = SUITE_HOSTS[1];
    const r = await bosun(["apply", "test/e2e/sites/fail-one.ts", ...LAB, "--yes", "--json"], { env: { E2E_FAIL_HOST: bad } });
    assert.equal(r.code, 1);
    const rc = recap(r);
    assert.equal(rc[bad]?.failed, 1);
    assert.equal(rc[bad]?.skipped, 1);
    const failed = events(r).find((e) => e.type === "op_failed") as Event & { host: string; rc: number; output: string };
    assert.equal(failed.host, bad);
    assert.equal(failed.rc, 3);
    assert.match(failed.output, new RegExp(`refusing on purpose on ${bad}`));
    for (const h of (await labHosts()).map((x) => x.name)) {
      const state = (await onHost(h, "ls /srv/e2e-fail")).stdout.split("\n").filter(Boolean);
      assert.deepEqual(state, h === bad ? ["before"] : ["after", "before"], h);
    }
  });

  it("SIGINT mid-run starts nothing new, stops the applying host at an operation boundary, leaves every file old or new, and records the run as interrupted", async () => {
    const base = await bosun(["apply", "test/e2e/sites/interrupt.ts", ...LAB, "--yes", "--json"], { env: { BIG_VERSION: "a" } });
    assert.equal(base.code, 0, base.stderr);
    // Its own state dir: the run read back below is this one, whatever else runs on the machine.
    const state = tempDir();
    const child = spawn(process.execPath, [BIN, "apply", "test/e2e/sites/interrupt.ts", ...LAB, "--yes", "--json"], {
      cwd: ROOT,
      env: { ...process.env, BIG_VERSION: "b", SLOW_S: "15", NO_COLOR: "1", BOSUN_STATE_DIR: state },
    });
    let stdout = "";
    let sent = false;
    child.stdout.on("data", (d) => {
      stdout += d;
      // Interrupt while the first host's apply exec is in flight (serial 1: the others have not started).
      if (!sent && stdout.includes('"phase":"apply"')) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    const code = await new Promise<number>((res) => child.on("close", (c) => res(c ?? 1)));
    assert.ok(sent, "the run reached an apply exec");
    assert.equal(code, 130);
    const evs = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Event);
    assert.ok(evs.some((e) => e.type === "interrupted"));
    const applied = evs.filter((e) => e.type === "host_started" && e.phase === "apply").map((e) => e.host);
    assert.equal(applied.length, 1, "no new host started after the signal");
    for (const h of (await labHosts()).map((x) => x.name)) {
      const r = await onHost(
        h,
        "for f in one two; do head -1 /srv/e2e-int/$f; sort -u /srv/e2e-int/$f | wc -l; done; ls -a /srv/e2e-int | grep -c bosun-tmp || true",
      );
      const [oneHead, oneUniq, twoHead, twoUniq, tmps] = r.stdout.trim().split("\n");
      assert.match(oneHead ?? "", /^one:[ab]$/, `${h}: one is whole`);
      assert.equal(oneUniq, "1", `${h}: one is all old or all new`);
      assert.match(twoHead ?? "", /^two:[ab]$/);
      assert.equal(twoUniq, "1", `${h}: two is all old or all new`);
      assert.equal(tmps, "0", `${h}: no temp file left`);
      // The host applying stopped at an operation boundary (either side of writing one); the others never started.
      if (!applied.includes(h)) assert.equal(oneHead, "one:a", `${h}: not started after the signal`);
    }
    const runs = await bosun(["runs", "--json", "-n", "1"], { env: { BOSUN_STATE_DIR: state } });
    const rec = JSON.parse(runs.stdout.trim().split("\n").at(-1) as string);
    assert.equal(rec.interrupted, true);
    assert.equal(rec.exitCode, 130);
  });
});
