import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { httpCheck } from "../../../src/ops/http-check.js";
import { applyHere, declared, planHere, serveDir } from "./kit.js";

const root = mkdtempSync(path.join(os.tmpdir(), "bosun-http-check-"));
let server: { url: string; stop: () => void };
before(async () => {
  mkdirSync(path.join(root, "www"));
  writeFileSync(path.join(root, "www", "health"), "status: ok\n");
  server = await serveDir(path.join(root, "www"));
});
after(() => {
  server.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("httpCheck requests a URL from the host and fails the host unless status and body match", () => {
  it("passes on a listed status and a body with every wanted text, and never reports a change", () => {
    const op = declared(() => httpCheck(`${server.url}/health`, { status: [200, 204], contains: ["status:", "ok"] }));
    assert.equal(op.check, true);
    assert.equal(planHere(op).changed, false);
    assert.equal(applyHere(op).status, "ok");
  });

  it("a status outside the list fails, naming what was wanted and the last status, after every retry", () => {
    const op = declared(() => httpCheck(`${server.url}/missing`, { retries: 2, delay: 0 }));
    const r = applyHere(op);
    assert.equal(r.status, "failed");
    assert.match(r.output ?? "", /http_check failed after 3 attempts: wanted GET .*\/missing → 200/);
    assert.match(r.output ?? "", /last status: 404/);
  });

  it("a wanted status passes even when it is an error status (status_code: 404)", () => {
    assert.equal(applyHere(declared(() => httpCheck(`${server.url}/missing`, { status: [404] }))).status, "ok");
  });

  it("retries until the body holds the text: a file that appears after the first attempt passes", () => {
    const late = path.join(root, "www", "late");
    const op = declared(() => httpCheck(`${server.url}/late`, { contains: ["ready"], retries: 5, delay: 1 }));
    // applyHere blocks this thread: a child shell writes the file a second after the first attempt.
    const env = { BOSUN_TEST_LATE: late };
    const wrapped = { ...op, apply: () => `( sleep 1; echo ready > "$BOSUN_TEST_LATE" ) &\n${op.apply()}` };
    const r = applyHere(wrapped, env);
    assert.equal(r.status, "ok", r.output);
  });

  it("a refused connection is status 000 and fails clearly", () => {
    const r = applyHere(declared(() => httpCheck("http://127.0.0.1:9/", { timeout: 2 })));
    assert.equal(r.status, "failed");
    assert.match(r.output ?? "", /last status: 000/);
  });

  it("refuses bad input at declaration", () => {
    assert.throws(() => httpCheck("ftp://x/"), /must be http/);
    assert.throws(() => httpCheck("http://x/", { status: [] }), /status must list/);
    assert.throws(() => httpCheck("http://x/", { retries: -1 }), /retries must be/);
    assert.throws(() => httpCheck("http://x/", { headers: { "a b": "c" } }), /bad header/);
  });
});
