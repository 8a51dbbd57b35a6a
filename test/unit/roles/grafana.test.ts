import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { Collector, collectInto } from "../../../src/core/collector.js";
import { buildApplyScript, opResult, parseApplyOutput } from "../../../src/engine/script.js";
import { hostSecret } from "../../../src/ops/host-secret.js";
import { createToken, createUser, type GrafanaToken, userExists } from "../../../src/roles/grafana/api.js";
import { dashboardsProviderYaml, datasourcesYaml, nodeDashboard, PROMETHEUS_UID } from "../../../src/roles/grafana/provisioning.js";

const ADMIN_PW = 'adm"in\\pw-x1';
const USER_PW = "user-pw-'quoted'-9";
const TOKEN = "glsa_FAKE_TOKEN_0123456789";

describe("grafana provisioning files", () => {
  it("provision Prometheus as the default datasource with the uid the dashboards use", () => {
    const doc = parse(datasourcesYaml("http://prom:9090", [{ name: "Loki logs", type: "loki", url: "http://loki:3100" }]));
    assert.equal(doc.apiVersion, 1);
    assert.deepEqual(
      doc.datasources.map((d: Record<string, unknown>) => [d.name, d.uid, d.url, d.isDefault]),
      [
        ["Prometheus", PROMETHEUS_UID, "http://prom:9090", true],
        ["Loki logs", "loki-logs", "http://loki:3100", false],
      ],
    );
  });

  it("keep one default datasource when an extra one asks to be the default", () => {
    const doc = parse(datasourcesYaml("http://prom:9090", [{ name: "Other", type: "prometheus", url: "http://x", isDefault: true }]));
    assert.deepEqual(
      doc.datasources.map((d: { isDefault: boolean }) => d.isDefault),
      [false, true],
    );
  });

  it("load dashboards from the dashboards folder; the default dashboard queries that datasource", () => {
    assert.equal(parse(dashboardsProviderYaml()).providers[0].options.path, "/var/lib/grafana/dashboards");
    const d = JSON.parse(nodeDashboard());
    assert.equal(d.uid, "bosun-nodes");
    assert.ok(d.panels.length >= 4 && d.panels.every((p: { datasource: { uid: string } }) => p.datasource.uid === PROMETHEUS_UID));
  });
});

/** A stand-in for Grafana's HTTP API: the endpoints the role calls, with basic auth, recording what it got. */
function fakeGrafana() {
  const users = new Map<string, { id: number; password: string; role?: string }>();
  const accounts: { id: number; name: string; role: string; tokens: string[] }[] = [];
  const body = async (req: IncomingMessage) => {
    let s = "";
    for await (const c of req) s += c;
    return s ? JSON.parse(s) : {};
  };
  const server = createServer(async (req, res) => {
    const send = (code: number, doc: unknown) => res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(doc));
    const auth = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();
    if (auth !== `admin:${ADMIN_PW}`) return send(401, { message: "invalid username or password" });
    const url = new URL(req.url ?? "/", "http://x");
    const json = await body(req);
    if (req.method === "GET" && url.pathname === "/api/users/lookup") {
      const u = users.get(url.searchParams.get("loginOrEmail") ?? "");
      return u ? send(200, { id: u.id }) : send(404, { message: "user not found" });
    }
    if (req.method === "POST" && url.pathname === "/api/admin/users") {
      users.set(json.login, { id: users.size + 2, password: json.password });
      return send(200, { id: users.size + 1 });
    }
    const m = /^\/api\/org\/users\/(\d+)$/.exec(url.pathname);
    if (req.method === "PATCH" && m) {
      for (const u of users.values()) if (u.id === Number(m[1])) u.role = json.role;
      return send(200, { message: "updated" });
    }
    if (req.method === "POST" && url.pathname === "/api/serviceaccounts") {
      accounts.push({ id: accounts.length + 7, name: json.name, role: json.role, tokens: [] });
      return send(201, { id: accounts.length + 6 });
    }
    const t = /^\/api\/serviceaccounts\/(\d+)\/tokens$/.exec(url.pathname);
    const sa = t && accounts.find((a) => a.id === Number(t[1]));
    if (req.method === "POST" && sa) {
      sa.tokens.push(json.name);
      return send(200, { id: 1, name: json.name, key: TOKEN });
    }
    send(404, { message: "not found" });
  });
  return { server, users, accounts };
}

