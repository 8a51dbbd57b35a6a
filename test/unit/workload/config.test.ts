import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { ConfigError, envOverrides, loadConfig, merge } from "../../../examples/workload/config.js";

function files(config: string, envToml?: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "workload-cfg-"));
  const configFile = path.join(dir, "config.toml");
  const envFile = path.join(dir, "env.toml");
  writeFileSync(configFile, config);
  if (envToml !== undefined) writeFileSync(envFile, envToml);
  return { configFile, envFile };
}

const BASE = '[strategy]\nsymbols = ["BTC-USD"]\ninterval_ms = 1000\nmax_position = 5\n';

describe("workload config", () => {
  it("fills service defaults and keeps the strategy from config.toml", () => {
    const cfg = loadConfig({ ...files(BASE), env: {} });
    assert.deepEqual(cfg.service, {
      name: "workload",
      bind: "127.0.0.1",
      port: 9300,
      pid_file: "/run/workload/workload.pid",
      shutdown_timeout_ms: 5000,
    });
    assert.deepEqual(cfg.strategy.symbols, ["BTC-USD"]);
  });

  it("env.toml overrides config.toml and WORKLOAD_* variables override both", () => {
    const f = files(`${BASE}[service]\nport = 9301\nname = "alpha"\n`, "[service]\nport = 9302\n[strategy]\ninterval_ms = 50\n");
    const cfg = loadConfig({ ...f, env: { WORKLOAD_SERVICE_PORT: "9303", WORKLOAD_STRATEGY_SYMBOLS: '["ETH-USD", "BTC-EUR"]' } });
    assert.equal(cfg.service.port, 9303);
    assert.equal(cfg.service.name, "alpha", "untouched keys survive the merge");
    assert.equal(cfg.strategy.interval_ms, 50);
    assert.equal(cfg.strategy.max_position, 5);
    assert.deepEqual(cfg.strategy.symbols, ["ETH-USD", "BTC-EUR"]);
  });

  it("names every bad key and where the values came from", () => {
    const f = files(`${BASE}[service]\nport = 70000\n`);
    assert.throws(
      () => loadConfig({ ...f, env: { WORKLOAD_STRATEGY_SYMBOLS: '["btc"]' } }),
      (e: Error) =>
        e instanceof ConfigError && /service\.port: .*65535/.test(e.message) && /strategy\.symbols\.0: like "BTC-USD"/.test(e.message),
    );
  });

  it("rejects unknown keys (a typo is not silently ignored)", () => {
    const f = files(`${BASE}[service]\nprot = 1\n`);
    assert.throws(() => loadConfig({ ...f, env: {} }), /prot/);
  });

  it("reports a TOML syntax error with file and line", () => {
    const f = files(`${BASE}\n[service\n`);
    assert.throws(
      () => loadConfig({ ...f, env: {} }),
      (e: Error) => e.message.startsWith(`${f.configFile}:6:`),
    );
  });

  it("env overrides need a section and skip the variables that are not config", () => {
    assert.deepEqual(envOverrides({ WORKLOAD_LOG: "debug", WORKLOAD_API_KEY: "k", WORKLOAD_SERVICE_BIND: "0.0.0.0", HOME: "/" }), {
      service: { bind: "0.0.0.0" },
    });
    assert.throws(() => envOverrides({ WORKLOAD_PORT: "1" }), /WORKLOAD_<SECTION>_<KEY>/);
  });

  it("merges tables deeply and replaces arrays", () => {
    assert.deepEqual(merge({ a: { x: 1, y: [1] } }, { a: { y: [2] }, b: 3 }), { a: { x: 1, y: [2] }, b: 3 });
  });
});
