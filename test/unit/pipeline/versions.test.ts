import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { currentRun, rollbackTarget, type StageRun, VersionStore, versionOf } from "../../../src/pipeline/versions.js";

const run = (version: string, result: StageRun["result"], hosts: Record<string, string> = { web1: "ok", web2: "ok" }): StageRun => ({
  runIds: [],
  stage: "6-app",
  env: "dev",
  at: new Date().toISOString(),
  by: "alice",
  via: "cli",
  inputs: { version },
  version,
  result,
  kind: "apply",
  hosts: Object.fromEntries(Object.entries(hosts).map(([h, status]) => [h, { status, version }])),
});

describe("the version store", () => {
  it("records runs and moves only the hosts that succeeded to the new inputs", async () => {
    const store = new VersionStore(mkdtempSync(path.join(os.tmpdir(), "bosun-versions-")), "example");
    await store.record(run("1.0.0", "ok"));
    const s = await store.record(run("1.1.0", "failed", { web1: "ok", web2: "failed" }));
    assert.equal(s.hosts.web1?.version, "1.1.0");
    assert.equal(s.hosts.web2?.version, "1.0.0");
    assert.equal((await store.read("dev", "6-app")).history.length, 2);
    assert.deepEqual((await store.read("prod", "6-app")).history, [], "environments are separate");
  });
});

describe("rollbackTarget", () => {
  const history = { history: [run("1.0.0", "ok"), run("1.1.0", "canary-rolled-back"), run("1.2.0", "ok"), run("1.2.0", "ok")], hosts: {} };
  it("is the last successful version before the current one, skipping failed runs and re-runs of the current", () => {
    assert.equal(currentRun(history)?.version, "1.2.0");
    assert.equal(rollbackTarget(history)?.version, "1.0.0");
  });
  it("takes an explicit version, only a successful one", () => {
    assert.equal(rollbackTarget(history, "1.2.0")?.version, "1.2.0");
    assert.equal(rollbackTarget(history, "1.1.0"), undefined);
  });
  it("has nothing to go back to after a single version", () =>
    assert.equal(rollbackTarget({ history: [run("1.0.0", "ok")], hosts: {} }), undefined));
});

describe("versionOf", () => {
  it("is the version input when there is one", () => assert.equal(versionOf({ version: "1.4.2", host: "web" }), "1.4.2"));
  it("is a stable hash of the inputs otherwise, whatever their order", () => {
    assert.equal(versionOf({ a: 1, b: "x" }), versionOf({ b: "x", a: 1 }));
    assert.notEqual(versionOf({ a: 1 }), versionOf({ a: 2 }));
  });
});
