import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "smol-toml";
import { ConfigSchema } from "../../../src/config/schema.js";
import { renderServerConfig, renderServerUnit } from "../../../src/roles/bosun-server.js";
import { checkServerConfig } from "../../../src/server/server.js";

const params = {
  repo: "https://git.example.com/infra.git",
  environments: {
    dev: { site: "site.ts", inventory: "dev.yml", policy: "auto" as const },
    prod: { site: "site.ts", inventory: "prod.yml" },
  },
  driftSchedule: "*/15 * * * *",
  tokens: [{ name: "ops", scope: "operator" as const, sha256: "ab".repeat(32) }],
  settings: { forks: 20, ssh: { accept_new_host_keys: true } },
};

describe("bosunServer role", () => {
  it("writes a bosun.toml that bosun serve accepts as it is", () => {
    const config = ConfigSchema.parse(parse(renderServerConfig(params)));
    assert.equal(config.server.repo, params.repo);
    assert.equal(config.server.environments.prod?.policy, "approve");
    assert.equal(config.server.drift_schedule, "*/15 * * * *");
    assert.equal(config.forks, 20);
    assert.doesNotThrow(() => checkServerConfig(config.server, ["/etc/bosun/bosun.toml"]));
  });

  it("runs the server as its user, stopped with SIGTERM and time for the grace period", () => {
    const unit = renderServerUnit({ ...params, gracePeriod: 60, installDir: "/opt/b" }).split("\n");
    for (const line of [
      "User=bosun",
      "ExecStart=/usr/bin/node /opt/b/bin/bosun.js serve",
      "KillSignal=SIGTERM",
      "TimeoutStopSec=180",
      "Restart=on-failure",
    ])
      assert.ok(unit.includes(line), line);
  });

  it("runs the Node runtime shipped from the controller when one is given (Debian 12's Node 18 is too old)", () => {
    const unit = renderServerUnit({ ...params, runtime: "node-runtime.tar.gz", node: "/usr/bin/node" }).split("\n");
    assert.ok(unit.includes("ExecStart=/opt/bosun/runtime/bin/node /opt/bosun/bin/bosun.js serve"), unit.join("\n"));
  });

  it("names the repository's pipeline in the server config", () => {
    const config = ConfigSchema.parse(parse(renderServerConfig({ ...params, pipeline: "pipeline.ts" })));
    assert.equal(config.server.pipeline, "pipeline.ts");
  });
});
