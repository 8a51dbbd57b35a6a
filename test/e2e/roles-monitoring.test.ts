import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { bosun, type LabHost } from "./helpers.js";
import { applyOk, assertIdempotent, roleHosts, runSite, sh, VAULT_ENV, writeInventory } from "./roles-lab.js";

const SITE = "test/e2e/sites/roles-monitoring.ts";
let hosts: LabHost[];
let mon: LabHost;
let inv: string;

interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}

/** Returns Prometheus's active targets of the job, asked over HTTP from the monitoring host. */
async function targets(job: string): Promise<Target[]> {
  const out = await sh(mon.name, "curl -fsS http://127.0.0.1:9090/api/v1/targets?state=active");
  return (JSON.parse(out).data.activeTargets as Target[]).filter((t) => t.labels.job === job);
}

before(async () => {
  hosts = await roleHosts();
  mon = hosts[2] as LabHost;
  inv = await writeInventory({ monitoring: [mon], fleet: hosts.filter((h) => h !== mon) });
});

describe("prometheus and nodeExporter roles", () => {
  it("converge, and a second apply changes nothing", async () => {
    await applyOk(SITE, inv);
    await assertIdempotent(SITE, inv);
  });

  it("/api/v1/targets reports the node exporter of every inventory host up", async () => {
    let node: Target[] = [];
    for (let i = 0; i < 40; i++) {
      node = await targets("node");
      if (node.length === hosts.length && node.every((t) => t.health === "up")) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.deepEqual(
      node.map((t) => [t.labels.host, t.labels.instance, t.health]).sort(),
      hosts.map((h) => [h.name, `${h.address}:9100`, "up"]).sort(),
      JSON.stringify(node.map((t) => t.lastError)),
    );
    const rules = JSON.parse(await sh(mon.name, "curl -fsS http://127.0.0.1:9090/api/v1/rules"));
    const names = rules.data.groups.flatMap((g: { rules: { name: string }[] }) => g.rules.map((r) => r.name));
    assert.deepEqual(names.sort(), ["DiskAlmostFull", "MemoryAlmostFull", "NodeExporterMissing", "TargetDown"]);
  });

  it("an alert rule promtool rejects fails the host naming the file, and never goes live", async () => {
    const r = await bosun(["apply", SITE, "-i", inv, "--yes", "--json"], { env: { ...VAULT_ENV, BOSUN_E2E_BAD_RULES: "1" } });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /rules\/broken\.yml: `promtool check rules .*` rejected the new content;.*unclosed left parenthesis/);
    assert.equal((await sh(mon.name, "ls /etc/prometheus/rules")).trim(), "bosun-defaults.yml\nfleet.yml");
  });

  it("a scrape config changed by hand shows in plan as a diff and apply repairs it", async () => {
    await sh(mon.name, "sed -i 's/scrape_interval: 5s/scrape_interval: 1m/' /etc/prometheus/prometheus.yml");
    const plan = await runSite("plan", SITE, inv);
    const op = plan.planned.find((e) => e.op === "file /etc/prometheus/prometheus.yml" && e.changed);
    assert.match(op?.diff ?? "", /^-\s+scrape_interval: 1m$/m);
    await applyOk(SITE, inv);
    await assertIdempotent(SITE, inv);
  });
});
