import {
  apt,
  aptKey,
  aptRepository,
  command,
  directory,
  file,
  flushHandlers,
  handler,
  hostSecret,
  isSecret,
  role,
  type Secret,
  service,
} from "bosun";
import { httpProbe } from "../prometheus/probe.js";
import { type ApiTarget, createToken, createUser, type GrafanaToken, type GrafanaUser, userExists } from "./api.js";
import {
  DASHBOARD_DIR,
  dashboardsProviderYaml,
  datasourcesYaml,
  type GrafanaDatasource,
  nodeDashboard,
  PROVISIONING,
} from "./provisioning.js";

export type { GrafanaDatasource, GrafanaToken, GrafanaUser };

/** Grafana's apt repository (Debian has no grafana package). */
export interface GrafanaRepository {
  /** Repository base URI, e.g. Grafana's own apt repository or a mirror of it. */
  uri: string;
  /** The repository's signing key, ASCII-armored. */
  key: string;
  /** Suite. Default "stable". */
  suite?: string;
}

/** Parameters of the grafana role. */
export interface GrafanaParams {
  /** Where the grafana package comes from; `false` when it is already in the host's apt sources. */
  repository: GrafanaRepository | false;
  /** The admin account's password: a Secret from the vault (set on first start; the API calls log in with it). */
  adminPassword: Secret | string;
  /** Address Grafana listens on. Default "127.0.0.1" (put nginx in front). */
  httpAddr?: string;
  /** Port. Default 3000. */
  httpPort?: number;
  /** Public URL, e.g. "https://ops.example.com/grafana/"; a path is served as a sub-path (behind a proxy route). */
  rootUrl?: string;
  /** URL of Prometheus as Grafana's server reaches it. Default "http://localhost:9090". */
  prometheusUrl?: string;
  /** More datasources. */
  datasources?: GrafanaDatasource[];
  /** Dashboards as JSON text: file name (without .json) → dashboard. */
  dashboards?: Record<string, string>;
  /** Provision the "Nodes" dashboard (CPU, memory, disk, load per host). Default true. */
  defaultDashboards?: boolean;
  /** Users created through the HTTP API (with their initial password and role). */
  users?: GrafanaUser[];
  /**
   * Service-account tokens created through the HTTP API, once each: kept in tokenDir/NAME.token (0600)
   * and written back into the `tokenVault` file, which later runs read as Secrets (`-e @FILE`).
   */
  tokens?: GrafanaToken[];
  /** The vault file (YAML; relative to the site file's directory) created tokens are stored in. Required with `tokens`. */
  tokenVault?: string;
  /** Where created tokens are kept on the host. Default "/srv/key/grafana". */
  tokenDir?: string;
}

const plain = (s: Secret | string | unknown): string => (isSecret(s) ? s.reveal() : String(s));

/** Returns grafana.ini (sensitive: holds the admin password). */
function grafanaIni(p: GrafanaParams, password: (s: string) => string) {
  const url = p.rootUrl ? new URL(p.rootUrl) : undefined;
  return [
    "; Managed by bosun (grafana)",
    "[server]",
    `http_addr = ${p.httpAddr ?? "127.0.0.1"}`,
    `http_port = ${p.httpPort ?? 3000}`,
    ...(url ? [`root_url = ${url.href}`, `serve_from_sub_path = ${url.pathname !== "/"}`] : []),
    "[security]",
    "admin_user = admin",
    `admin_password = """${password(plain(p.adminPassword))}"""`,
    "disable_gravatar = true",
    "[users]",
    "allow_sign_up = false",
    "[analytics]",
    "reporting_enabled = false",
    "check_for_updates = false",
    "check_for_plugin_updates = false",
    "",
  ].join("\n");
}

/** Returns a curl config line's double-quoted value (backslash and quote escaped). */
const curlQuoted = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/**
 * Grafana from Grafana's apt repository: the Prometheus datasource and dashboards provisioned as files,
 * the admin password from the vault, users and service-account tokens through the HTTP API (a token is
 * kept in a root-only file on the host and written back into the vault, never printed), restarts through
 * a handler that waits for /api/health.
 * `grafana({ repository: { uri, key }, adminPassword: ctx.var("grafana_admin"), users: [{ login: "alice", password }] })`
 */
