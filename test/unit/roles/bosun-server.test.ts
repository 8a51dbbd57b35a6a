import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "smol-toml";
import { ConfigSchema } from "../../../src/config/schema.js";
import { checkServerParams, renderServerConfig, renderServerUnit } from "../../../src/roles/bosun-server.js";
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

  it("points the server at the role's own certificate files when it delivers TLS", () => {
    const tls = { cert: "-----BEGIN CERTIFICATE-----\n", key: "-----BEGIN PRIVATE KEY-----\n" };
    const config = ConfigSchema.parse(parse(renderServerConfig({ ...params, listen: "198.18.0.45:8701", tls })));
    assert.deepEqual([config.server.tls_cert, config.server.tls_key], ["/etc/bosun/tls/server.crt", "/etc/bosun/tls/server.key"]);
    assert.doesNotThrow(() => checkServerParams({ ...params, listen: "198.18.0.45:8701", tls }));
    assert.throws(() => checkServerParams({ ...params, tls, tlsCert: "/etc/x.pem" }), /not both/);
  });

  it("refuses at declaration what bosun serve would refuse: a non-loopback address without TLS or tokens, a bad key", () => {
    assert.throws(
      () => checkServerParams({ ...params, listen: "0.0.0.0:8700" }),
      /bosunServer: server.listen 0.0.0.0:8700 is not a loopback address: configure tls first/,
    );
    assert.throws(
      () => checkServerParams({ ...params, tokens: [], listen: "0.0.0.0:8700", tlsCert: "/c", tlsKey: "/k" }),
      /configure tokens first/,
    );
    assert.throws(
      () => checkServerParams({ ...params, driftSchedule: "every day" }),
      /bosunServer: server.drift_schedule: expected a cron expression/,
    );
  });

  it("logs at info by default, so the journal shows starts and stops", () => {
    assert.match(renderServerUnit(params), /^Environment=.* BOSUN_LOG=info$/m);
    assert.match(renderServerUnit({ ...params, log: "server=debug,warn" }), /BOSUN_LOG=server=debug,warn$/m);
  });
});
