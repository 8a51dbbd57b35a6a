import { apt, command, directory, file, handler, role, service, validatedFile } from "bosun";
import { DEFAULT_RULES, type PrometheusConfigParams, prometheusConfig, RULES_DIR, type ScrapeJob } from "./config.js";
import { httpProbe } from "./probe.js";

export type { PrometheusConfigParams, ScrapeJob };

/** Parameters of the prometheus role. */
export interface PrometheusParams extends PrometheusConfigParams {
  /** Alert rule files: name (without .yml) → YAML content, each checked with `promtool check rules`. */
  alertRules?: Record<string, string>;
  /** Install the default rules (target down, disk and memory almost full) as bosun-defaults.yml. Default true. */
  defaultRules?: boolean;
  /** How long samples are kept. Default "15d". */
  retention?: string;
  /** Address and port of the web UI and API. Default "0.0.0.0:9090". */
  listenAddress?: string;
}

/**
 * Prometheus from Debian: scrape targets generated from the inventory (every node exporter of a group,
 * more jobs from groups or static targets), alert rules checked with `promtool check rules` and the
 * config with `promtool check config` before they go live, reload (HUP) or restart through handlers
 * that wait until Prometheus reports ready.
 * `prometheus({ nodeExporterGroup: "all", scrapeJobs: [{ name: "app", group: "web", port: 9200 }] })`
 */
export const prometheus = role(
  "prometheus",
  (p: PrometheusParams | undefined, ctx) => {
    const params: PrometheusParams = p || {};
    const listen = params.listenAddress ?? "0.0.0.0:9090";
    if (!/^[\w.[\]:-]*:\d+$/.test(listen)) throw new Error(`prometheus: listenAddress "${listen}" is not host:port`);
    const retention = params.retention ?? "15d";
    if (!/^\d+[smhdwy]$/.test(retention)) throw new Error(`prometheus: retention "${retention}" is not like "15d"`);
    apt(["prometheus", "curl"], { installRecommends: false });
    directory(RULES_DIR, { mode: "0755", owner: "root", group: "root" });
    const rules = { ...(params.defaultRules === false ? {} : { "bosun-defaults": DEFAULT_RULES }), ...params.alertRules };
    for (const [name, content] of Object.entries(rules)) {
      if (!/^[\w-]+$/.test(name)) throw new Error(`prometheus: alert rule file name "${name}" must be letters, digits, "_" or "-"`);
      validatedFile(`${RULES_DIR}/${name}.yml`, {
        content,
        mode: "0644",
        validate: "promtool check rules %s",
        notify: "reload prometheus",
      });
    }
    validatedFile("/etc/prometheus/prometheus.yml", {
      content: prometheusConfig(params, ctx),
      mode: "0644",
      validate: "promtool check config %s",
      notify: "reload prometheus",
    });
    file("/etc/default/prometheus", {
      content: `# Managed by bosun (prometheus)\nARGS="--web.listen-address=${listen} --storage.tsdb.retention.time=${retention}"\n`,
      mode: "0644",
      notify: "restart prometheus",
    });
    service("prometheus", { state: "started", enabled: true });
    const ready = httpProbe("prometheus", `http://127.0.0.1:${listen.split(":").pop()}/-/ready`, 60);
    handler("restart prometheus", () => {
      service("prometheus", { state: "restarted" });
      command(ready, { name: "prometheus is ready" });
    });
    handler("reload prometheus", () => {
      service("prometheus", { state: "reloaded" });
      command(ready, { name: "prometheus is ready" });
    });
  },
  { tags: ["prometheus", "monitoring"] },
);
