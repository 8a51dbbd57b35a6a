/**
 * `bosun serve` end to end: a real bare repository, the real server process on loopback, real lab
 * hosts, and a real browser (Debian's chromium driven by playwright-core) on the dashboard.
 * Hosts: BOSUN_E2E_SERVER_HOSTS (three lab hosts: the first is "dev", the other two "prod").
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { runLockFile } from "../../src/engine/run-lock.js";
import { stageLockKey } from "../../src/pipeline/lock.js";
import type { ServerRun } from "../../src/server/storage.js";
import { hashToken, newToken } from "../../src/server/tokens.js";
import { bosun, onHost, tempDir } from "./helpers.js";
import {
  artifactsDir,
  freePort,
  makeTestCa,
  ServerProcess,
  SITE_DIR,
  STAGE_DIR,
  TrackedRepo,
  WebhookReceiver,
  waitFor,
  writeStagePipeline,
} from "./server-kit.js";

const HOSTS = (process.env.BOSUN_E2E_SERVER_HOSTS ?? "web19,web20,db10").split(",");
const [DEV, ...PROD] = HOSTS as [string, string, string];
const CHROMIUM = "/usr/bin/chromium";
const OPS = newToken();
const VIEWER = newToken();

const dir = tempDir("bosun-e2e-server-");
const repo = new TrackedRepo(dir);
const hook = new WebhookReceiver();
let server: ServerProcess;
/** One port for every start: the dashboard's origin (and the token it keeps) stays the same across restarts. */
let port = 0;
let browser: BrowserContext;
let page: Page;
const shots = artifactsDir();
const sha: Record<string, string> = {};

/** Writes the server's bosun.toml: the two environments, tokens, and optionally drift checks and a webhook. */
function writeConfig(drift?: { schedule: string; webhook: string }): string {
  const file = path.join(dir, "bosun.toml");
  writeFileSync(
    file,
    `state_dir = "${path.join(dir, "state")}"

[server]
listen = "127.0.0.1:${port}"
repo = "${repo.bare}"
pipeline = "pipeline.ts"
poll_interval = 1
grace_period = 3
drift_schedule = "${drift?.schedule ?? ""}"
webhooks = [${drift ? `"${drift.webhook}"` : ""}]

[[server.tokens]]
name = "ops"
scope = "operator"
sha256 = "${hashToken(OPS)}"

[[server.tokens]]
name = "viewer"
scope = "read"
sha256 = "${hashToken(VIEWER)}"

[server.environments.dev]
site = "site.ts"
inventory = "lab"
limit = "${DEV}"
policy = "auto"

[server.environments.prod]
site = "site.ts"
inventory = "lab"
limit = "${PROD.join(",")}"
policy = "approve"
`,
  );
  return file;
}

