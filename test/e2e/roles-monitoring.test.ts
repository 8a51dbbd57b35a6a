import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { bosun, type LabHost } from "./helpers.js";
import { applyOk, assertIdempotent, roleHosts, runSite, sh, VAULT_ENV, vaulted, writeInventory } from "./roles-lab.js";

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
    const repaired = await applyOk(SITE, inv);
    assert.equal(repaired.changed.length, 1, repaired.changed.join(", "));
  });
});

describe("grafana role (planned only: Grafana's apt repository is not reachable from the lab)", () => {
  it("plans the repository, the package, the provisioning files, users and tokens, with every secret masked", async () => {
    const admin = `Adm1n-${process.pid}-pw`;
    const alice = `Al1ce-${process.pid}-pw`;
    const ginv = await writeInventory({ monitoring: [mon] }, { grafana_admin: await vaulted(admin), grafana_alice: await vaulted(alice) });
    const plan = await runSite("plan", "test/e2e/sites/roles-grafana.ts", ginv);
    assert.equal(plan.code, 0, plan.stderr);
    const ops = plan.planned.filter((e) => e.changed).map((e) => e.op);
    for (const op of [
      "apt_key /etc/apt/keyrings/grafana.asc",
      "apt_repository /etc/apt/sources.list.d/grafana.sources",
      "file /etc/grafana/grafana.ini",
      "file /etc/grafana/provisioning/datasources/bosun.yaml",
      "file /etc/grafana/provisioning/dashboards/bosun.yaml",
      "file /var/lib/grafana/dashboards/nodes.json",
      "command grafana user alice",
      "host_secret grafana token ci",
    ]) {
      assert.ok(ops.includes(op), `${op} planned, in ${ops.join(", ")}`);
    }
    assert.ok(
      ops.some((op) => op?.startsWith("apt ") && op.includes("grafana")),
      ops.join(", "),
    );
    const token = plan.planned.find((e) => e.op === "host_secret grafana token ci");
    assert.equal(token?.summary, "create /srv/key/grafana/ci.token, store grafana_token_ci in secrets/grafana.yml.vault");
    const diff = (op: string) => plan.planned.find((e) => e.op === op)?.diff ?? "";
    assert.match(diff("file /etc/grafana/provisioning/datasources/bosun.yaml"), /^\+\s+url: http:\/\/localhost:9090$/m);
    assert.match(diff("file /etc/grafana/grafana.ini"), /^\+admin_password = """\*\*\*"""$/m);
    assert.match(diff("file /etc/grafana/grafana.ini"), /^\+serve_from_sub_path = true$/m);
    assert.ok(!plan.stdout.includes(admin) && !plan.stdout.includes(alice) && !plan.stderr.includes(admin), "no secret in the plan");
  });
});
