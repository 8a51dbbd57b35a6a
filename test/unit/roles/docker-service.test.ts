import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderContainerUnit, renderDockerEnv } from "../../../src/roles/docker-service/container.js";
import { renderDaemonJson } from "../../../src/roles/docker-service/engine.js";
import { Secret } from "../../../src/vault/secret.js";

describe("dockerService role: renderers", () => {
  it("keeps production defaults unless the engine options (e.g. the lab's) say otherwise", () => {
    assert.deepEqual(JSON.parse(renderDaemonJson({})), {
      "storage-driver": "overlay2",
      "log-driver": "json-file",
      "log-opts": { "max-size": "10m", "max-file": "3" },
    });
    const lab = JSON.parse(renderDaemonJson({ storageDriver: "vfs", defaultRuntime: "crun-nocg", insecureRegistries: ["10.0.0.1:5000"] }));
    assert.equal(lab["storage-driver"], "vfs");
    assert.equal(lab["default-runtime"], "crun-nocg");
    assert.deepEqual(lab["insecure-registries"], ["10.0.0.1:5000"]);
  });

  it("writes docker's env file unquoted, masking secrets for people", () => {
    const env = renderDockerEnv("web", { A: "x y", T: new Secret("tok-unit-1") });
    assert.equal(env.masked, "A=x y\nT=***\n");
    assert.equal(env.reveal(), "A=x y\nT=tok-unit-1\n");
  });

  it("quotes the unit's words for systemd: a health command with spaces stays one argument", () => {
    const unit = renderContainerUnit({
      name: "web",
      image: "r/web",
      tag: "1",
      ports: ["8080:80"],
      healthcheck: { cmd: "wget -q -O /dev/null http://127.0.0.1/$x" },
      command: ["serve", "--dir", "/www"],
    });
    const exec = unit.split("\n").find((l) => l.startsWith("ExecStart="));
    assert.equal(
      exec,
      'ExecStart=/usr/bin/docker run --rm --name=web --publish=8080:80 --env-file=/etc/bosun-docker/web.env "--health-cmd=wget -q -O /dev/null http://127.0.0.1/$$x" --health-interval=2s --health-retries=3 $' +
        "{IMAGE} serve --dir /www",
    );
  });
});
