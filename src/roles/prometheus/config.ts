import type { RoleContext } from "bosun";
import { stringify } from "yaml";

/** A scrape job: static targets, or the hosts of an inventory group at a port. */
export interface ScrapeJob {
  /** job_name (label `job` on every series). */
  name: string;
  /** "host:port" targets. */
  targets?: string[];
  /** Inventory group whose hosts are scraped (address from `bosun_host`, else the name), at `port`. */
  group?: string;
  /** Port for `group` targets. */
  port?: number;
  /** URL path of the metrics. Default "/metrics". */
  metricsPath?: string;
  /** Scrape interval for this job, e.g. "30s". Default the global one. */
  interval?: string;
}

/** Parameters of the prometheus.yml the role renders. */
export interface PrometheusConfigParams {
  /** Global scrape and rule evaluation interval. Default "15s". */
  scrapeInterval?: string;
  /** Inventory group whose node exporters are scraped (job "node"). Default "all". */
  nodeExporterGroup?: string;
  /** Port of the node exporters. Default 9100. */
  nodeExporterPort?: number;
  /** More scrape jobs. */
  scrapeJobs?: ScrapeJob[];
  /** Labels added to every series sent out (alerts, federation), e.g. { env: "prod" }. */
  externalLabels?: Record<string, string>;
}

export const RULES_DIR = "/etc/prometheus/rules";

/** Returns a group's scrape targets, one static config per host so each carries its inventory name as `host`. */
function groupTargets(ctx: RoleContext, group: string, port: number) {
  const hosts = ctx.groupHosts(group);
  if (hosts.length === 0) throw new Error(`prometheus: inventory group "${group}" has no hosts to scrape`);
  return hosts.map((h) => ({ targets: [`${String(ctx.hostVars(h).bosun_host ?? h)}:${port}`], labels: { host: h } }));
}

/** Returns prometheus.yml: Prometheus itself, every node exporter of the inventory group, more jobs, and the rule files. */
export function prometheusConfig(p: PrometheusConfigParams, ctx: RoleContext): string {
  const jobs = [
    { job_name: "prometheus", static_configs: [{ targets: ["localhost:9090"], labels: { host: ctx.host } }] },
    { job_name: "node", static_configs: groupTargets(ctx, p.nodeExporterGroup ?? "all", p.nodeExporterPort ?? 9100) },
    ...(p.scrapeJobs ?? []).map((j) => {
      if (!/^[\w-]+$/.test(j.name)) throw new Error(`prometheus: scrape job name "${j.name}" must be letters, digits, "_" or "-"`);
      if (j.group && !j.port) throw new Error(`prometheus: scrape job "${j.name}" scrapes group "${j.group}": give its port`);
      const configs = [
        ...(j.targets?.length ? [{ targets: j.targets }] : []),
        ...(j.group ? groupTargets(ctx, j.group, j.port as number) : []),
      ];
      if (configs.length === 0) throw new Error(`prometheus: scrape job "${j.name}" has neither targets nor group`);
      return {
        job_name: j.name,
        ...(j.interval ? { scrape_interval: j.interval } : {}),
        ...(j.metricsPath ? { metrics_path: j.metricsPath } : {}),
        static_configs: configs,
      };
    }),
  ];
  const interval = p.scrapeInterval ?? "15s";
  const doc = {
    global: {
      scrape_interval: interval,
      evaluation_interval: interval,
      ...(p.externalLabels ? { external_labels: p.externalLabels } : {}),
    },
    rule_files: [`${RULES_DIR}/*.yml`],
    scrape_configs: jobs,
  };
  return `# Managed by bosun (prometheus)\n${stringify(doc)}`;
}

/** Alert rules every fleet wants: a target down, a disk filling up, memory nearly exhausted. */
export const DEFAULT_RULES = `# Managed by bosun (prometheus)
groups:
  - name: bosun-defaults
    rules:
      - alert: TargetDown
        expr: up == 0
        for: 2m
        labels:
          severity: critical
        annotations:
          summary: "{{ $labels.job }} on {{ $labels.host }} is down"
      - alert: DiskAlmostFull
        expr: node_filesystem_avail_bytes{fstype!~"tmpfs|overlay"} / node_filesystem_size_bytes < 0.1
        for: 10m
        labels:
          severity: warning
        annotations:
          summary: "{{ $labels.mountpoint }} on {{ $labels.host }} has less than 10% free"
      - alert: MemoryAlmostFull
        expr: node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < 0.05
        for: 10m
        labels:
          severity: warning
        annotations:
          summary: "{{ $labels.host }} has less than 5% memory available"
`;
