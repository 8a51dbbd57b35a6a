import assert from "node:assert/strict";
import path from "node:path";
import { before, describe, it } from "node:test";
import { buildWorkload } from "../../examples/workload/build.js";
import { tempDir } from "./helpers.js";
import { applyOk, hostsFromEnv, labHostsNamed, runSite, shOn, vaultInventory } from "./roles-service-kit.js";

const [HOST] = hostsFromEnv("BOSUN_E2E_ROLES_SERVICE_HOSTS", "web12") as [string];
const SITE = "test/e2e/roles-service-site.ts";
const API_KEY = `k-${process.pid}-Zq8!"quote'd`;

describe("role service (the example workload on a lab host)", () => {
  let inv = "";
  const bundles: Record<string, string> = {};
  const vars = (version: string, extra: Record<string, string> = {}) => ({ version, bundle: bundles[version] as string, ...extra });
  const health = async () => JSON.parse(await shOn(HOST, "curl -fsS http://127.0.0.1:9300/health"));

  before(async () => {
    const dir = tempDir("bosun-workload-");
    for (const v of ["1.0.0", "1.1.0", "1.2.0", "1.3.0"]) {
      bundles[v] = path.join(dir, `workload-${v}.js`);
      await buildWorkload(bundles[v], v);
    }
    const [h] = await labHostsNamed([HOST]);
    inv = await vaultInventory({ app: [h as { name: string; address: string }] }, {}, { api_key: API_KEY });
    await shOn(
      HOST,
      "systemctl disable --now ticker 2>/dev/null; rm -rf /srv/ticker /etc/ticker /var/log/ticker /etc/systemd/system/ticker.service; true",
    );
  });

  it("deploys 1.0.0 in production mode, sandboxed, with its PID file and secret env, and a second apply changes nothing", async () => {
    const first = await applyOk(SITE, inv, vars("1.0.0"));
    assert.ok(first.changed.includes(`${HOST}: link /srv/ticker/current`));
    const h = await health();
    assert.deepEqual([h.version, h.production, h.name], ["1.0.0", true, "ticker"]);
    const pid = (await shOn(HOST, "systemctl show -p MainPID --value ticker")).trim();
    assert.equal((await shOn(HOST, "cat /run/ticker/ticker.pid")).trim(), pid, "the PID file names the running process");
    assert.equal(
      await shOn(
        HOST,
        "stat -c '%a %U' /etc/ticker/env; systemctl show -p NoNewPrivileges -p ProtectSystem -p User -p LimitNOFILE ticker | sort",
      ),
      "600 root\nLimitNOFILE=4096\nNoNewPrivileges=yes\nProtectSystem=strict\nUser=ticker\n",
    );
    assert.equal(await shOn(HOST, `ps -eo args | grep -c '[k]-${process.pid}-Zq8' || true`), "0\n");
    assert.match(await shOn(HOST, "cat /var/log/ticker/ticker.log"), /^\S+ INFO started version=1\.0\.0 mode=production /m);
    assert.match(await shOn(HOST, "logrotate -d /etc/logrotate.d/ticker 2>&1"), /rotating pattern: \/var\/log\/ticker\/\*\.log/);
    assert.ok(!first.stdout.includes(API_KEY) && !first.stderr.includes(API_KEY), "the secret is in no output");
    const again = await applyOk(SITE, inv, vars("1.0.0"));
    assert.deepEqual(again.changed, []);
  });

  it("shows a manual config change in plan as a diff and repairs it with a restart", async () => {
    await shOn(HOST, "echo '# hand edit' >> /srv/ticker/releases/1.0.0/config.toml");
    const plan = await runSite("plan", SITE, inv, vars("1.0.0"));
    assert.deepEqual(plan.changed, [`${HOST}: file /srv/ticker/releases/1.0.0/config.toml`]);
    assert.match(plan.events.find((e) => e.changed)?.diff ?? "", /^-# hand edit$/m);
    const fix = await applyOk(SITE, inv, vars("1.0.0"));
    assert.ok(fix.events.some((e) => e.type === "handler_ran" && (e as { handler?: string }).handler === "restart ticker"));
    assert.equal((await health()).version, "1.0.0");
  });

  it("deploys 1.1.0 (healthy), then a broken 1.2.0 fails the host and current goes back to 1.1.0, still serving", async () => {
    await applyOk(SITE, inv, vars("1.1.0"));
    assert.equal((await health()).version, "1.1.0");
    // 1.2.0 passes its config check but listens on the wrong port: only the health check catches it.
    const broken = await runSite("apply", SITE, inv, vars("1.2.0", { port: "9301" }));
    assert.equal(broken.code, 1);
    assert.match(
      broken.failed.join("\n"),
      /release \/srv\/ticker\/releases\/1\.2\.0 failed its health check .*rolled back to \/srv\/ticker\/releases\/1\.1\.0, which is healthy/,
    );
    assert.equal((await shOn(HOST, "readlink /srv/ticker/current")).trim(), "/srv/ticker/releases/1.1.0");
    assert.equal((await health()).version, "1.1.0");
  });

  it("refuses a release whose config does not validate, before it goes live", async () => {
    const bad = await runSite("apply", SITE, inv, vars("1.3.0", { port: "0" }));
    assert.equal(bad.code, 1);
    assert.match(bad.failed.join("\n"), /check config of ticker 1\.3\.0.*service\.port/s);
    assert.equal((await shOn(HOST, "readlink /srv/ticker/current")).trim(), "/srv/ticker/releases/1.1.0");
    assert.equal((await health()).version, "1.1.0");
  });

  it("deploys 1.3.0, keeps the 3 newest releases, and rolls back to 1.1.0 by deploying it again", async () => {
    await applyOk(SITE, inv, vars("1.3.0"));
    assert.equal((await health()).version, "1.3.0");
    assert.equal(await shOn(HOST, "ls /srv/ticker/releases"), "1.1.0\n1.2.0\n1.3.0\n");
    const back = await applyOk(SITE, inv, vars("1.1.0"));
    assert.ok(back.changed.includes(`${HOST}: link /srv/ticker/current`));
    assert.equal((await health()).version, "1.1.0");
  });
});
