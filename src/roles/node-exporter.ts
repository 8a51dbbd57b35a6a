import { apt, command, file, handler, role, service } from "bosun";
import { httpProbe } from "./prometheus/probe.js";

/** Parameters of the nodeExporter role. */
export interface NodeExporterParams {
  /** Address and port it listens on. Default ":9100" (all addresses: firewall it to the Prometheus hosts). */
  listenAddress?: string;
  /** Collectors to turn off (`--no-collector.NAME`), e.g. ["wifi", "hwmon"]. */
  disabledCollectors?: string[];
  /** Collectors to turn on (`--collector.NAME`), e.g. ["systemd"]. */
  enabledCollectors?: string[];
}

/** Returns /etc/default/prometheus-node-exporter (the ARGS the Debian unit passes). */
function nodeExporterDefaults(p: NodeExporterParams): string {
  const args = [
    `--web.listen-address=${p.listenAddress ?? ":9100"}`,
    ...(p.disabledCollectors ?? []).map((c) => `--no-collector.${c}`),
    ...(p.enabledCollectors ?? []).map((c) => `--collector.${c}`),
  ];
  return `# Managed by bosun (nodeExporter)\nARGS="${args.join(" ")}"\n`;
}

/**
 * Prometheus's node exporter from Debian, on every host: host metrics on :9100 for the prometheus role
 * to scrape. Restarted through a handler that waits until /metrics answers.
 * `nodeExporter({ disabledCollectors: ["wifi"] })`
 */
export const nodeExporter = role(
  "nodeExporter",
  (p: NodeExporterParams | undefined) => {
    const params: NodeExporterParams = p || {};
    for (const c of [...(params.disabledCollectors ?? []), ...(params.enabledCollectors ?? [])]) {
      if (!/^[a-z0-9_.]+$/.test(c)) throw new Error(`nodeExporter: bad collector name "${c}"`);
    }
    if (params.listenAddress !== undefined && !/^[\w.[\]:-]*:\d+$/.test(params.listenAddress)) {
      throw new Error(`nodeExporter: listenAddress "${params.listenAddress}" is not [host]:port`);
    }
    apt(["prometheus-node-exporter", "curl"], { installRecommends: false });
    file("/etc/default/prometheus-node-exporter", { content: nodeExporterDefaults(params), mode: "0644", notify: "restart node exporter" });
    service("prometheus-node-exporter", { state: "started", enabled: true });
    const port = (params.listenAddress ?? ":9100").split(":").pop();
    handler("restart node exporter", () => {
      service("prometheus-node-exporter", { state: "restarted" });
      command(httpProbe("node exporter", `http://127.0.0.1:${port}/metrics`), { name: "node exporter answers" });
    });
  },
  { tags: ["node-exporter", "monitoring"] },
);
