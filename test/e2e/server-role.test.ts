/**
 * The bosunServer role on a real lab host: bosun and a Node 20 runtime shipped from this machine,
 * `bosun serve` under systemd tracking a git repository on that host and applying its commits to the
 * host itself (local transport), health endpoints, HTTPS with the role's certificate and tokens, a
 * clean `systemctl stop` and a restart that keeps the history, and an idempotent second apply.
 * Hosts: BOSUN_E2E_SERVER_ROLE_HOSTS (one lab host).
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, statSync } from "node:fs";
import https from "node:https";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { packBosun, packNodeRuntime } from "../../scripts/pack-server.js";
import { hashToken, newToken } from "../../src/server/tokens.js";
import { onHost, tempDir } from "./helpers.js";
import { applyOk, hostsFromEnv, labHostsNamed, runSite, shOn, vaultInventory } from "./roles-service-kit.js";
import { makeTestCa, waitFor } from "./server-kit.js";

const [HOST] = hostsFromEnv("BOSUN_E2E_SERVER_ROLE_HOSTS", "db12") as [string];
const SITE = "test/e2e/server-role-site.ts";
const REPO = "/srv/git-e2e/infra.git";
const WORK = "/srv/git-e2e/work";
const OUT = "/srv/data/bosun/e2e-out";
const NODE = "/opt/bosun/runtime/bin/node";
const TLS_PORT = 8701;
const OPS = newToken();
const VIEWER = newToken();
const TOKENS = JSON.stringify([
  { name: "ops", scope: "operator", sha256: hashToken(OPS) },
  { name: "viewer", scope: "read", sha256: hashToken(VIEWER) },
]);

const dir = tempDir("bosun-e2e-server-role-");
let inv = "";
let address = "";
let tls: { cert: string; key: string; ca: string };
const vars: Record<string, string> = { repo: REPO };
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** Runs sh on the host as the server's user (its repository is its own, as git wants). */
const asBosun = (cmd: string) =>
  shOn(HOST, `cd / && setpriv --reuid=bosun --regid=bosun --init-groups env HOME=/srv/data/bosun sh -c ${JSON.stringify(cmd)}`);

/** GET url from the host itself with the shipped node: status and body. */
async function localGet(url: string, token?: string): Promise<{ status: number; body: string }> {
  const headers = token ? `{ authorization: "Bearer ${token}" }` : "{}";
  const js = `fetch("${url}", { headers: ${headers} }).then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.text() })))`;
  return JSON.parse(await shOn(HOST, `${NODE} -e '${js}'`));
}

/** GET url over HTTPS from this machine, trusting only the test CA: status and body. */
function tlsGet(url: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca: tls.ca, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${url}: no answer in 10 s`)));
  });
}

/** Commits site.ts writing `message` (and the inventory of the host itself) to the work clone; pushes to the bare repository. */
async function pushOnHost(message: string): Promise<void> {
  const site = `import { deploy, directory, file, role } from "bosun";

const app = role("app", () => {
  directory("${OUT}", { mode: "0755" });
  file("${OUT}/message", { content: "${message}\\n", mode: "0644" });
});

export default deploy("served", [{ hosts: "all", roles: [app()] }]);
`;
  await asBosun(
    [
      `cd ${WORK}`,
      `echo ${b64(site)} | base64 -d > site.ts`,
      `echo ${b64("all:\n  hosts:\n    localhost:\n      bosun_connection: local\n")} | base64 -d > inventory.yml`,
      "git add -A",
      `git -c user.name='Ann Ops' -c user.email=ann@example.com commit -qm 'say ${message}'`,
      "git push -q origin HEAD:main",
    ].join(" && "),
  );
}

const b64 = (text: string) => Buffer.from(text).toString("base64");
const message = async () => (await onHost(HOST, `cat ${OUT}/message 2>/dev/null || echo none`)).stdout.trim();
const unit = async (prop: string) => (await shOn(HOST, `systemctl show -p ${prop} --value bosun-server`)).trim();

before(async () => {
  const [h] = await labHostsNamed([HOST]);
  address = (h as { address: string }).address;
  vars.archive = path.join(dir, "bosun.tar.gz");
  vars.runtime = path.join(dir, "node-runtime.tar.gz");
  const t0 = Date.now();
  const sizes = [packBosun(vars.archive), packNodeRuntime(vars.runtime)];
  console.log(`# packed bosun ${mib(sizes[0] as number)}, node runtime ${mib(sizes[1] as number)} in ${Date.now() - t0} ms`);
  const files = makeTestCa(path.join(dir, "tls"), address);
  tls = { cert: readFileSync(files.cert, "utf8"), key: readFileSync(files.key, "utf8"), ca: readFileSync(files.ca, "utf8") };
  inv = await vaultInventory({ servers: [h as { name: string; address: string }] }, {}, { tls_key: tls.key });
  await onHost(
    HOST,
    "systemctl disable --now bosun-server 2>/dev/null; rm -rf /opt/bosun /etc/bosun /srv/data/bosun /srv/git-e2e /etc/systemd/system/bosun-server.service; userdel bosun 2>/dev/null; groupdel bosun 2>/dev/null; systemctl daemon-reload; true",
  );
});

