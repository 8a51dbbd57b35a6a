import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { bosun, onHost, tempDir } from "./helpers.js";
import { type LiveEvent, LiveRun, runsIn, sleep } from "./live-run.js";

// Two lab hosts of this suite's own (CI runs suites in parallel on disjoint hosts).
const [A, B] = (process.env.BOSUN_E2E_RUNAPI_HOSTS ?? "web3,web4").split(",") as [string, string];
const PENDING = "test/e2e/sites/pending.ts";

/** Arguments of a run of site on hosts (type-checked by other suites: skipped here for speed). */
const runArgs = (verb: "apply" | "plan", site: string, hosts: string[]) => [
  verb,
  site,
  "-i",
  "lab",
  "-l",
  hosts.join(","),
  "--no-typecheck",
  ...(verb === "apply" ? ["--yes"] : []),
];

const applying = (host?: string) => (e: LiveEvent) => e.type === "host_started" && e.phase === "apply" && (!host || e.host === host);

/** Takes a host's network down (its netns link), as a cut cable would; `up` restores it. */
function link(host: string, state: "up" | "down"): void {
  execFileSync("ip", ["netns", "exec", `bosun-${host}`, "ip", "link", "set", "eth0", state]);
}

before(async () => {
  const r = await bosun(["lab", "reset", A, B]);
  assert.equal(r.code, 0, r.stderr);
});
after(() => {
  for (const h of [A, B]) link(h, "up");
});

describe("counts", () => {
  it("on fresh hosts, the example site's plan 'N to change' per play and host is the apply's 'N changed'; handler runs are counted apart", async () => {
    const state = tempDir();
    const perPlay = (events: LiveEvent[]) =>
      Object.fromEntries(
        events.filter((e) => e.type === "host_finished").map((e) => [`${e.play} @ ${e.host}`, (e.counts as { changed: number }).changed]),
      );
    const plan = await new LiveRun(runArgs("plan", "examples/site.ts", [A, B]), { BOSUN_STATE_DIR: state }).done;
    assert.equal(plan.code, 0, plan.stderr);
    const apply = await new LiveRun(runArgs("apply", "examples/site.ts", [A, B]), { BOSUN_STATE_DIR: state }).done;
    assert.equal(apply.code, 0, apply.stderr);
    const planned = perPlay(plan.events);
    assert.ok(
      Object.values(planned).some((n) => n > 0),
      "the fresh hosts had changes to make",
    );
    assert.deepEqual(perPlay(apply.events), planned);
    const recap = apply.events.at(-1) as { type: string; hosts: Record<string, { changed: number; handlers: number }> };
    const planRecap = plan.events.at(-1) as typeof recap;
    for (const h of [A, B]) {
      assert.equal(recap.hosts[h]?.changed, planRecap.hosts[h]?.changed, `${h}: run totals agree`);
      assert.ok((recap.hosts[h]?.handlers ?? 0) > 0, `${h}: handler runs are counted, apart`);
    }
    const rec = runsIn(state).at(-1) as { hosts: Record<string, { changed: number }> };
    assert.equal(rec.hosts[A]?.changed, recap.hosts[A]?.changed, "the run record counts the same units");
  });
});

