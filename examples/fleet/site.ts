/**
 * A production fleet as one site: a monitoring host (Prometheus + Grafana), a log host (rsyslog server),
 * web hosts (nginx in front of the example workload, deployed with `service`), a database host
 * (Postgres), and on every host common + firewall + node exporter + rsyslog client.
 *
 *   bosun plan  examples/fleet/site.ts -i examples/fleet/inventory.lab.ts
 *   bosun apply examples/fleet/site.ts -i examples/fleet/inventory.lab.ts --yes
 *   bosun apply examples/fleet/site.ts -i … --yes -e ticker_version=1.1.0 -l web   # a new release, one web host at a time
 *
 * Inventory groups: monitoring, logs, web, db. Vars: ticker_api_key, shop_db_password,
 * grafana_admin_password (vaulted), fleet_network (who may reach internal ports), fleet_grafana.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { deploy, type RoleContext, role } from "bosun";
import {
  common,
  grafana,
  nginx,
  nodeExporter,
  postgres,
  prometheus,
  rsyslogClient,
  rsyslogServer,
  service,
  type UfwRule,
  ufw,
} from "bosun/roles";
import { buildWorkload } from "../workload/build.js";

// Public key of the example's operator (public: safe to commit).
const OPS_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHfT/uLXF78jH/gYi6pJxkETa6HscbBjWadRwbHAkqHb ops@example.com";
const TICKER_PORT = 9300;

/** The workload's releases, each bundled on the control machine when the site loads (esbuild: well under a second). */
const RELEASES = ["1.0.0", "1.1.0"];
const bundles = new Map<string, Buffer>();
for (const version of RELEASES) {
  const file = path.join(os.tmpdir(), `bosun-fleet-workload-${version}.js`);
  await buildWorkload(file, version);
  bundles.set(version, readFileSync(file));
}

/** Returns the address of the first host of a group (its bosun_host, else its name). */
function first(ctx: RoleContext, group: string): string {
  const [h] = ctx.groupHosts(group);
  if (!h) throw new Error(`examples/fleet: the inventory has no host in group "${group}"`);
  return String(ctx.hostVars(h).bosun_host ?? h);
}

/** The trading-bot stand-in on a web host, behind nginx. */
const ticker = role("ticker", () => {}, {
  deps: (_p: undefined, ctx) => {
    const version = String(ctx.var("ticker_version", "1.0.0"));
    const code = bundles.get(version);
    if (!code) throw new Error(`examples/fleet: no workload bundle for ${version} (built: ${[...bundles.keys()].join(", ")})`);
    return [
      service({
        name: "ticker",
        version,
        packages: ["nodejs"],
        files: { "workload.js": code },
        exec: "/usr/bin/node workload.js --config config.toml --production",
        configCheck: "/usr/bin/node workload.js --config config.toml --production --check-config",
        config: {
          service: { name: "ticker", bind: "0.0.0.0", port: TICKER_PORT, pid_file: "/run/ticker/ticker.pid" },
          strategy: { symbols: ["BTC-USD", "ETH-USD"], interval_ms: 1000, max_position: 5 },
        },
        env: { WORKLOAD_API_KEY: ctx.var("ticker_api_key"), WORKLOAD_LOG: "info" },
        health: { url: `http://127.0.0.1:${TICKER_PORT}/health` },
        limits: { memoryMax: "256M", nofile: 4096 },
      }),
      nginx({ sites: [{ name: "ticker", defaultServer: true, routes: [{ path: "/", upstream: `127.0.0.1:${TICKER_PORT}` }] }] }),
    ];
  },
});

/** The database host: the shop database, reachable from the fleet's network with its vaulted password. */
const database = role("database", () => {}, {
  deps: (_p: undefined, ctx) => [
    postgres({
      listenAddresses: ["*"],
      hba: [{ type: "host", database: "shop", user: "shop", address: String(ctx.var("fleet_network")), method: "scram-sha-256" }],
      roles: [{ name: "shop", password: ctx.var("shop_db_password") }],
      databases: [{ name: "shop", owner: "shop", extensions: ["citext"], migrations: new URL("migrations", import.meta.url).pathname }],
    }),
  ],
});

/** Monitoring: Prometheus scraping every node exporter and the tickers; Grafana where its apt repository is reachable. */
const monitoring = role("monitoring", () => {}, {
  deps: (_p: undefined, ctx) => [
    prometheus({
      nodeExporterGroup: "all",
      scrapeJobs: [{ name: "ticker", group: "web", port: TICKER_PORT }],
      externalLabels: { env: String(ctx.var("environment", "production")) },
    }),
    ...(ctx.var<boolean>("fleet_grafana", true) === false
      ? []
      : [grafana({ repository: false, adminPassword: ctx.var("grafana_admin_password"), prometheusUrl: "http://localhost:9090" })]),
  ],
});

/** The firewall: SSH first, then what each group serves, internal ports only from the fleet's network. */
const firewall = role("firewall", () => {}, {
  deps: (_p: undefined, ctx) => {
    const fleet = String(ctx.var("fleet_network"));
    const groups = ctx.var<string[]>("group_names", []);
    const monitor = first(ctx, "monitoring");
    const rules: UfwRule[] = [{ port: 9100, proto: "tcp", from: monitor }];
    if (groups.includes("web")) rules.push({ port: 80, proto: "tcp" }, { port: TICKER_PORT, proto: "tcp", from: monitor });
    if (groups.includes("db")) rules.push({ port: 5432, proto: "tcp", from: fleet });
    if (groups.includes("logs")) rules.push({ port: 514, proto: "tcp", from: fleet }, { port: 514, proto: "udp", from: fleet });
    if (groups.includes("monitoring")) rules.push({ port: 9090, proto: "tcp", from: fleet }, { port: 3000, proto: "tcp", from: fleet });
    return [ufw({ rules })];
  },
});

/** Every host but the log host sends its logs there. */
const logShipping = role("log-shipping", () => {}, { deps: (_p: undefined, ctx) => [rsyslogClient({ server: first(ctx, "logs") })] });

export default deploy("fleet", [
  {
    name: "base",
    hosts: "all",
    roles: [common({ users: [{ name: "ops", keys: [OPS_KEY], sudo: true }] }), firewall(), nodeExporter({})],
  },
  { name: "log host", hosts: "logs", roles: [rsyslogServer({ retentionDays: 30 })] },
  { name: "log clients", hosts: "all:!logs", roles: [logShipping()] },
  { name: "database", hosts: "db", roles: [database()] },
  { name: "web", hosts: "web", serial: 1, maxFailPercentage: 0, roles: [ticker()] },
  { name: "monitoring", hosts: "monitoring", roles: [monitoring()] },
]);
