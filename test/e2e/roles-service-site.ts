// The service role deploying the example workload (e2e: roles-service.test.ts). Vars: version, bundle
// (the built workload.js), port (what the release's config binds; the health check always asks 9300),
// api_key (vaulted).
import { readFileSync } from "node:fs";
import { deploy, role } from "bosun";
import { service } from "bosun/roles";

/** The workload as the service "ticker", its release and config taken from the run's vars. */
const ticker = role("ticker", () => {}, {
  deps: (_p: undefined, ctx) => [
    service({
      name: "ticker",
      version: String(ctx.var("version")),
      files: { "workload.js": readFileSync(String(ctx.var("bundle"))) },
      packages: ["nodejs"],
      exec: "/usr/bin/node workload.js --config config.toml --production",
      configCheck: "/usr/bin/node workload.js --config config.toml --production --check-config",
      config: {
        service: { name: "ticker", port: Number(ctx.var("port", 9300)), pid_file: "/run/ticker/ticker.pid", shutdown_timeout_ms: 2000 },
        strategy: { symbols: ["BTC-USD", "ETH-USD"], interval_ms: 500, max_position: 5 },
      },
      env: { WORKLOAD_API_KEY: ctx.var("api_key"), WORKLOAD_LOG: "info", WORKLOAD_ENV_TOML: "/etc/ticker/env.toml" },
      etcFiles: { "env.toml": "[strategy]\nmax_position = 3\n" },
      health: { url: "http://127.0.0.1:9300/health", timeoutSeconds: 6 },
      limits: { memoryMax: "256M", tasksMax: 64, nofile: 4096 },
      keep: 3,
      logs: { days: 7 },
    }),
  ],
});

export default deploy("roles-service", [{ hosts: "all", roles: [ticker()] }]);