describe("interruption", () => {
  it("SIGINT stops each host at its next operation boundary within about a second, and records what ran", async () => {
    const state = tempDir();
    const run = new LiveRun(runArgs("apply", PENDING, [A, B]), {
      BOSUN_STATE_DIR: state,
      E2E_VERSION: "si",
      E2E_SLOW: "0",
      E2E_STEPS: "20",
    });
    await run.waitFor((e) => e.type === "op_changed" || (applying()(e) && run.events.filter(applying()).length === 2));
    await sleep(1500);
    const sentAt = Date.now();
    run.signal("SIGINT");
    const end = await run.done;
    assert.equal(end.code, 130, end.stderr);
    assert.ok(end.endedAt - sentAt < 2500, `stopped ${end.endedAt - sentAt} ms after the signal`);
    const rec = runsIn(state).at(-1) as { interrupted: boolean; hosts: Record<string, { changedOps: string[]; skipped: number }> };
    assert.equal(rec.interrupted, true);
    for (const h of [A, B]) {
      const ran = rec.hosts[h]?.changedOps ?? [];
      assert.ok(ran.includes("file /srv/e2e-pend/conf"), `${h}: ${ran}`);
      assert.ok(!ran.includes("file /srv/e2e-pend/after"), `${h} went on after the signal`);
      assert.ok((rec.hosts[h]?.skipped ?? 0) > 0);
      const left = await onHost(h, "test -e /srv/e2e-pend/after && echo after; ls -d /tmp/bosun-run.* 2>/dev/null | wc -l");
      assert.equal(left.stdout.trim(), "0", `${h}: nothing after the stop, and its work dir removed`);
    }
  });

  it("a second signal cuts the run at once; it is still recorded, and the next apply first runs the handlers it left pending", async () => {
    const state = tempDir();
    await onHost(A, "rm -f /srv/e2e-pend/reloads");
    const run = new LiveRun(runArgs("apply", PENDING, [A]), { BOSUN_STATE_DIR: state, E2E_VERSION: "2nd", E2E_SLOW: "3" });
    await run.waitFor(applying(A));
    await sleep(1000); // conf is written (it notified reload), the slow step runs
    run.signal("SIGINT");
    await sleep(100);
    run.signal("SIGINT");
    const end = await run.done;
    assert.equal(end.code, 130, `killed by ${end.signal}: ${end.stderr}`);
    const records = runsIn(state);
    assert.equal(records.length, 1, "the cut run is recorded");
    assert.equal(records[0]?.interrupted, true);
    await sleep(3000); // the host's script ends on its own (no reader left): its handler must not be lost
    const between = await onHost(A, "cat /srv/e2e-pend/conf; cat /srv/e2e-pend/reloads 2>/dev/null | wc -l");
    assert.equal(between.stdout, "v2nd\n0\n", "changed, its handler not run");

    const next = new LiveRun(runArgs("apply", PENDING, [A]), { BOSUN_STATE_DIR: state, E2E_VERSION: "2nd", E2E_SLOW: "0" });
    const done = await next.done;
    assert.equal(done.code, 0, done.stderr);
    const resumed = done.events.find((e) => e.type === "handlers_resumed");
    assert.deepEqual(resumed?.handlers, ["reload"], "the next run says it runs the pending handler");
    assert.ok(done.events.some((e) => e.type === "handler_ran" && e.handler === "reload" && e.changed === true));
    const after = await onHost(A, "cat /srv/e2e-pend/reloads; ls -d /tmp/bosun-run.* 2>/dev/null | wc -l");
    assert.equal(after.stdout, "reloaded\n0\n", "the handler ran once, and the cut run's work dir is gone");
  });

  it("records every run that started, whatever the moment of the SIGINT", async () => {
    const state = tempDir();
    const moments: [string, (e: LiveEvent) => boolean][] = [
      ["at the start", (e) => e.type === "run_started"],
      ["after planning", (e) => e.type === "op_planned"],
      ["while applying", applying()],
      ["at the recap, while connections close", (e) => e.type === "recap"],
    ];
    for (const [i, [when, pred]] of moments.entries()) {
      const run = new LiveRun(runArgs("apply", PENDING, [A, B]), { BOSUN_STATE_DIR: state, E2E_VERSION: `m${i}`, E2E_SLOW: "1" });
      await run.waitFor(pred);
      run.signal("SIGINT");
      const end = await run.done;
      assert.notEqual(end.code, null, `${when}: killed by ${end.signal} (no chance to record)`);
      assert.equal(runsIn(state).length, i + 1, `${when}: recorded`);
    }
  });
});

describe("concurrent runs", () => {
  it("a second apply of the same site on the same state dir is refused at once, naming the run that holds the lock", async () => {
    const state = tempDir();
    // Slow enough that the second CLI (a few seconds to start on a busy machine) meets it; cut short below.
    const first = new LiveRun(runArgs("apply", PENDING, [A]), { BOSUN_STATE_DIR: state, E2E_VERSION: "c1", E2E_SLOW: "30" });
    await first.waitFor(applying(A));
    const second = await bosun([...runArgs("apply", PENDING, [B]), "--json"], { env: { BOSUN_STATE_DIR: state, E2E_SLOW: "0" } });
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`another run holds the lock for .*pending\\.ts: pid ${first.child.pid} \\(bosun apply`));
    assert.doesNotMatch(second.stderr, /\n\s+at /, "no stack trace");
    first.signal("SIGINT");
    await sleep(100);
    first.signal("SIGINT");
    assert.equal((await first.done).code, 130);
    assert.equal(runsIn(state).length, 1, "only the run that held the lock ran");
  });

  it("runs of different sites on one state dir both run, and state.json keeps both hosts' results", async () => {
    const state = tempDir();
    const runs = [
      new LiveRun(runArgs("apply", PENDING, [A]), { BOSUN_STATE_DIR: state, E2E_SLOW: "1" }),
      new LiveRun(runArgs("apply", "test/e2e/sites/apt-lock.ts", [B]), { BOSUN_STATE_DIR: state }),
    ];
    const ends = await Promise.all(runs.map((r) => r.done));
    for (const e of ends) assert.equal(e.code, 0, e.stderr);
    const st = JSON.parse(execFileSync("cat", [`${state}/state.json`]).toString());
    assert.deepEqual(Object.keys(st).sort(), [A, B].sort());
  });

  it("waits for apt's lists lock on the host instead of failing", async () => {
    // Another apt on the host holds the lists lock (fcntl, as apt takes it) for 4 s.
    const hold = onHost(
      A,
      `apt-get remove -y -q jq >/dev/null 2>&1; perl -e 'use Fcntl; open(F, ">>", "/var/lib/apt/lists/lock") or die; my $l = pack("s s x4 q q l x4", F_WRLCK, 0, 0, 0, 0); fcntl(F, F_SETLKW, $l) or die "lock: $!"; print "held\\n"; sleep 4'`,
    );
    await sleep(1500);
    const start = Date.now();
    const r = await bosun([...runArgs("apply", "test/e2e/sites/apt-lock.ts", [A]), "--json"], { env: { BOSUN_STATE_DIR: tempDir() } });
    assert.equal(r.code, 0, r.stdout.slice(-2000) + r.stderr);
    assert.ok(Date.now() - start > 1500, "it had to wait for the lock");
    assert.match((await hold).stdout, /held/);
  });
});