/** Applies the role's token op (hostSecret around createToken) in a real apply script, asynchronously (the fake server answers meanwhile). */
async function applyToken(tok: GrafanaToken, file: string, api: { url: string; curlrc: string } = apiTarget) {
  const op = collectInto(new Collector(), () =>
    hostSecret(`grafana token ${tok.name}`, {
      path: file,
      create: createToken(api, tok),
      vault: { file: "grafana.yml.vault", key: `grafana_token_${tok.name}` },
      owner: os.userInfo().username,
      group: execFileSync("id", ["-gn"], { encoding: "utf8" }).trim(),
    }),
  );
  const { script, token } = buildApplyScript([op], []);
  const stdout = await new Promise<string>((resolve) => {
    const child = execFile("sh", ["-s"], (_err, out) => resolve(out));
    child.stdin?.end(script);
  });
  const outcome = parseApplyOutput(stdout, token);
  return { step: opResult(outcome, 0), secrets: outcome.secrets ?? [], stdout };
}

/** Runs sh text asynchronously (the fake server answers meanwhile); returns its exit code and output. */
function run(script: string, env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile("sh", ["-ec", script], { env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

let apiTarget: { url: string; curlrc: string };

describe("grafana API calls (sh run against a stand-in for Grafana's HTTP API)", () => {
  const fake = fakeGrafana();
  let dir: string;
  let api: { url: string; curlrc: string };
  before(async () => {
    await new Promise<void>((r) => (fake.server as Server).listen(0, "127.0.0.1", r));
    dir = mkdtempSync(path.join(os.tmpdir(), "bosun-grafana-"));
    const curlrc = path.join(dir, "curlrc");
    writeFileSync(curlrc, `user = "admin:${ADMIN_PW.replace(/[\\"]/g, (c) => `\\${c}`)}"\n`, { mode: 0o600 });
    api = { url: `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`, curlrc };
    apiTarget = api;
  });
  after(() => fake.server.close());

  it("create a user once with its vaulted password and role; the guard then says it exists", async () => {
    assert.notEqual((await run(userExists(api, "alice"))).code, 0);
    const r = await run(createUser(api, { login: "alice", password: "x", role: "Editor" }), { BOSUN_GRAFANA_PASSWORD: USER_PW });
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(fake.users.get("alice"), { id: 2, password: USER_PW, role: "Editor" });
    assert.equal((await run(userExists(api, "alice"))).code, 0);
    assert.ok(!r.out.includes(USER_PW) && !createUser(api, { login: "alice", password: "x" }).includes(USER_PW));
  });

  it("create a service account token once into a 0600 file; it comes back only as a Secret for the vault", async () => {
    const file = path.join(dir, "key", "ci.token");
    const r = await applyToken({ name: "ci", role: "Admin" }, file);
    assert.equal(r.step?.status, "changed", r.stdout);
    assert.equal(readFileSync(file, "utf8"), TOKEN);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(
      r.secrets.map((x) => [x.key, x.value.reveal(), String(x.value)]),
      [["grafana_token_ci", TOKEN, "***"]],
    );
    assert.ok(!r.stdout.includes(TOKEN), "the token is not in the script's output as text");
    assert.deepEqual(fake.accounts, [{ id: 7, name: "ci", role: "Admin", tokens: ["ci"] }]);
    const again = await applyToken({ name: "ci", role: "Admin" }, file);
    assert.equal(again.step?.status, "ok");
    assert.equal(fake.accounts.length, 1, "no second service account");
  });

  it("fail, writing no token file and sending nothing back, when the admin credentials are wrong", async () => {
    writeFileSync(api.curlrc, 'user = "admin:wrong"\n');
    const file = path.join(dir, "key", "other.token");
    const r = await applyToken({ name: "other" }, file);
    assert.equal(r.step?.status, "failed");
    assert.match(r.step?.output ?? "", /401/);
    assert.deepEqual(r.secrets, []);
    assert.throws(() => statSync(file));
  });
});
