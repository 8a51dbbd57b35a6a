import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { SqliteStorage } from "../../../src/server/sqlite.js";
import { registerSecret } from "../../../src/vault/redact.js";

const root = mkdtempSync(path.join(os.tmpdir(), "bosun-unit-sqlite-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const file = () => path.join(root, `db${++n}`, "server.db");
const commit = (sha: string) => ({ sha, author: "Ann <ann@example.com>", message: `commit ${sha}` });

describe("SQLite storage", () => {
  it("keeps the queue, in order, across a reopen", () => {
    const f = file();
    const a = new SqliteStorage(f);
    const r1 = a.enqueue({ env: "dev", kind: "plan", commit: commit("a1"), by: "git" });
    const r2 = a.enqueue({ env: "prod", kind: "plan", commit: commit("a1"), by: "git" });
    a.close();
    const b = new SqliteStorage(f);
    assert.equal(b.queueDepth(), 2);
    assert.deepEqual(
      b.list({ status: "queued" }).map((r) => r.id),
      [r2.id, r1.id],
    );
    assert.equal(b.nextQueued()?.id, r1.id);
    assert.deepEqual(b.get(r1.id)?.commit, commit("a1"));
    b.close();
  });

  it("starts one run per environment at a time", () => {
    const s = new SqliteStorage(file());
    const d1 = s.enqueue({ env: "dev", kind: "plan", commit: commit("b1"), by: "git" });
    const d2 = s.enqueue({ env: "dev", kind: "apply", commit: commit("b1"), by: "git" });
    const p1 = s.enqueue({ env: "prod", kind: "plan", commit: commit("b1"), by: "git" });
    s.update(d1.id, { status: "running" });
    assert.equal(s.nextQueued()?.id, p1.id);
    s.update(p1.id, { status: "running" });
    assert.equal(s.nextQueued(), undefined);
    s.update(d1.id, { status: "succeeded" });
    assert.equal(s.nextQueued()?.id, d2.id);
    s.close();
  });

  it("records runs a dead process left running as interrupted, and keeps what they reported", () => {
    const f = file();
    const a = new SqliteStorage(f);
    const r = a.enqueue({ env: "dev", kind: "apply", commit: commit("c1"), by: "git" });
    a.update(r.id, { status: "running", startedAt: "2026-01-01T00:00:00.000Z" });
    a.appendEvent(r.id, { type: "host_started", play: "p", host: "web1", phase: "apply" });
    a.close(); // as after kill -9: nothing else was written
    const b = new SqliteStorage(f);
    const orphans = b.interruptOrphans("the server stopped during this run");
    assert.deepEqual(
      orphans.map((o) => o.id),
      [r.id],
    );
    const after = b.get(r.id);
    assert.equal(after?.status, "interrupted");
    assert.equal(after?.startedAt, "2026-01-01T00:00:00.000Z");
    assert.match(after?.error ?? "", /server stopped/);
    assert.equal(b.events(r.id).length, 1);
    b.close();
  });

  it("masks known secrets in stored events and run data", () => {
    registerSecret("hunter2-very-secret");
    const s = new SqliteStorage(file());
    const r = s.enqueue({ env: "dev", kind: "plan", commit: commit("d1"), by: "git" });
    s.appendEvent(r.id, {
      type: "op_planned",
      play: "p",
      host: "h",
      index: 0,
      op: "file /x",
      changed: true,
      summary: "c",
      diff: "+pw=hunter2-very-secret",
    });
    s.update(r.id, { error: "failed with hunter2-very-secret" });
    const e = s.events(r.id)[0];
    assert.equal(e?.type === "op_planned" ? e.diff : "", "+pw=***");
    assert.equal(s.get(r.id)?.error, "failed with ***");
    s.close();
  });

  it("keeps versions per environment and host, drift per environment, and an audit log", () => {
    const s = new SqliteStorage(file());
    s.setVersion({ env: "dev", host: "web1", commit: "e1", run: 1 });
    s.setVersion({ env: "dev", host: "web1", commit: "e2", run: 2 });
    s.setVersion({ env: "prod", host: "web1", commit: "e1", run: 3 });
    assert.deepEqual(
      s.versions().map((v) => [v.env, v.host, v.commit]),
      [
        ["dev", "web1", "e2"],
        ["prod", "web1", "e1"],
      ],
    );
    s.setDrift("dev", "e2", { web1: ["file /etc/motd"] });
    assert.deepEqual(s.drift()[0]?.ops, ["file /etc/motd"]);
    s.setDrift("dev", "e2", {});
    assert.deepEqual(s.drift(), []);
    s.audit({ who: "alice", action: "approve", detail: "run 4" });
    assert.equal(s.auditLog()[0]?.who, "alice");
    s.close();
  });
});
