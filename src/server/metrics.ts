/** The server's Prometheus metrics (prom-client), in a registry of its own: served at /metrics. */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export class Metrics {
  readonly registry = new Registry();
  readonly runs = new Counter({
    name: "bosun_server_runs_total",
    help: "Runs finished, by environment, kind and status",
    labelNames: ["env", "kind", "status"] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "bosun_server_run_duration_seconds",
    help: "Run duration",
    labelNames: ["env", "kind"] as const,
    buckets: [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [this.registry],
  });
  readonly changedOps = new Counter({
    name: "bosun_server_changed_operations_total",
    help: "Operations changed by applies",
    labelNames: ["env"] as const,
    registers: [this.registry],
  });
  readonly driftedHosts = new Gauge({
    name: "bosun_server_drifted_hosts",
    help: "Hosts whose last drift check found changes pending at the last applied commit",
    labelNames: ["env"] as const,
    registers: [this.registry],
  });
  readonly failures = new Counter({
    name: "bosun_server_failures_total",
    help: "Failed runs and failed or unreachable hosts",
    labelNames: ["env", "what"] as const,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({ name: "bosun_server_queue_depth", help: "Runs waiting in the queue", registers: [this.registry] });
  readonly lastReconcile = new Gauge({
    name: "bosun_server_last_reconcile_timestamp_seconds",
    help: "When the repository was last fetched successfully (Unix time)",
    labelNames: ["repo"] as const,
    registers: [this.registry],
  });
}