async function api<T = unknown>(method: string, url: string, body?: unknown, token = OPS): Promise<T> {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${data.error}`);
  return data;
}

const runs = () => api<ServerRun[]>("GET", "/api/runs?limit=200");
/** Waits until run id has ended (neither queued nor running) and returns its detail. */
const runEnded = <T extends ServerRun = ServerRun>(what: string, id: number) =>
  waitFor(
    what,
    async () => {
      const r = await api<T>("GET", `/api/runs/${id}`);
      return r.status !== "queued" && r.status !== "running" && r;
    },
    90_000,
  );
/** Waits for the run of env/kind at commit that matches `status`. */
const runOf = (env: string, kind: string, commit: string, status: string, timeoutMs = 90_000) =>
  waitFor(
    `${kind} of ${commit.slice(0, 8)} in ${env} to be ${status}`,
    async () => (await runs()).find((r) => r.env === env && r.kind === kind && r.commit.sha === commit && r.status === status),
    timeoutMs,
  );
const stageVersion = async (host: string) => (await onHost(host, `cat ${STAGE_DIR}/version 2>/dev/null || echo none`)).stdout.trim();
/** Returns the runs.jl records of the server's state dir. */
const runsJl = () =>
  readFileSync(path.join(dir, "state", "runs.jl"), "utf8")
    .trim()
    .split("\n")
    .map(
      (l) => JSON.parse(l) as { id: string; interrupted: boolean; exitCode: number; aborted?: string; origin?: Record<string, unknown> },
    );
const content = async (host: string) => (await onHost(host, `cat ${SITE_DIR}/version 2>/dev/null || echo none`)).stdout.trim();

before(async () => {
  // Fail, never skip: the browser is part of what this test proves.
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  rmSync(path.join(shots, "server.log"), { force: true });
  await Promise.all(HOSTS.map((h) => onHost(h, `rm -rf ${SITE_DIR} ${STAGE_DIR}`)));
  writeStagePipeline(repo, DEV);
  sha.v1 = repo.push("v1");
  port = await freePort();
  server = new ServerProcess(writeConfig(), port);
  await server.start();
  browser = await chromium.launchPersistentContext(path.join(dir, "chromium-profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  // A shared CI machine can be slow to start a browser's first page: wait longer than playwright's 30 s.
  page.setDefaultTimeout(90_000);
});

after(async () => {
  await browser?.close();
  if (server) await server.stop("SIGTERM");
  await hook.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe("bosun serve", { timeout: 1_200_000 }, () => {
  it("a pushed commit is planned and auto-applied in dev, and the dashboard shows it live", async () => {
    await page.goto(server.url);
    await page.locator("#token").fill(OPS);
    await page.locator("#login button").click();
    await page.waitForSelector("#who:text('ops (operator)')");
    const apply = await runOf("dev", "apply", sha.v1 as string, "succeeded");
    assert.equal(apply.commit.message, "deploy v1");
    assert.equal(apply.commit.author, "Ann Ops <ann@example.com>");
    // The page was opened before the apply ran: its row got there through the event stream.
    await page.waitForSelector(`#runs tr[data-run="${apply.id}"] td.status[data-status="succeeded"]`, { timeout: 10_000 });
    assert.equal(await content(DEV), "v1");
    assert.equal(await content(PROD[0]), "none", "prod waits for an approval");
  });

  it("a plan triggered in the browser shows live progress and the final recap", async () => {
    // Record whether events arrived while the run was still going (live, not a replay of a finished run).
    await page.evaluate(() => {
      const w = window as unknown as { sawLive: boolean };
      w.sawLive = false;
      new MutationObserver(() => {
        const status = document.querySelector("#run-status")?.getAttribute("data-status");
        if ((status === "running" || status === "queued") && document.querySelectorAll("#events li").length > 0) w.sawLive = true;
      }).observe(document.body, { subtree: true, childList: true });
    });
    await page.locator('#envs tr[data-env="dev"] button.plan').click();
    await page.waitForSelector('#run-status[data-status="succeeded"]', { timeout: 60_000 });
    await page.waitForSelector(`#recap tr[data-host="${DEV}"] td.status[data-status="ok"]`);
    assert.equal(await page.evaluate(() => (window as unknown as { sawLive: boolean }).sawLive), true, "saw events before the run ended");
    assert.match(await page.locator("#events").innerText(), /recap: exit code 0/);
    await page.screenshot({ path: path.join(shots, "1-dev-plan-live.png"), fullPage: true });
  });

  it("prod waits for an approval; approved in the browser, it is applied", async () => {
    const plan = await runOf("prod", "plan", sha.v1 as string, "succeeded");
    assert.equal(plan.approval, "pending");
    await page.goto(`${server.url}/#run-${plan.id}`);
    await page.waitForSelector(`#approvals tr[data-run="${plan.id}"] button.approve`);
    assert.match(await page.locator("#diffs").innerText(), /\+v1/, "the plan's diff is shown");
    await page.screenshot({ path: path.join(shots, "2-prod-approval.png"), fullPage: true });
    await page.locator(`#approvals tr[data-run="${plan.id}"] button.approve`).click();
    await page.waitForSelector('#run-status[data-status="succeeded"]', { timeout: 60_000 });
    for (const h of PROD) await page.waitForSelector(`#recap tr[data-host="${h}"] td.status[data-status="changed"]`);
    await page.screenshot({ path: path.join(shots, "3-prod-applied.png"), fullPage: true });
    const apply = await runOf("prod", "apply", sha.v1 as string, "succeeded");
    assert.equal(apply.by, "ops");
    assert.equal(apply.parent, plan.id);
    for (const h of PROD) assert.equal(await content(h), "v1");
    const audit = await api<{ who: string; action: string }[]>("GET", "/api/audit", undefined, VIEWER);
    assert.ok(audit.some((a) => a.who === "ops" && a.action === "approve"));
  });

  it("the next commit reaches dev at once and prod after its approval (through the API)", async () => {
    sha.v2 = repo.push("v2");
    await runOf("dev", "apply", sha.v2, "succeeded");
    const plan = await runOf("prod", "plan", sha.v2, "succeeded");
    await assert.rejects(api("POST", `/api/runs/${plan.id}/approve`, {}, VIEWER), /403/);
    await api("POST", `/api/runs/${plan.id}/approve`, {});
    await runOf("prod", "apply", sha.v2, "succeeded");
    for (const h of HOSTS) assert.equal(await content(h), "v2");
  });

  let queuedDrift: ServerRun;
  let interruptedApply: ServerRun;

  it("SIGTERM during a run stops cleanly: the run is recorded interrupted, queued work stays queued", async () => {
    sha.v3 = repo.push("v3", 8);
    interruptedApply = await runOf("dev", "apply", sha.v3, "running");
    queuedDrift = await api<ServerRun>("POST", "/api/envs/dev/drift", {});
    assert.equal(queuedDrift.status, "queued");
    const t0 = Date.now();
    const code = await server.stop("SIGTERM");
    assert.equal(code, 0, server.output);
    assert.ok(Date.now() - t0 < 30_000, "stopped within the grace period and the in-flight step");
    assert.match(server.output, /grace period over: interrupting runs in flight/);
    assert.match(server.output, /bosun server stopped/);
  });

  it("after a restart the queued work resumes, and the interrupted run says so", async () => {
    const webhook = await hook.listen();
    server = new ServerProcess(writeConfig({ schedule: "*/4 * * * * *", webhook }), port);
    await server.start();
    const stopped = await api<ServerRun>("GET", `/api/runs/${interruptedApply.id}`);
    assert.equal(stopped.status, "interrupted");
    const drift = await waitFor("the queued drift check to run after the restart", async () => {
      const r = await api<ServerRun>("GET", `/api/runs/${queuedDrift.id}`);
      return r.status === "succeeded" && r;
    });
    assert.equal(drift.commit.sha, sha.v2, "a drift check plans the last applied commit");
  });

  it("a manual change on a host is reported by the scheduled drift check: metrics and webhook", async () => {
    const [victim] = PROD;
    await onHost(victim, `echo tampered > ${SITE_DIR}/version`);
    const alert = await waitFor(
      "a drift webhook for prod",
      () => hook.received.find((b) => b.event === "drift" && b.env === "prod" && victim in ((b.hosts as object) ?? {})),
      60_000,
    );
    assert.deepEqual((alert.hosts as Record<string, string[]>)[victim], [`file ${SITE_DIR}/version`]);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /bosun_server_drifted_hosts\{env="prod"\} 1/);
    assert.match(metrics, /bosun_server_runs_total\{env="prod",kind="drift",status="succeeded"\} \d+/);
    assert.match(metrics, /bosun_server_last_reconcile_timestamp_seconds\{repo="[^"]+infra\.git"\} \d/);
    await page.goto(server.url);
    await page.waitForSelector(`#drift tr[data-host="${victim}"]`);
    await page.screenshot({ path: path.join(shots, "4-drift.png"), fullPage: true });
  });

  it("rollback to the previous commit from the dashboard's button restores the old content on the hosts", async () => {
    const v1 = await runOf("prod", "apply", sha.v1 as string, "succeeded");
    await page.goto(`${server.url}/#run-${v1.id}`);
    page.once("dialog", (d) => void d.accept());
    await page.locator("#run-meta button.rollback-commit").click();
    await page.waitForURL((u) => /#run-\d+$/.test(u.hash) && u.hash !== `#run-${v1.id}`);
    const id = Number(/#run-(\d+)$/.exec(page.url())?.[1]);
    await page.waitForSelector('#run-status[data-status="succeeded"]', { timeout: 90_000 });
    await page.screenshot({ path: path.join(shots, "4b-commit-rollback.png"), fullPage: true });
    const rb = await api<ServerRun>("GET", `/api/runs/${id}`);
    assert.deepEqual([rb.kind, rb.env, rb.commit.sha, rb.by], ["rollback", "prod", sha.v1, "ops"]);
    for (const h of PROD) assert.equal(await content(h), "v1");
    const hosts = await api<{ env: string; host: string; commit: string }[]>("GET", "/api/hosts");
    for (const h of PROD) assert.equal(hosts.find((x) => x.env === "prod" && x.host === h)?.commit, sha.v1);
  });

  it("the dashboard draws each stage's typed inputs as a form; a bad semver is refused on its field; a run from the form is applied, verified and its version recorded", async () => {
    await page.goto(server.url);
    const form = page.locator('form.stage[data-stage="6-app"]');
    await form.waitFor();
    assert.equal(await form.locator('input[name="version"]').getAttribute("type"), "text");
    assert.equal(await form.locator('input[name="host"]').inputValue(), DEV, "the default is filled in");
    assert.equal(await form.locator('select[name="channel"]').inputValue(), "stable");
    assert.equal(await form.locator('input[name="maintenance"]').getAttribute("type"), "checkbox");
    assert.equal(await form.locator('input[name="maintenance"]').isChecked(), false);
    assert.equal(await form.locator('input[name="slow"]').inputValue(), "0");
    assert.equal(await form.locator(".confirm").isHidden(), true, "dev needs no confirmation");

    await form.locator('input[name="version"]').fill("1.x");
    await form.locator("button.run").click();
    const error = form.locator('.field-error[data-field="version"]');
    await waitFor(
      "the field error",
      async () => /expected a semantic version like 1\.4\.2, found "1\.x"/.test(await error.innerText()),
      10_000,
    );
    assert.equal(await form.locator('input[name="version"]').getAttribute("aria-invalid"), "true");
    await page.screenshot({ path: path.join(shots, "5-stage-bad-semver.png"), fullPage: true });

    await form.locator('input[name="version"]').fill("1.4.2");
    await form.locator('select[name="channel"]').selectOption("beta");
    await form.locator('input[name="maintenance"]').check();
    await form.locator("button.run").click();
    await page.waitForURL(/#run-\d+$/);
    const id = Number(/#run-(\d+)$/.exec(page.url())?.[1]);
    await page.waitForSelector('#run-status[data-status="succeeded"]', { timeout: 90_000 });
    const events = await page.locator("#events").innerText();
    assert.match(events, new RegExp(`✓ verify ${DEV} app version`));
    assert.match(events, /stage 6-app in dev: ok/);
    assert.equal(await error.innerText(), "", "the old field error is gone");
    await page.waitForSelector(`#versions tr[data-stage="6-app"][data-host="${DEV}"] td.version:text("1.4.2")`, { timeout: 10_000 });
    await page.screenshot({ path: path.join(shots, "6-stage-run.png"), fullPage: true });

    assert.equal(await stageVersion(DEV), "1.4.2");
    assert.equal((await onHost(DEV, `cat ${STAGE_DIR}/channel`)).stdout.trim(), "beta maintenance=true");
    const run = await api<ServerRun>("GET", `/api/runs/${id}`);
    assert.deepEqual([run.kind, run.stage, run.by, run.inputs?.version], ["stage", "6-app", "ops", "1.4.2"]);
    const versions = await api<{ status: { env: string; stage: string; host: string; version: string; by: string }[] }>(
      "GET",
      "/api/pipeline/versions",
      undefined,
      VIEWER,
    );
    assert.deepEqual(
      versions.status.filter((v) => v.env === "dev").map((v) => [v.host, v.version, v.by]),
      [[DEV, "1.4.2", "ops"]],
    );
    // The same run API as the CLI: the engine run is in runs.jl with the stage's origin.
    const record = runsJl().find((r) => r.id === run.runId);
    assert.deepEqual([record?.origin?.via, record?.origin?.stage, record?.origin?.env], ["server", "6-app", "dev"]);
  });

  it("prod needs the confirm field; a read token cannot run a stage; a stage rollback from the API restores the previous version", async () => {
    await assert.rejects(api("POST", "/api/pipeline/envs/dev/stages/6-app/run", { inputs: { version: "2.0.0" } }, VIEWER), /403/);
    const res = await fetch(`${server.url}/api/pipeline/envs/prod/stages/6-app/run`, {
      method: "POST",
      headers: { authorization: `Bearer ${OPS}`, "content-type": "application/json" },
      body: JSON.stringify({ inputs: { version: "1.4.2", host: PROD[0] } }),
    });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { fields: Record<string, string> }).fields.confirm ?? "", /prod requires confirmation/);
    const prod = await api<ServerRun>("POST", "/api/pipeline/envs/prod/stages/6-app/run", {
      inputs: { version: "1.4.2", host: PROD[0] },
      confirm: true,
    });
    await waitFor("the prod stage run", async () => (await api<ServerRun>("GET", `/api/runs/${prod.id}`)).status === "succeeded", 90_000);
    assert.equal(await stageVersion(PROD[0]), "1.4.2");

    const next = await api<ServerRun>("POST", "/api/pipeline/envs/dev/stages/6-app/run", { inputs: { version: "1.5.0" } });
    await waitFor("1.5.0 in dev", async () => (await api<ServerRun>("GET", `/api/runs/${next.id}`)).status === "succeeded", 90_000);
    assert.equal(await stageVersion(DEV), "1.5.0");
    const rb = await api<ServerRun>("POST", "/api/pipeline/envs/dev/stages/6-app/rollback", {});
    assert.equal(rb.kind, "stage-rollback");
    const done = await runEnded("the rollback", rb.id);
    assert.equal(done.status, "succeeded", done.error);
    assert.equal(await stageVersion(DEV), "1.4.2");
  });

  it("the server and the CLI running the same stage: the second is refused, naming the holder", async () => {
    const slow = await api<ServerRun>("POST", "/api/pipeline/envs/dev/stages/6-app/run", { inputs: { version: "1.6.0", slow: "40" } });
    await waitFor(
      "the slow stage to hold its lock",
      // stage_started comes once the stage holds its lock.
      async () => (await api<{ events: { type: string }[] }>("GET", `/api/runs/${slow.id}`)).events.some((e) => e.type === "stage_started"),
    );
    const checkout = path.join(dir, "state", "server", "checkouts", slow.commit.sha, "pipeline.ts");
    const cli = await bosun(
      [
        "pipeline",
        "run",
        "6-app",
        "-p",
        checkout,
        "--env",
        "dev",
        "--input",
        "version=1.6.0",
        "--no-typecheck",
        "-c",
        path.join(dir, "bosun.toml"),
      ],
      { env: { NO_COLOR: "1" } },
    );
    assert.notEqual(cli.code, 0);
    assert.match(
      cli.stderr + cli.stdout,
      /dev\/6-app is being run by pid \d+ \(bosun pipeline apply 6-app 1\.6\.0, via server by ops\) since .*: refusing a second run/,
    );
    const done = await runEnded("the server's stage run", slow.id);
    assert.equal(done.status, "succeeded", done.error);
    assert.equal(await stageVersion(DEV), "1.6.0");
  });

  it("a CLI run holding a stage's lock makes the server's run of that stage wait, saying for whom, then run after it", async () => {
    const head = await api<ServerRun[]>("GET", "/api/runs?limit=1");
    const checkout = path.join(dir, "state", "server", "checkouts", (head[0] as ServerRun).commit.sha, "pipeline.ts");
    const lock = runLockFile(path.join(dir, "state"), stageLockKey("shop", "dev", "6-app"));
    const cli = bosun(
      [
        "pipeline",
        "run",
        "6-app",
        "-p",
        checkout,
        "--env",
        "dev",
        "--input",
        "version=1.7.0",
        "--input",
        "slow=12",
        "--no-typecheck",
      ].concat(["-c", path.join(dir, "bosun.toml")]),
      { env: { NO_COLOR: "1" } },
    );
    await waitFor(
      "the CLI to hold the stage lock",
      () => existsSync(lock) && /bosun pipeline apply 6-app 1\.7\.0, via pipeline/.test(readFileSync(lock, "utf8")),
    );
    const queued = await api<ServerRun>("POST", "/api/pipeline/envs/dev/stages/6-app/run", { inputs: { version: "1.8.0" } });
    type Detail = ServerRun & { events: { type: string; holder?: string }[] };
    const waiting = await waitFor("the server's run to wait for the lock", async () => {
      const r = await api<Detail>("GET", `/api/runs/${queued.id}`);
      return r.events.find((e) => e.type === "stage_waiting") && r;
    });
    assert.equal(waiting.status, "running");
    assert.match(
      waiting.events.find((e) => e.type === "stage_waiting")?.holder ?? "",
      /dev\/6-app is being run by pid \d+ \(bosun pipeline apply 6-app 1\.7\.0, via pipeline by .*\) since .*: refusing a second run/,
    );
    assert.ok(!waiting.events.some((e) => e.type === "stage_started"), "the server's stage has not started while the CLI holds the lock");
    const done = await cli;
    assert.equal(done.code, 0, done.stdout + done.stderr);
    const after = await runEnded<Detail>("the server's stage run after the CLI's", queued.id);
    assert.equal(after.status, "succeeded", after.error);
    assert.equal(await stageVersion(DEV), "1.8.0");
    // The stage history: the CLI's 1.7.0, then the server's 1.8.0 (stage runs are recorded in the order they held the lock).
    const { history } = await api<{ history: { env: string; version: string; via: string; result: string }[] }>(
      "GET",
      "/api/pipeline/versions",
    );
    assert.deepEqual(
      history
        .filter((h) => h.env === "dev")
        .slice(-2)
        .map((h) => [h.version, h.via, h.result]),
      [
        ["1.7.0", "pipeline", "ok"],
        ["1.8.0", "server", "ok"],
      ],
    );
  });

  it("the dashboard's Roll back button of a stage re-applies its previous version: the rollback run is recorded and the host has the old content", async () => {
    assert.equal(await stageVersion(DEV), "1.8.0");
    await page.goto(server.url);
    const form = page.locator('form.stage[data-stage="6-app"]');
    await form.waitFor();
    await page.locator("#pipeline-env").selectOption("dev");
    await form.locator("button.rollback").click();
    await page.waitForURL(/#run-\d+$/);
    const id = Number(/#run-(\d+)$/.exec(page.url())?.[1]);
    await page.waitForSelector('#run-status[data-status="succeeded"]', { timeout: 90_000 });
    assert.match(await page.locator("#events").innerText(), /stage 6-app in dev: /);
    await page.screenshot({ path: path.join(shots, "7-stage-rollback.png"), fullPage: true });
    const run = await api<ServerRun>("GET", `/api/runs/${id}`);
    assert.deepEqual([run.kind, run.stage, run.env, run.by, run.status], ["stage-rollback", "6-app", "dev", "ops", "succeeded"]);
    assert.equal(await stageVersion(DEV), "1.7.0", "the version before 1.8.0 is back on the host");
    await page.waitForSelector(`#versions tr[data-stage="6-app"][data-host="${DEV}"] td.version:text("1.7.0")`, { timeout: 10_000 });
  });

  it("kill -9 in the middle of a run leaves it recorded as interrupted after the restart", async () => {
    // Re-apply v3 with its slow step to do again: a run that is surely in flight when the process dies.
    await onHost(DEV, `rm -f ${SITE_DIR}/slow-v3`);
    const queued = await api<ServerRun>("POST", "/api/envs/dev/apply", { ref: sha.v3 });
    // Killed once the engine run has started (and marked itself active): its record is what runs.jl must get.
    await waitFor("the apply to start its engine run", async () => (await api<ServerRun>("GET", `/api/runs/${queued.id}`)).runId);
    assert.equal(await server.stop("SIGKILL"), null);
    server = new ServerProcess(writeConfig(), port);
    await server.start();
    const reread = await api<ServerRun>("GET", `/api/runs/${queued.id}`);
    assert.equal(reread.status, "interrupted");
    assert.match(reread.error ?? "", /server stopped during this run/);
    // The audit log too: the engine run it was in the middle of is in runs.jl, interrupted.
    assert.ok(reread.runId, "the engine run's id was kept when it started");
    const record = runsJl().find((r) => r.id === reread.runId);
    assert.ok(record, "the killed run is in runs.jl");
    assert.equal(record.interrupted, true);
    assert.equal(record.exitCode, 130);
    assert.match(record.aborted ?? "", /the process running it \(pid \d+\) died/);
  });

  it("serves HTTPS on the lab bridge with a test CA's certificate, tokens required, reached from a lab host; plain HTTP gets nothing", async () => {
    const bridge = "198.18.0.1";
    const tls = makeTestCa(path.join(dir, "tls"), bridge);
    const tlsPort = await freePort(bridge);
    const file = path.join(dir, "bosun-tls.toml");
    writeFileSync(
      file,
      `state_dir = "${path.join(dir, "state-tls")}"

[server]
listen = "${bridge}:${tlsPort}"
tls_cert = "${tls.cert}"
tls_key = "${tls.key}"
repo = "${repo.bare}"
poll_interval = 0
grace_period = 1

[[server.tokens]]
name = "ops"
scope = "operator"
sha256 = "${hashToken(OPS)}"

# No site: this server's first plan fails at once instead of type-checking while curl waits.
[server.environments.dev]
site = "no-such-site.ts"
inventory = "lab"
limit = "${DEV}"
policy = "approve"
`,
    );
    const tlsServer = new ServerProcess(file, tlsPort);
    await tlsServer.start();
    try {
      assert.equal(tlsServer.url, `https://${bridge}:${tlsPort}`);
      const [client] = PROD;
      // A fresh lab host has no curl: install it from the lab mirror.
      const install = await onHost(
        client,
        "command -v curl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null; }",
      );
      assert.equal(install.code, 0, install.stderr);
      await onHost(client, `mkdir -p /tmp/bosun-e2e && cat > /tmp/bosun-e2e/ca.pem <<'EOF'\n${readFileSync(tls.ca, "utf8")}EOF`);
      const curl = (args: string) => onHost(client, `curl -sS --max-time 30 ${args}`);
      const health = await curl(`--cacert /tmp/bosun-e2e/ca.pem ${tlsServer.url}/healthz`);
      assert.equal(health.stdout.trim(), '{"ok":true}', health.stderr);
      const anonymous = await curl(`--cacert /tmp/bosun-e2e/ca.pem -o /dev/null -w '%{http_code}' ${tlsServer.url}/api/runs`);
      assert.equal(anonymous.stdout.trim(), "401", "the API wants a token");
      const authed = await curl(`--cacert /tmp/bosun-e2e/ca.pem -H 'Authorization: Bearer ${OPS}' ${tlsServer.url}/api/whoami`);
      assert.deepEqual(JSON.parse(authed.stdout), { name: "ops", scope: "operator" });
      const untrusted = await curl(`${tlsServer.url}/healthz`);
      assert.notEqual(untrusted.code, 0, "without the CA the certificate is not trusted");
      const plain = await curl(`http://${bridge}:${tlsPort}/healthz`);
      assert.notEqual(plain.code, 0, "plain HTTP gets no answer");
      assert.doesNotMatch(plain.stdout, /ok/);
    } finally {
      await tlsServer.stop("SIGTERM");
    }
  });
});
