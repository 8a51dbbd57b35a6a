/** Site for test/e2e/roles-monitoring.test.ts: node exporters on every host, Prometheus on the "monitoring" host. */
import { deploy } from "bosun";
import { nodeExporter, prometheus } from "../../../src/roles/index.js";

const BAD_RULES = `groups:
  - name: broken
    rules:
      - alert: Broken
        expr: rate(node_cpu_seconds_total[5m]
`;

export default deploy("roles-monitoring", [
  { hosts: "all", roles: [nodeExporter({ disabledCollectors: ["wifi"] })] },
  {
    hosts: "monitoring",
    roles: [
      prometheus({
        scrapeInterval: "5s",
        externalLabels: { env: "lab" },
        alertRules: {
          fleet: `groups:
  - name: fleet
    rules:
      - alert: NodeExporterMissing
        expr: absent(up{job="node"})
        for: 1m
`,
          // BOSUN_E2E_BAD_RULES=1: a rule promtool rejects (unclosed parenthesis); it must never go live.
          ...(process.env.BOSUN_E2E_BAD_RULES ? { broken: BAD_RULES } : {}),
        },
      }),
    ],
  },
]);
