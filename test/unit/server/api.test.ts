import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import type { LoadedConfig } from "../../../src/config/load.js";
import { ConfigSchema } from "../../../src/config/schema.js";
import { mask } from "../../../src/server/api.js";
import { buildApp } from "../../../src/server/app.js";
import { GitSource } from "../../../src/server/git.js";
import { Metrics } from "../../../src/server/metrics.js";
import { Reconciler } from "../../../src/server/reconciler.js";
import { SqliteStorage } from "../../../src/server/sqlite.js";
import type { ServerRun } from "../../../src/server/storage.js";
import { hashToken } from "../../../src/server/tokens.js";
import { registerSecret } from "../../../src/vault/redact.js";

const root = mkdtempSync(path.join(os.tmpdir(), "bosun-unit-api-"));
const OPS = "bsn_operator-token-for-tests-0123456789abcdefghijk";
const VIEW = "bsn_read-token-for-tests-0123456789abcdefghijklmno";
let app: FastifyInstance;
let storage: SqliteStorage;
let reconciler: Reconciler;
let ready = true;
let head = "";

const git = (...args: string[]) => execFileSync("git", ["-C", path.join(root, "work"), ...args], { encoding: "utf8" }).trim();

before(async () => {
  mkdirSync(path.join(root, "work"));
  git("init", "-q", "-b", "main");
  writeFileSync(path.join(root, "work", "README"), "infra\n");
  git("add", ".");
  git("-c", "user.name=Ann", "-c", "user.email=ann@example.com", "commit", "-qm", "first");
  head = git("rev-parse", "HEAD");
  const config = ConfigSchema.parse({
    state_dir: path.join(root, "state"),
    server: {
      repo: path.join(root, "work"),
      environments: { dev: { site: "missing-site.ts", inventory: "inventory.yml", policy: "auto" } },
      tokens: [
        { name: "ops", scope: "operator", sha256: hashToken(OPS) },
        { name: "viewer", scope: "read", sha256: hashToken(VIEW) },
      ],
    },
  });
  const loaded: LoadedConfig = { config, sources: {}, files: [] };
  storage = new SqliteStorage(path.join(root, "state", "server", "server.db"));
  const metrics = new Metrics();
  const source = new GitSource(config.server.repo as string, "main", path.join(root, "state", "server"));
  reconciler = new Reconciler({ storage, git: source, config: loaded, metrics, notify: async () => {} });
  app = buildApp({ server: config.server, storage, reconciler, metrics, streams: new Set(), ready: () => ready });
  await app.ready();
});

after(async () => {
  await app.close();
  await reconciler.stop(10_000);
  storage.close();
  rmSync(root, { recursive: true, force: true });
});

const as = (token: string | undefined, method: "GET" | "POST", url: string, payload?: unknown) =>
  app.inject({ method, url, payload: payload as object, headers: token ? { authorization: `Bearer ${token}` } : {} });

/** Waits until run id has finished. */
async function finished(id: number): Promise<ServerRun> {
  for (let i = 0; i < 200; i++) {
    const r = storage.get(id);
    if (r && r.status !== "queued" && r.status !== "running") return r;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`run ${id} did not finish`);
}

