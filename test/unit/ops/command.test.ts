import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { rcFact } from "../../../src/facts/file.js";
import { command } from "../../../src/ops/command.js";
import { applyHere, declared, live, outputs } from "./kit.js";

// Fact outputs captured on Debian 12.
const ABSENT = "type=absent\n";
const FILE =
  "type=file\nmode=644 owner=root group=root size=6\nsha256=5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03\ncontent=aGVsbG8K\n";
const DIRECTORY = "type=directory\nmode=755 owner=root group=root\n";

const MARK = "/opt/app/.installed";

describe("command op: planning", () => {
  it("runs, and reports a change, every time without guards", () => {
    const op = declared(() => command("/opt/app/migrate"));
    assert.equal(op.kind, "command");
    assert.equal(op.name, "/opt/app/migrate");
    assert.deepEqual(op.facts(), []);
    assert.deepEqual(op.plan(outputs({})), { changed: true, summary: "run" });
  });

  it("creates: skips when the path exists (file or directory), runs when absent", () => {
    const op = declared(() => command("install-app", { creates: MARK }));
    assert.deepEqual(
      op.facts().map((f) => f.key),
      [`file:${MARK}`],
    );
    assert.deepEqual(op.plan(outputs({ [`file:${MARK}`]: FILE })), { changed: false, summary: `skip: ${MARK} exists` });
    assert.equal(op.plan(outputs({ [`file:${MARK}`]: DIRECTORY })).changed, false);
    assert.deepEqual(op.plan(outputs({ [`file:${MARK}`]: ABSENT })), { changed: true, summary: "run" });
  });

  it("removes: skips when the path is absent, runs when it exists", () => {
    const op = declared(() => command("rm -rf /opt/old", { removes: "/opt/old" }));
    assert.deepEqual(op.plan(outputs({ "file:/opt/old": ABSENT })), { changed: false, summary: "skip: /opt/old is absent" });
    assert.deepEqual(op.plan(outputs({ "file:/opt/old": DIRECTORY })), { changed: true, summary: "run" });
  });

  it("unless: skips when the command succeeds", () => {
    const op = declared(() => command("useradd app", { unless: "id app" }));
    assert.deepEqual(
      op.facts().map((f) => f.key),
      ["rc:id app"],
    );
    assert.deepEqual(op.plan(outputs({ "rc:id app": "rc=0\n" })), { changed: false, summary: "skip: unless-command succeeded" });
    assert.deepEqual(op.plan(outputs({ "rc:id app": "rc=1\n" })), { changed: true, summary: "run" });
  });

  it("onlyIf: runs only when the command succeeds", () => {
    const op = declared(() => command("reindex", { onlyIf: "test -f /var/lib/app/dirty" }));
    assert.deepEqual(op.plan(outputs({ "rc:test -f /var/lib/app/dirty": "rc=1\n" })), {
      changed: false,
      summary: "skip: onlyIf-command failed",
    });
    assert.deepEqual(op.plan(outputs({ "rc:test -f /var/lib/app/dirty": "rc=0\n" })), { changed: true, summary: "run" });
  });

  it("checks guards in order: the first that says skip wins", () => {
    const op = declared(() => command("x", { creates: MARK, unless: "true" }));
    assert.equal(op.plan(outputs({ [`file:${MARK}`]: FILE, "rc:true": "rc=0\n" })).summary, `skip: ${MARK} exists`);
    assert.equal(op.plan(outputs({ [`file:${MARK}`]: ABSENT, "rc:true": "rc=0\n" })).summary, "skip: unless-command succeeded");
    assert.equal(op.plan(outputs({ [`file:${MARK}`]: ABSENT, "rc:true": "rc=1\n" })).summary, "run");
  });

  it("treats missing rc output (cut-short fact) as a failing command", () => {
    const op = declared(() => command("x", { unless: "probe" }));
    assert.equal(op.plan(outputs({ "rc:probe": "" })).changed, true);
  });

  it("is named by its name option, or its command shortened to 60 characters", () => {
    assert.equal(declared(() => command("long ".repeat(20), { name: "short" })).name, "short");
    const long = declared(() => command("x".repeat(80))).name;
    assert.equal(long, `${"x".repeat(57)}...`);
  });

  it("refuses a bad environment variable name", () => {
    assert.throws(() => declared(() => command("x", { env: { "BAD-NAME": "1" } })), /command: bad environment variable name "BAD-NAME"/);
  });
});

describe("rcFact on this machine", () => {
  const rc = (cmd: string) => live.get(rcFact(cmd));

  it("returns the exit status of the command", () => {
    assert.equal(rc("true"), 0);
    assert.equal(rc("false"), 1);
    assert.equal(rc("sh -c 'exit 7'"), 7);
  });

  it("returns the status of the whole command, as the apply guard sees it", () => {
    assert.equal(rc("true; exit 0"), 0);
    assert.equal(rc("exit 3"), 3);
    assert.equal(rc("false || true"), 0);
    assert.equal(rc("echo rc=0; false"), 1);
  });
});

describe("command op: applied on this machine", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-command-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("creates: runs once, then plans and applies as skipped", () => {
    const op = declared(() => command(`echo run >> ${dir}/log; touch ${dir}/made`, { creates: `${dir}/made` }));
    assert.equal(op.plan(live).changed, true);
    assert.equal(applyHere(op)?.status, "changed");
    assert.equal(op.plan(live).changed, false);
    assert.equal(applyHere(op)?.status, "ok");
    assert.equal(readFileSync(`${dir}/log`, "utf8"), "run\n");
  });

  it("removes: runs only while the path exists", () => {
    writeFileSync(`${dir}/old`, "x");
    const op = declared(() => command(`rm ${dir}/old`, { removes: `${dir}/old` }));
    assert.equal(applyHere(op)?.status, "changed");
    assert.equal(existsSync(`${dir}/old`), false);
    assert.equal(op.plan(live).changed, false);
    assert.equal(applyHere(op)?.status, "ok");
  });

  it("unless and onlyIf guard the apply the same way they guard the plan", () => {
    const flag = `${dir}/flag`;
    const skip = declared(() => command(`echo x >> ${dir}/unless`, { unless: `test -e ${flag} || exit 0` }));
    assert.equal(skip.plan(live).changed, false);
    assert.equal(applyHere(skip)?.status, "ok");
    assert.equal(existsSync(`${dir}/unless`), false);
    const only = declared(() => command(`echo x >> ${dir}/onlyif`, { onlyIf: `test -e ${flag}` }));
    assert.equal(only.plan(live).changed, false);
    assert.equal(applyHere(only)?.status, "ok");
    writeFileSync(flag, "");
    assert.equal(only.plan(live).changed, true);
    assert.equal(applyHere(only)?.status, "changed");
    assert.equal(readFileSync(`${dir}/onlyif`, "utf8"), "x\n");
  });

  it("runs in cwd with env, and fails with the command's status and output", () => {
    const op = declared(() => command('echo "$GREETING from $(pwd)"; exit 9', { cwd: dir, env: { GREETING: "it's me" } }));
    const r = applyHere(op);
    assert.equal(r?.status, "failed");
    assert.equal(r?.rc, 9);
    assert.equal(r?.output, `it's me from ${dir}`);
  });
});
