/**
 * `bosun serve` end to end: a real bare repository, the real server process on loopback, real lab
 * hosts, and a real browser (Debian's chromium driven by playwright-core) on the dashboard.
 * Hosts: BOSUN_E2E_SERVER_HOSTS (three lab hosts: the first is "dev", the other two "prod").
 */
import assert from "node:assert/strict";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import type { ServerRun } from "../../src/server/storage.js";
import { hashToken, newToken } from "../../src/server/tokens.js";
import { onHost, tempDir } from "./helpers.js";
import { artifactsDir, freePort, ServerProcess, SITE_DIR, TrackedRepo, WebhookReceiver, waitFor } from "./server-kit.js";

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
/** Waits for the run of env/kind at commit that matches `status`. */
const runOf = (env: string, kind: string, commit: string, status: string, timeoutMs = 90_000) =>
  waitFor(
    `${kind} of ${commit.slice(0, 8)} in ${env} to be ${status}`,
    async () => (await runs()).find((r) => r.env === env && r.kind === kind && r.commit.sha === commit && r.status === status),
    timeoutMs,
  );
const content = async (host: string) => (await onHost(host, `cat ${SITE_DIR}/version 2>/dev/null || echo none`)).stdout.trim();

before(async () => {
  // Fail, never skip: the browser is part of what this test proves.
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  rmSync(path.join(shots, "server.log"), { force: true });
  await Promise.all(HOSTS.map((h) => onHost(h, `rm -rf ${SITE_DIR}`)));
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
});

after(async () => {
  await browser?.close();
  if (server) await server.stop("SIGTERM");
  await hook.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe("bosun serve", { timeout: 300_000 }, () => {
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

  it("rollback to the previous commit restores the old content on the hosts", async () => {
    const rb = await api<ServerRun>("POST", "/api/envs/prod/rollback", { commit: sha.v1 });
    assert.equal(rb.kind, "rollback");
    await runOf("prod", "rollback", sha.v1 as string, "succeeded");
    for (const h of PROD) assert.equal(await content(h), "v1");
    const hosts = await api<{ env: string; host: string; commit: string }[]>("GET", "/api/hosts");
    for (const h of PROD) assert.equal(hosts.find((x) => x.env === "prod" && x.host === h)?.commit, sha.v1);
  });

  it("kill -9 in the middle of a run leaves it recorded as interrupted after the restart", async () => {
    // Re-apply v3 with its slow step to do again: a run that is surely in flight when the process dies.
    await onHost(DEV, `rm -f ${SITE_DIR}/slow-v3`);
    const queued = await api<ServerRun>("POST", "/api/envs/dev/apply", { ref: sha.v3 });
    await waitFor("the apply to run", async () => (await api<ServerRun>("GET", `/api/runs/${queued.id}`)).status === "running");
    assert.equal(await server.stop("SIGKILL"), null);
    server = new ServerProcess(writeConfig(), port);
    await server.start();
    const reread = await api<ServerRun>("GET", `/api/runs/${queued.id}`);
    assert.equal(reread.status, "interrupted");
    assert.match(reread.error ?? "", /server stopped during this run/);
  });
});
