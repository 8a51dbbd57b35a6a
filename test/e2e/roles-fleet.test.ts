import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bosun, onHost } from "./helpers.js";
import { hostsFromEnv, labHostsNamed, shOn } from "./roles-service-kit.js";

// mon, log, web1, web2, db: the order examples/fleet/inventory.lab.ts takes them in.
const HOSTS = hostsFromEnv("BOSUN_E2E_ROLES_FLEET_HOSTS", "web18,db9,web16,web17,db8");
const [MON, LOG, WEB1, WEB2, DB] = HOSTS as [string, string, string, string, string];
const ENV = { BOSUN_VAULT_PASSWORD: "fleet-lab-only", FLEET_LAB_HOSTS: HOSTS.join(",") };
const ARGS = ["examples/fleet/site.ts", "-i", "examples/fleet/inventory.lab.ts", "--json"];

/** Returns the recap's per-host counts of an apply. */
async function apply() {
  const r = await bosun(["apply", ...ARGS, "--yes"], { env: ENV });
  const lines = r.stdout.split("\n").filter((l) => l.startsWith("{"));
  const recap = JSON.parse(lines.at(-1) ?? "{}") as { type?: string; hosts?: Record<string, { changed: number; failed: number }> };
  assert.equal(recap.type, "recap", r.stdout + r.stderr);
  const failed = lines.map((l) => JSON.parse(l)).filter((e) => e.type === "op_failed");
  assert.equal(r.code, 0, failed.map((e) => `${e.host}: ${e.op}: ${e.error} ${e.output ?? ""}`).join("\n") + r.stderr);
  return recap.hosts ?? {};
}

/** Polls fn until it returns true (at most seconds); returns the last value. */
async function eventually(seconds: number, fn: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < seconds; i++) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return fn();
}

describe("examples/fleet on five lab hosts", () => {
  it("converges in one apply, serves, monitors, ships logs, firewalls, and a second apply changes nothing", async () => {
    const first = await apply();
    assert.deepEqual(Object.keys(first).sort(), [...HOSTS].sort());
    const addr = Object.fromEntries((await labHostsNamed(HOSTS)).map((h) => [h.name, h.address]));

    // The web hosts: nginx in front of the workload, in production mode, from another host.
    for (const web of [WEB1, WEB2]) {
      const health = JSON.parse(await shOn(LOG, `curl -fsS --max-time 5 http://${addr[web]}/health`));
      assert.deepEqual([health.name, health.version, health.production], ["ticker", "1.0.0", true]);
    }
    // The firewall: the workload's own port only from the monitoring host; SSH still works.
    assert.notEqual((await onHost(LOG, `curl -fsS --max-time 3 http://${addr[WEB1]}:9300/health`)).code, 0);
    await shOn(MON, `curl -fsS --max-time 3 http://${addr[WEB1]}:9300/health`);
    // The database: the shop role logs in over TCP from a web host's network with its vaulted password.
    assert.equal(
      await shOn(DB, `PGPASSWORD=lab-shop-db-pw-19c2 psql -h ${addr[DB]} -U shop -d shop -XAtc 'SELECT count(*) FROM bosun_migrations'`),
      "1\n",
    );
    // Logs: a line logged on a web host arrives in the log host's file for that host.
    const tag = `fleetprobe${process.pid}`;
    await shOn(WEB1, `logger -t ${tag} hello-from-${WEB1}`);
    assert.ok(
      await eventually(20, async () => (await onHost(LOG, `grep -rqs hello-from-${WEB1} /var/log/remote/ 2>/dev/null`)).code === 0),
    );
    // Monitoring: every node exporter and both tickers report up.
    const upTargets = async () => {
      const r = await onHost(MON, "curl -fsS http://127.0.0.1:9090/api/v1/targets");
      if (r.code !== 0) return false;
      const active = JSON.parse(r.stdout).data.activeTargets as { labels: { job: string; host: string }; health: string }[];
      const up = active.filter((t) => t.health === "up").map((t) => `${t.labels.job}/${t.labels.host}`);
      return [...HOSTS.map((h) => `node/${h}`), `ticker/${WEB1}`, `ticker/${WEB2}`].every((t) => up.includes(t));
    };
    assert.ok(await eventually(60, upTargets), "all node exporters and tickers are up in Prometheus");

    const second = await apply();
    for (const [host, c] of Object.entries(second)) assert.equal(c.changed, 0, `${host} changed on the second apply`);
  });
});