// The packs are ~46 MiB: not left behind in /tmp.
after(() => rmSync(dir, { recursive: true, force: true }));

describe("role bosunServer (bosun serve under systemd on a lab host)", { timeout: 600_000 }, () => {
  it("installs bosun and its Node runtime, starts the server on loopback; /healthz and /readyz answer", async () => {
    const t0 = Date.now();
    const first = await applyOk(SITE, inv, vars);
    console.log(
      `# first apply (shipping ${mib(statSync(vars.archive as string).size + statSync(vars.runtime as string).size)}): ${Date.now() - t0} ms`,
    );
    assert.ok(first.changed.includes(`${HOST}: unarchive /opt/bosun`), first.changed.join("\n"));
    assert.equal((await shOn(HOST, `${NODE} --version`)).trim(), process.version);
    const health = await waitFor(
      "the server's /healthz",
      async () => (await localGet("http://127.0.0.1:8700/healthz")).status === 200,
      60_000,
    );
    assert.ok(health);
    const ready = await waitFor("/readyz", async () => {
      const r = await localGet("http://127.0.0.1:8700/readyz");
      return r.status === 200 && r;
    });
    assert.match(ready.body, /ok|ready/);
    assert.equal(await unit("User"), "bosun");
  });

  it("tracks a repository on the host: a pushed commit is applied by the server to the host itself", async () => {
    await shOn(HOST, `mkdir -p /srv/git-e2e && chown bosun:bosun /srv/git-e2e`);
    await asBosun(`git init -q --bare -b main ${REPO} && git clone -q ${REPO} ${WORK} 2>/dev/null`);
    await pushOnHost("hello from v1");
    await waitFor("the server to apply v1", async () => (await message()) === "hello from v1", 120_000);
    const runs = JSON.parse((await localGet("http://127.0.0.1:8700/api/runs")).body) as {
      kind: string;
      status: string;
      commit: { message: string };
    }[];
    const apply = runs.find((r) => r.kind === "apply" && r.status === "succeeded");
    assert.equal(apply?.commit.message, "say hello from v1");
  });

  it("a non-loopback address is refused without TLS and tokens: by the role at plan time, by the server on the host", async () => {
    const plan = await runSite("plan", SITE, inv, { ...vars, listen: `${address}:${TLS_PORT}` });
    assert.notEqual(plan.code, 0);
    assert.match(
      plan.stdout + plan.stderr,
      new RegExp(`bosunServer: server.listen ${address}:${TLS_PORT} is not a loopback address: configure tls and tokens first`),
    );
    await shOn(
      HOST,
      `mkdir -p /tmp/refuse && printf '[server]\\nlisten = "${address}:${TLS_PORT}"\\nrepo = "${REPO}"\\n[server.environments.x]\\nsite = "s.ts"\\ninventory = "i.yml"\\n' > /tmp/refuse/bosun.toml && chmod -R a+rX /tmp/refuse`,
    );
    const serve = await onHost(
      HOST,
      `cd /tmp && setpriv --reuid=bosun --regid=bosun --init-groups env PREFIX=/tmp/refuse ${NODE} /opt/bosun/bin/bosun.js serve -c /tmp/refuse/bosun.toml`,
    );
    assert.notEqual(serve.code, 0);
    assert.match(serve.stderr, /is not a loopback address: configure tls_cert and tls_key and tokens first/);
    assert.doesNotMatch(serve.stderr, /\n\s+at /, "no stack trace");
  });

  it("with the role's certificate, its vaulted key and tokens on the lab address: HTTPS, 401 without a token, 200 with one", async () => {
    Object.assign(vars, { listen: `${address}:${TLS_PORT}`, tokens: TOKENS, tls_cert: tls.cert });
    const r = await applyOk(SITE, inv, vars);
    assert.doesNotMatch(r.stdout + r.stderr, /PRIVATE KEY-----\n[A-Za-z0-9+/]/, "the key is never in the run's output");
    assert.equal(
      (await shOn(HOST, "stat -c '%U:%G %a' /etc/bosun/tls/server.key /etc/bosun/tls/server.crt")).trim(),
      "bosun:bosun 600\nbosun:bosun 644",
    );
    const url = `https://${address}:${TLS_PORT}`;
    const health = await waitFor("HTTPS /healthz from this machine", async () => {
      const h = await tlsGet(`${url}/healthz`);
      return h.status === 200 && h;
    });
    assert.equal(health.body, '{"ok":true}');
    assert.equal((await tlsGet(`${url}/readyz`)).status, 200);
    assert.equal((await tlsGet(`${url}/api/runs`)).status, 401);
    const runs = await tlsGet(`${url}/api/runs`, VIEWER);
    assert.equal(runs.status, 200);
    assert.ok((JSON.parse(runs.body) as unknown[]).length > 0, "the runs from before the restart are listed");
  });

  it("a second apply of the same site changes nothing", async () => {
    const again = await applyOk(SITE, inv, vars);
    assert.deepEqual(again.changed, []);
  });

  it("systemctl stop ends the server cleanly; started again it is healthy, keeps its history and applies new commits", async () => {
    const url = `https://${address}:${TLS_PORT}`;
    const before = (JSON.parse((await tlsGet(`${url}/api/runs?limit=200`, VIEWER)).body) as unknown[]).length;
    const since = Math.floor(Date.now() / 1000) - 1;
    await shOn(HOST, "systemctl stop bosun-server");
    assert.deepEqual([await unit("ActiveState"), await unit("Result"), await unit("ExecMainStatus")], ["inactive", "success", "0"]);
    const journal = await shOn(HOST, `journalctl -u bosun-server --no-pager -o cat --since @${since}`);
    assert.match(journal, /INFO stopping module=server signal=SIGTERM/);
    assert.match(journal, /INFO bosun server stopped/);
    await shOn(HOST, "systemctl start bosun-server");
    await waitFor("HTTPS /readyz after the restart", async () => (await tlsGet(`${url}/readyz`)).status === 200);
    const after = JSON.parse((await tlsGet(`${url}/api/runs?limit=200`, VIEWER)).body) as unknown[];
    assert.ok(after.length >= before, `runs before the stop: ${before}, after the restart: ${after.length}`);
    await pushOnHost("hello from v2");
    await waitFor("the server to apply v2 after the restart", async () => (await message()) === "hello from v2", 120_000);
  });

  it("a new certificate and key (vaulted) are delivered and the server restarts to serve them: the old CA no longer verifies it", async () => {
    const pid = await unit("MainPID");
    const files = makeTestCa(path.join(dir, "tls2"), address);
    const old = tls;
    tls = { cert: readFileSync(files.cert, "utf8"), key: readFileSync(files.key, "utf8"), ca: readFileSync(files.ca, "utf8") };
    const [h] = await labHostsNamed([HOST]);
    inv = await vaultInventory({ servers: [h as { name: string; address: string }] }, {}, { tls_key: tls.key });
    const r = await applyOk(SITE, inv, { ...vars, tls_cert: tls.cert });
    for (const f of ["server.crt", "server.key"])
      assert.ok(
        r.changed.some((c) => c.endsWith(`/etc/bosun/tls/${f}`)),
        r.changed.join("\n"),
      );
    assert.notEqual(await unit("MainPID"), pid, "restarted by the handler");
    const url = `https://${address}:${TLS_PORT}`;
    await waitFor("the new certificate to be served", async () => (await tlsGet(`${url}/healthz`)).status === 200);
    await assert.rejects(
      new Promise((resolve, reject) => {
        https.get(`${url}/healthz`, { ca: old.ca }, resolve).on("error", reject);
      }),
      /self-signed|unable to verify|certificate/i,
    );
  });
});