describe("HTTP API", () => {
  it("health needs no token; readiness follows the server's state", async () => {
    assert.equal((await as(undefined, "GET", "/healthz")).statusCode, 200);
    assert.equal((await as(undefined, "GET", "/readyz")).statusCode, 200);
    ready = false;
    assert.equal((await as(undefined, "GET", "/readyz")).statusCode, 503);
    ready = true;
  });

  it("refuses the API without a valid bearer token", async () => {
    const res = await as(undefined, "GET", "/api/runs");
    assert.equal(res.statusCode, 401);
    assert.match(res.headers["www-authenticate"] as string, /Bearer/);
    assert.equal((await as("bsn_wrong", "GET", "/api/runs")).statusCode, 401);
    assert.equal((await as(VIEW, "GET", "/api/whoami")).json().name, "viewer");
  });

  it("a read token reads but may not act", async () => {
    assert.equal((await as(VIEW, "GET", "/api/envs")).json()[0].name, "dev");
    const res = await as(VIEW, "POST", "/api/envs/dev/plan", {});
    assert.equal(res.statusCode, 403);
    assert.match(res.json().error, /scope read; this needs operator/);
  });

  it("an unknown environment or a rollback without a commit is a 400 that says why", async () => {
    const unknown = await as(OPS, "POST", "/api/envs/staging/plan", {});
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.json().error, /unknown environment "staging" \(configured: dev\)/);
    const rb = await as(OPS, "POST", "/api/envs/dev/rollback", {});
    assert.equal(rb.statusCode, 400);
    assert.match(rb.json().error, /^body\.commit:/);
  });

  it("an operator's plan is queued with who asked; a run of a missing site fails with the reason recorded", async () => {
    const res = await as(OPS, "POST", "/api/envs/dev/plan", {});
    assert.equal(res.statusCode, 202);
    const run = res.json() as ServerRun;
    assert.equal(run.by, "ops");
    assert.equal(run.commit.sha, head);
    assert.equal(run.commit.author, "Ann <ann@example.com>");
    const done = await finished(run.id);
    assert.equal(done.status, "failed");
    assert.match(done.error ?? "", /missing-site\.ts/);
    assert.ok(storage.auditLog().some((a) => a.who === "ops" && a.action === "queue plan"));
  });

  it("approving a pending plan queues the apply of its commit, recorded with the approver", async () => {
    const plan = storage.enqueue({ env: "dev", kind: "plan", commit: { sha: head, author: "Ann", message: "first" }, by: "alice" });
    storage.update(plan.id, { status: "succeeded", approval: "pending", changes: 2 });
    assert.deepEqual(
      (await as(VIEW, "GET", "/api/approvals")).json().map((r: ServerRun) => r.id),
      [plan.id],
    );
    assert.equal((await as(VIEW, "POST", `/api/runs/${plan.id}/approve`)).statusCode, 403);
    const res = await as(OPS, "POST", `/api/runs/${plan.id}/approve`);
    assert.equal(res.statusCode, 202);
    const apply = res.json() as ServerRun;
    assert.equal(apply.kind, "apply");
    assert.equal(apply.parent, plan.id);
    assert.equal(apply.by, "ops");
    assert.equal(storage.get(plan.id)?.approvedBy, "ops");
    assert.equal((await as(OPS, "POST", `/api/runs/${plan.id}/approve`)).statusCode, 400);
    await finished(apply.id);
  });

  it("a finished run streams its recorded events and state as Server-Sent Events, then ends", async () => {
    const r = storage.enqueue({ env: "dev", kind: "plan", commit: { sha: head, author: "Ann", message: "first" }, by: "git" });
    storage.appendEvent(r.id, { type: "host_started", play: "p", host: "web1", phase: "facts" });
    storage.update(r.id, { status: "succeeded" });
    const res = await as(VIEW, "GET", `/api/runs/${r.id}/stream`);
    assert.equal(res.headers["content-type"], "text/event-stream");
    assert.match(res.body, /event: event\ndata: \{"type":"host_started"/);
    assert.match(res.body, /event: run\ndata: \{[^\n]*"status":"succeeded"/);
  });

  it("masks secrets in events streamed live, as in stored ones", () => {
    registerSecret("s3cret-db-password");
    const e = mask({
      type: "op_planned",
      play: "p",
      host: "db1",
      index: 0,
      op: "file /etc/app.env",
      changed: true,
      summary: "content",
      diff: "+DB_PASSWORD=s3cret-db-password",
    });
    assert.equal(e.type === "op_planned" && e.diff, "+DB_PASSWORD=***");
  });

  it("serves metrics and the dashboard", async () => {
    const m = await as(undefined, "GET", "/metrics");
    assert.match(m.body, /bosun_server_queue_depth \d/);
    assert.match(m.body, /bosun_server_runs_total\{env="dev",kind="plan",status="failed"\} 1/);
    const page = await as(undefined, "GET", "/");
    assert.match(page.body, /<script src="\/app\.js"/);
    assert.equal((await as(undefined, "GET", "/app.js")).statusCode, 200);
  });
});