export const grafana = role(
  "grafana",
  (p: GrafanaParams) => {
    if (p.adminPassword === undefined || plain(p.adminPassword) === "")
      throw new Error("grafana: adminPassword is required (a Secret from the vault)");
    const tokenDir = p.tokenDir ?? "/srv/key/grafana";
    const port = p.httpPort ?? 3000;
    for (const u of p.users ?? []) if (!/^[\w.@-]+$/.test(u.login)) throw new Error(`grafana: bad user login "${u.login}"`);
    for (const t of p.tokens ?? []) if (!/^[\w-]+$/.test(t.name)) throw new Error(`grafana: bad token name "${t.name}"`);
    if (p.tokens?.length && !p.tokenVault)
      throw new Error("grafana: tokens need tokenVault, the vault file a created token is stored in (it is never printed)");
    if (p.repository) {
      const key = aptKey("grafana", { key: p.repository.key });
      aptRepository("grafana", { uri: p.repository.uri, suite: p.repository.suite ?? "stable", components: ["main"], signedBy: key.name });
    }
    apt(["grafana", "curl", "jq"], { installRecommends: false });
    const masked = { masked: grafanaIni(p, () => "***"), reveal: () => grafanaIni(p, (s) => s) };
    file("/etc/grafana/grafana.ini", { content: masked, mode: "0640", owner: "root", group: "grafana", notify: "restart grafana" });
    const curlrc = "/etc/grafana/bosun-api.curlrc";
    const admin = (s: string) =>
      `# Managed by bosun (grafana): admin credentials for the role's API calls\nuser = ${curlQuoted(`admin:${s}`)}\n`;
    file(curlrc, {
      content: { masked: admin("***"), reveal: () => admin(plain(p.adminPassword)) },
      mode: "0600",
      owner: "root",
      group: "root",
    });
    file(`${PROVISIONING}/datasources/bosun.yaml`, {
      content: datasourcesYaml(p.prometheusUrl ?? "http://localhost:9090", p.datasources),
      mode: "0640",
      owner: "root",
      group: "grafana",
      notify: "restart grafana",
    });
    file(`${PROVISIONING}/dashboards/bosun.yaml`, { content: dashboardsProviderYaml(), mode: "0644", notify: "restart grafana" });
    directory(DASHBOARD_DIR, { mode: "0755", owner: "root", group: "root" });
    const dashboards = { ...(p.defaultDashboards === false ? {} : { nodes: nodeDashboard() }), ...p.dashboards };
    for (const [name, json] of Object.entries(dashboards)) {
      if (!/^[\w-]+$/.test(name)) throw new Error(`grafana: dashboard name "${name}" must be letters, digits, "_" or "-"`);
      try {
        JSON.parse(json);
      } catch (err) {
        throw new Error(`grafana: dashboard "${name}" is not valid JSON: ${(err as Error).message}`);
      }
      // Grafana re-reads this folder every minute: no restart needed.
      file(`${DASHBOARD_DIR}/${name}.json`, { content: json, mode: "0644" });
    }
    service("grafana-server", { state: "started", enabled: true });
    const health = httpProbe("grafana", `http://127.0.0.1:${port}/api/health`, 120);
    handler("restart grafana", () => {
      service("grafana-server", { state: "restarted" });
      command(health, { name: "grafana answers /api/health" });
    });
    const api: ApiTarget = { url: `http://127.0.0.1:${port}`, curlrc };
    if (p.users?.length || p.tokens?.length) {
      // The API calls need Grafana up with its current config: restart now if notified, then wait for it.
      flushHandlers();
      command(health, {
        name: "grafana answers /api/health",
        unless: `curl -fsS -o /dev/null --max-time 2 http://127.0.0.1:${port}/api/health`,
      });
    }
    for (const u of p.users ?? []) {
      command(createUser(api, u), {
        name: `grafana user ${u.login}`,
        unless: userExists(api, u.login),
        env: { BOSUN_GRAFANA_PASSWORD: u.password },
      });
    }
    for (const t of p.tokens ?? []) {
      hostSecret(`grafana token ${t.name}`, {
        path: `${tokenDir}/${t.name}.token`,
        create: createToken(api, t),
        vault: { file: p.tokenVault as string, key: t.vaultKey ?? `grafana_token_${t.name.replace(/-/g, "_")}` },
      });
    }
  },
  { tags: ["grafana", "monitoring"] },
);
