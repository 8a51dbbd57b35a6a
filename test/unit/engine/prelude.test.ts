import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Collector, collectInto } from "../../../src/core/collector.js";
import type { Operation } from "../../../src/core/operation.js";
import { buildApplyScript, opResult, parseApplyOutput } from "../../../src/engine/script.js";
import { file } from "../../../src/ops/file.js";

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "bosun-prelude-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function fileOp(p: string, o: Parameters<typeof file>[1]): Operation {
  const c = new Collector();
  collectInto(c, () => file(p, o));
  return c.ops[0] as Operation;
}

/**
 * Runs ops with a base64 on PATH that, while it writes the decoded content, records the mode of the
 * file it writes into (the temp file): what another user could read at that moment.
 */
function runSpying(ops: Operation[]) {
  const bin = path.join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  const spy = path.join(dir, "modes");
  writeFileSync(path.join(bin, "base64"), `#!/bin/sh\nstat -L -c %a /proc/$$/fd/1 >> ${spy}\nexec /usr/bin/base64 "$@"\n`);
  chmodSync(path.join(bin, "base64"), 0o755);
  const { script, token } = buildApplyScript(ops, []);
  const r = spawnSync("sh", ["-s"], { input: script, encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  return { r, outcome: parseApplyOutput(r.stdout, token), modes: readFileSync(spy, "utf8").trim().split("\n") };
}

describe("__put", () => {
  it("writes content into a temp file that is 0600 while filled, whatever the final mode, then sets the final mode", () => {
    const p = path.join(dir, "app.env");
    const { r, outcome, modes } = runSpying([fileOp(p, { content: "DB_PASSWORD=s3cret\n", mode: "0644" })]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(opResult(outcome, 0)?.status, "changed");
    assert.deepEqual(modes, ["600"]);
    assert.equal(statSync(p).mode & 0o777, 0o644);
    assert.equal(readFileSync(p, "utf8"), "DB_PASSWORD=s3cret\n");
  });

  it("gives a new file without a mode what the umask gives (the temp file's 0600 does not leak into it)", () => {
    const p = path.join(dir, "index.html");
    const { r } = runSpying([fileOp(p, { content: "<h1>hi</h1>\n" })]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(statSync(p).mode & 0o777, 0o666 & ~process.umask());
  });

  it("keeps the mode of a file it replaces when none is given", () => {
    const p = path.join(dir, "kept");
    writeFileSync(p, "old\n", { mode: 0o640 });
    chmodSync(p, 0o640);
    const { r } = runSpying([fileOp(p, { content: "new\n" })]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(statSync(p).mode & 0o777, 0o640);
  });
});
