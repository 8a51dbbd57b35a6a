/**
 * The example pipeline: the seven numbered stages teams run as separate CI workflows, as one typed
 * file. Each stage applies a site (examples/pipeline/sites/) with typed inputs, checks before and
 * after, and the app stage rolls out as a canary. On the lab:
 *
 *   bosun pipeline list -p examples/pipeline.ts
 *   bosun pipeline run 6-app -p examples/pipeline.ts --env dev --input version=1.0.0 --input host=web1,web2
 *   bosun pipeline status -p examples/pipeline.ts
 *   bosun pipeline rollback 6-app -p examples/pipeline.ts --env dev
 *   bosun drift examples/pipeline.ts --env dev
 *   bosun ci github -p examples/pipeline.ts
 */
import { check, input, pipeline, stage } from "bosun";
import { releaseDir } from "./pipeline/roles/webapp.js";

const host = (fallback: string) => input.hosts({ description: "host pattern to deploy to", default: fallback });
const reachable = [check.reachable({ retries: 2 }), check.hostKeyKnown(), check.freeDisk({ path: "/", minMb: 200 })];

/** The db host of a run (Prometheus lives there): the first selected host in group db. */
const dbAddress = (c: { selection: readonly string[]; groupHosts(g: string): string[]; hostVars(h: string): Record<string, unknown> }) => {
  const db = c.selection.find((h) => c.groupHosts("db").includes(h)) ?? c.groupHosts("db")[0] ?? "localhost";
  return String(c.hostVars(db).bosun_host ?? db);
};

export default pipeline(
  "example",
  [
    stage({
      id: "0-test",
      kind: "test",
      description: "the project's own tests; a failure stops the pipeline before any host is touched",
      command: ["node", "--test", "pipeline/tests/"],
    }),
    stage({
      id: "0-infra",
      kind: "tool",
      description: "cloud resources through an external tool (plan → approve → apply the saved plan)",
      cwd: "pipeline/infra",
      plan: (c) => [
        "node",
        "../tools/kvtool.mjs",
        "plan",
        "--desired",
        "desired.json",
        "--state",
        `state-${c.env}.json`,
        "--out",
        c.planFile,
      ],
      apply: (c) => ["node", "../tools/kvtool.mjs", "apply", "--state", `state-${c.env}.json`, c.planFile],
    }),
    stage({
      id: "1-base-system",
      description: "users, SSH hardening, timezone, kernel settings",
      site: "pipeline/sites/1-base-system.ts",
      inputs: { host: host("all") },
      preflight: reachable,
      verify: [check.command(["/usr/sbin/sshd", "-t"], { name: "sshd config valid" })],
    }),
    stage({
      id: "2-firewall",
      site: "pipeline/sites/2-firewall.ts",
      inputs: { host: host("all") },
      preflight: reachable,
      verify: [check.command(["sh", "-c", "ufw status | grep -q 'Status: active'"], { name: "ufw active" }), check.tcp({ port: 22 })],
    }),
    stage({
      id: "3-monitoring",
      site: "pipeline/sites/3-monitoring.ts",
      inputs: { host: host("all") },
      vars: (i) => ({ monitoring_targets: i.host }),
      preflight: reachable,
      verify: [
        check.unitActive("prometheus-node-exporter"),
        // Prometheus (on the db host) has scraped this host's exporter.
        check.prometheus({
          url: (c) => `http://${dbAddress(c)}:9090`,
          query: (c) => `up{job="node",instance="${c.address}:9100"} == 1`,
          retries: 20,
          intervalMs: 2000,
        }),
      ],
    }),
    stage({
      id: "4-database",
      site: "pipeline/sites/4-database.ts",
      inputs: { host: host("db"), maxConnections: input.number({ description: "max_connections", default: 100, min: 10, max: 1000 }) },
      vars: (i) => ({ pg_max_connections: i.maxConnections }),
      preflight: [...reachable, check.freeDisk({ path: "/var/lib", minMb: 500 })],
      verify: [check.unitActive("postgresql"), check.tcp({ port: 5432, retries: 10 })],
    }),
    stage({
      id: "5-services",
      site: "pipeline/sites/5-services.ts",
      inputs: { host: host("web") },
      preflight: reachable,
      verify: [check.unitActive("nginx"), check.tcp({ port: 80 })],
    }),
    stage({
      id: "6-app",
      description: "the versioned app, as a canary first",
      site: "pipeline/sites/6-app.ts",
      inputs: { host: host("web"), version: input.semver({ description: "release to deploy", required: true }) },
      vars: (i) => ({ webapp_version: i.version }),
      preflight: [
        ...reachable,
        // The release's artifact exists before any host is touched.
        check.command((c) => ["test", "-f", `${releaseDir(String(c.inputs.version))}health`], {
          name: "release artifact exists",
          on: "controller",
        }),
      ],
      verify: [
        check.unitActive("webapp", { retries: 5, intervalMs: 500 }),
        check.http({ url: "http://127.0.0.1:9200/version", body: (c) => `${c.inputs.version}\n`, retries: 10, intervalMs: 500 }),
        check.http({ url: "http://127.0.0.1:9200/health", body: /^ok$/m, retries: 3, intervalMs: 500 }),
      ],
      canary: { hosts: 1, bake: "4s", every: "2s" },
      serial: "50%",
    }),
    stage({
      id: "7-client",
      site: "pipeline/sites/7-client.ts",
      inputs: { host: host("all"), version: input.semver({ description: "client configuration version", default: "1.0.0" }) },
      vars: (i) => ({ client_version: i.version }),
      preflight: reachable,
      verify: [
        check.command((c) => ["grep", "-qx", `version=${c.inputs.version}`, "/etc/webapp-client.conf"], { name: "client configured" }),
      ],
    }),
  ],
  {
    environments: {
      // dev and staging both use the lab (`bosun lab up`); versions are recorded per environment.
      dev: { inventory: "lab" },
      staging: { inventory: "lab", confirm: true },
      prod: { inventory: "pipeline/inventories/prod.yml", confirm: true, promoteOnly: true },
    },
  },
);
