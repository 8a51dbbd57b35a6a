import { apt, file, handler, role, service } from "bosun";

export interface MonitoringParams {
  /** Group whose node exporters the Prometheus server scrapes (the var monitoring_targets, host names comma-separated, overrides). */
  targets: string;
  server: boolean;
}

/** node exporter everywhere; on the server, Prometheus scraping every target. */
export const monitoring = role(
  "monitoring",
  (p: MonitoringParams, ctx) => {
    apt(["prometheus-node-exporter"], { installRecommends: false });
    service("prometheus-node-exporter", { state: "started", enabled: true });
    if (!p.server) return;
    const names = String(ctx.var("monitoring_targets", p.targets));
    const hosts = ctx.groupHosts(names).length ? ctx.groupHosts(names) : names.split(",").map((h) => h.trim());
    const targets = hosts.map((h) => String(ctx.hostVars(h).bosun_host ?? h));
    apt(["prometheus"], { installRecommends: false });
    file("/etc/prometheus/prometheus.yml", {
      content: `# Managed by bosun
global:
  scrape_interval: 5s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: [${targets.map((t) => `"${t}:9100"`).join(", ")}]
`,
      mode: "0644",
      notify: "restart prometheus",
    });
    service("prometheus", { state: "started", enabled: true });
    handler("restart prometheus", () => service("prometheus", { state: "restarted" }));
  },
  { tags: ["monitoring"] },
);
