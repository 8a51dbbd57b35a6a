import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { loadConfig } from "../../../src/config/load.js";
import { ConfigError } from "../../../src/errors.js";
import { exposureProblem, ServerConfigSchema } from "../../../src/server/config.js";
import { checkServerConfig } from "../../../src/server/server.js";

const root = mkdtempSync(path.join(os.tmpdir(), "bosun-unit-server-config-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** Loads a bosun.toml with its own PREFIX (so no real env.toml is read). */
async function load(toml: string, env: Record<string, string> = {}) {
  const cwd = path.join(root, `c${++n}`);
  mkdirSync(path.join(cwd, "prefix"), { recursive: true });
  writeFileSync(path.join(cwd, "bosun.toml"), toml);
  return loadConfig({ cwd, env: { PREFIX: path.join(cwd, "prefix"), ...env } });
}

const SERVER = `[server]
repo = "/srv/git/infra.git"
drift_schedule = "*/10 * * * *"

[server.environments.dev]
site = "site.ts"
inventory = "inventory.yml"
policy = "auto"

[server.environments.prod]
site = "site.ts"
inventory = "prod.yml"
`;

describe("[server] in bosun.toml", () => {
  it("is read with its defaults: loopback, branch main, approvals unless auto", async () => {
    const { config } = await load(SERVER);
    const s = config.server;
    assert.equal(s.listen, "127.0.0.1:8700");
    assert.equal(s.branch, "main");
    assert.equal(s.environments.dev?.policy, "auto");
    assert.equal(s.environments.prod?.policy, "approve");
    assert.doesNotThrow(() => checkServerConfig(s, ["bosun.toml"]));
  });

  it("BOSUN_SERVER_* variables override it", async () => {
    const { config, sources } = await load(SERVER, { BOSUN_SERVER_LISTEN: "127.0.0.1:9999", BOSUN_SERVER_BRANCH: "release" });
    assert.equal(config.server.listen, "127.0.0.1:9999");
    assert.equal(config.server.branch, "release");
    assert.equal(sources["server.listen"], "env");
  });

  it("a bad policy is an error naming file, line and key", async () => {
    const err = await load(`${SERVER}\n[server.environments.qa]\nsite = "s.ts"\ninventory = "i.yml"\npolicy = "sometimes"\n`).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /bosun\.toml:17: server\.environments\.qa\.policy/);
  });

  it("refuses a non-loopback address unless TLS and tokens are configured", () => {
    const base = ServerConfigSchema.parse({ listen: "0.0.0.0:8700" });
    assert.match(exposureProblem(base) ?? "", /tls_cert and tls_key and tokens/);
    const tls = ServerConfigSchema.parse({ listen: "198.18.0.1:8700", tls_cert: "c.pem", tls_key: "k.pem" });
    assert.match(exposureProblem(tls) ?? "", /configure tokens/);
    const ok = ServerConfigSchema.parse({ ...tls, tokens: [{ name: "ci", scope: "read", sha256: "a".repeat(64) }] });
    assert.equal(exposureProblem(ok), undefined);
    assert.equal(exposureProblem(ServerConfigSchema.parse({ listen: "127.0.0.2:1" })), undefined);
    assert.throws(() => checkServerConfig({ ...base, repo: "/r", environments: {} }, ["bosun.toml"]), /not a loopback address/);
  });

  it("a server without a repository or environments does not start", () => {
    const s = ServerConfigSchema.parse({});
    assert.throws(() => checkServerConfig(s, ["/etc/bosun/bosun.toml"]), /\/etc\/bosun\/bosun\.toml: server\.repo/);
    assert.throws(() => checkServerConfig({ ...s, repo: "/r" }, ["x"]), /server\.environments: no environment/);
  });
});
