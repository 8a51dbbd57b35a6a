import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseEvents, recapMarkdown } from "../../../src/pipeline/recap.js";

const shard = (host: string, status: string, exit: number) =>
  [
    { type: "stage_started", stage: "6-app", env: "prod", kind: "apply", inputs: { version: "1.4.2" }, version: "1.4.2", hosts: [host] },
    { type: "host_finished", play: "webapp", host, status, counts: {}, duration_ms: 1, execs: 2 },
    ...(exit
      ? [
          {
            type: "check_result",
            phase: "verify",
            host,
            check: "http GET",
            ok: false,
            attempts: 3,
            error: "expected status 200, found 502",
          },
        ]
      : []),
    { type: "stage_finished", stage: "6-app", env: "prod", result: exit ? "failed" : "ok", exit_code: exit },
  ]
    .map((e) => JSON.stringify(e))
    .join("\n");

describe("recapMarkdown", () => {
  it("summarises one run: stage, version, result and a row per host", () => {
    const md = recapMarkdown([parseEvents(`log line that is not JSON\n${shard("web1", "changed", 0)}\n{"torn`)]);
    assert.match(md, /## Bosun pipeline ✅ passed/);
    assert.match(md, /\| 6-app \| prod \| 1\.4\.2 \| ok \|/);
    assert.match(md, /\| web1 \| 6-app \| 1\.4\.2 \| changed \|/);
  });
  it("merges shard records into one table and fails when any shard failed, listing its failed checks", () => {
    const md = recapMarkdown([parseEvents(shard("web1", "ok", 0)), parseEvents(shard("web2", "changed", 1))]);
    assert.match(md, /❌ failed/);
    assert.match(md, /2 shards merged/);
    assert.match(md, /\| web1 \|/);
    assert.match(md, /\| web2 \|/);
    assert.match(md, /- web2: http GET: expected status 200, found 502/);
  });
});