describe("lost connections", () => {
  it("a host whose connection drops during the apply is unreachable (exit 4), with what it reported before the drop", async () => {
    const state = tempDir();
    const run = new LiveRun(runArgs("apply", PENDING, [B]), { BOSUN_STATE_DIR: state, E2E_VERSION: "cut", E2E_SLOW: "4" });
    try {
      await run.waitFor(applying(B));
      await sleep(1500);
      link(B, "down");
      const end = await run.done;
      assert.equal(end.code, 4, end.stderr);
      const fin = end.events.find((e) => e.type === "host_finished" && e.host === B) as { status: string; error: string } | undefined;
      assert.equal(fin?.status, "unreachable");
      assert.match(fin?.error ?? "", /connection|not responding|closed/i);
      const rec = runsIn(state).at(-1) as { exitCode: number; hosts: Record<string, { status: string; changedOps: string[] }> };
      assert.equal(rec.exitCode, 4);
      assert.equal(rec.hosts[B]?.status, "unreachable");
      assert.ok(
        rec.hosts[B]?.changedOps.includes("file /srv/e2e-pend/conf"),
        `recorded what the host reported: ${rec.hosts[B]?.changedOps}`,
      );
      assert.ok(!end.events.some((e) => e.type === "op_failed" && e.op === "(plan)"), "not reported as a planning failure");
    } finally {
      link(B, "up");
    }
  });

  it("a silent host does not hold up a healthy one", async () => {
    const state = tempDir();
    link(B, "down");
    try {
      const run = new LiveRun([...runArgs("apply", PENDING, [A, B]), "--connect-timeout", "2"], { BOSUN_STATE_DIR: state, E2E_SLOW: "0" });
      const healthy = await run.waitFor((e) => e.type === "host_finished" && e.host === A);
      const end = await run.done;
      assert.equal(healthy.status, "changed");
      assert.ok(Date.now() - run.startedAt > 0);
      const healthyAt = end.events.indexOf(healthy);
      const silentAt = end.events.findIndex((e) => e.type === "host_finished" && e.host === B);
      assert.ok(healthyAt < silentAt, "the healthy host finished first");
      assert.equal(end.code, 4);
      assert.ok(end.endedAt - run.startedAt < 60_000, `the run took ${end.endedAt - run.startedAt} ms`);
    } finally {
      link(B, "up");
    }
  });
});

describe("secrets on the host", () => {
  it("an unprivileged user on the host never reads a secret file's temp copy while it is written", async () => {
    const state = tempDir();
    // nobody reads every temp file next to the target, as fast as it can, while three rewrites happen.
    const reader = onHost(
      A,
      `mkdir -p /srv/e2e-sec && chmod 755 /srv/e2e-sec; end=$(($(date +%s) + 40)); n=0; while [ $(date +%s) -lt $end ] && [ ! -e /tmp/e2e-sec-done ]; do su -s /bin/sh nobody -c 'cat /srv/e2e-sec/.bosun-tmp.* 2>/dev/null' | grep -c TOKEN= ; n=$((n+1)); done | sort -u | tr '\\n' ' '; echo; rm -f /tmp/e2e-sec-done`,
    );
    for (const secret of ["s3cret-one-aaaa", "s3cret-two-bbbb", "s3cret-three-cc"]) {
      const r = await bosun([...runArgs("apply", "test/e2e/sites/secret-file.ts", [A]), "--json"], {
        env: { BOSUN_STATE_DIR: state, E2E_SECRET: secret },
      });
      assert.equal(r.code, 0, r.stderr);
    }
    await onHost(A, "touch /tmp/e2e-sec-done");
    const seen = (await reader).stdout.trim();
    assert.equal(seen, "0", `lines of a temp copy nobody could read, per attempt: ${seen}`);
    const mode = await onHost(
      A,
      "stat -c %a /srv/e2e-sec/app.env; su -s /bin/sh nobody -c 'cat /srv/e2e-sec/app.env' >/dev/null 2>&1 || echo denied",
    );
    assert.equal(mode.stdout, "640\ndenied\n");
  });
});
