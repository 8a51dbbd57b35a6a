import { stringify } from "yaml";

/** A datasource provisioned from a file (Grafana's provisioning format, apiVersion 1). */
export interface GrafanaDatasource {
  /** Name shown in Grafana. */
  name: string;
  /** Plugin type: "prometheus", "loki", "postgres", … */
  type: string;
  /** URL Grafana's server reaches it at. */
  url: string;
  /** Stable uid dashboards refer to. Default: the name, lower-cased, non-word characters as "-". */
  uid?: string;
  /** The default datasource of new panels. Default false (the Prometheus one is the default). */
  isDefault?: boolean;
  /** Plugin-specific settings (jsonData). */
  jsonData?: Record<string, unknown>;
}

export const PROVISIONING = "/etc/grafana/provisioning";
export const DASHBOARD_DIR = "/var/lib/grafana/dashboards";
export const PROMETHEUS_UID = "bosun-prometheus";

/** Returns the datasources provisioning file: Prometheus (default) plus the extra datasources. */
export function datasourcesYaml(prometheusUrl: string, extra: GrafanaDatasource[] = []): string {
  const all = [
    { name: "Prometheus", type: "prometheus", uid: PROMETHEUS_UID, url: prometheusUrl, access: "proxy", isDefault: true, editable: false },
    ...extra.map((d) => ({
      name: d.name,
      type: d.type,
      uid: d.uid ?? d.name.toLowerCase().replace(/\W+/g, "-"),
      url: d.url,
      access: "proxy",
      isDefault: d.isDefault ?? false,
      editable: false,
      ...(d.jsonData ? { jsonData: d.jsonData } : {}),
    })),
  ];
  if (all.filter((d) => d.isDefault).length > 1) all[0] = { ...(all[0] as (typeof all)[0]), isDefault: false };
  return `# Managed by bosun (grafana)\n${stringify({ apiVersion: 1, datasources: all })}`;
}

/** Returns the dashboards provider file: Grafana loads every JSON file of DASHBOARD_DIR, read-only. */
export function dashboardsProviderYaml(): string {
  const provider = {
    name: "bosun",
    orgId: 1,
    folder: "Bosun",
    type: "file",
    disableDeletion: true,
    allowUiUpdates: false,
    updateIntervalSeconds: 60,
    options: { path: DASHBOARD_DIR },
  };
  return `# Managed by bosun (grafana)\n${stringify({ apiVersion: 1, providers: [provider] })}`;
}

/** Returns a time-series panel on the Prometheus datasource. */
function panel(id: number, title: string, expr: string, unit: string, x: number, y: number) {
  return {
    id,
    type: "timeseries",
    title,
    datasource: { type: "prometheus", uid: PROMETHEUS_UID },
    gridPos: { h: 8, w: 12, x, y },
    fieldConfig: { defaults: { unit }, overrides: [] },
    targets: [{ refId: "A", expr, legendFormat: "{{host}}" }],
  };
}

/** The default dashboard: CPU, memory, disk and load of every node exporter, per host. */
export function nodeDashboard(): string {
  const dashboard = {
    uid: "bosun-nodes",
    title: "Nodes",
    tags: ["bosun"],
    timezone: "browser",
    schemaVersion: 38,
    refresh: "30s",
    time: { from: "now-6h", to: "now" },
    panels: [
      panel(1, "CPU busy", '1 - avg by (host) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', "percentunit", 0, 0),
      panel(2, "Memory used", "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", "percentunit", 12, 0),
      panel(
        3,
        "Disk used",
        '1 - node_filesystem_avail_bytes{mountpoint="/"} / node_filesystem_size_bytes{mountpoint="/"}',
        "percentunit",
        0,
        8,
      ),
      panel(4, "Load (1m)", "node_load1", "short", 12, 8),
    ],
  };
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
