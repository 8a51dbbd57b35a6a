import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderEnvFile, renderUnit } from "../../../src/roles/service/unit.js";
import { Secret } from "../../../src/vault/secret.js";

describe("service role: renderers", () => {
  it("writes the env file with secrets revealed only for the host and systemd's quoting", () => {
    const env = renderEnvFile("service t", { A: 'say "hi" \\ there', TOKEN: new Secret("s3cr3t-unit"), N: 3 });
    assert.equal(env.masked, 'A="say \\"hi\\" \\\\ there"\nTOKEN="***"\nN="3"\n');
    assert.equal(env.reveal(), 'A="say \\"hi\\" \\\\ there"\nTOKEN="s3cr3t-unit"\nN="3"\n');
    assert.throws(() => renderEnvFile("service t", { "BAD-NAME": "x" }), /service t: env: bad variable name "BAD-NAME"/);
    assert.throws(() => renderEnvFile("service t", { A: "two\nlines" }), /env A: the value holds a newline/);
  });

  it("renders a unit that runs from current with limits and the sandbox only when asked", () => {
    const spec = {
      name: "t",
      user: "t",
      root: "/srv/t",
      exec: "/usr/bin/node app.js",
      restart: "always" as const,
      restartSec: 2,
      stopTimeoutSec: 30,
      limits: { memoryMax: "64M", nofile: 100 },
      sandbox: true,
      readWritePaths: ["/srv/data/t"],
    };
    const unit = renderUnit(spec);
    for (const line of [
      "WorkingDirectory=/srv/t/current",
      "RuntimeDirectory=t",
      "MemoryMax=64M",
      "LimitNOFILE=100",
      "ProtectSystem=strict",
      "ReadWritePaths=/srv/data/t",
    ])
      assert.ok(unit.split("\n").includes(line), line);
    assert.ok(!renderUnit({ ...spec, sandbox: false }).includes("ProtectSystem"));
  });
});
