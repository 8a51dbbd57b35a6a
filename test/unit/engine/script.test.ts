import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Collector, collectInto, FLUSH_HANDLERS } from "../../../src/core/collector.js";
import type { Operation } from "../../../src/core/operation.js";
import {
  type ApplyOutcome,
  type ApplyScriptOptions,
  buildApplyScript,
  opResult,
  parseApplyOutput,
  type ScriptHandler,
  type StepResult,
} from "../../../src/engine/script.js";
import { file } from "../../../src/ops/file.js";
import { quote } from "../../../src/util/shell.js";

/** Returns a bare operation whose apply() is the given sh fragment. */
function shOp(name: string, body: string, notify: string[] = []): Operation {
  return {
    kind: "sh",
    name,
    tags: [],
    notify,
    facts: () => [],
    plan: () => ({ changed: true, summary: "run" }),
    apply: () => body,
  };
}

/** Returns the op that file() declares, built outside a role. */
function fileOp(p: string, o: Parameters<typeof file>[1]): Operation {
  const c = new Collector();
  collectInto(c, () => file(p, o));
  return c.ops[0] as Operation;
}

/** Runs the apply script of ops and handlers with `sh -s` (the script on stdin) and parses its output. */
function run(ops: Operation[], handlers: ScriptHandler[] = [], o: ApplyScriptOptions = {}) {
  const { script, token } = buildApplyScript(ops, handlers, o);
  const r = spawnSync("sh", ["-s"], { input: script, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, outcome: parseApplyOutput(r.stdout, token) };
}

/** Returns a step's result by short key: "2" for op 2, "h1.0" for handler 1's first op at the end, "h1.0@3" at the flush that is op 3. */
function step(o: ApplyOutcome, key: string): StepResult | undefined {
  const m = /^h(\d+)\.(\d+)(?:@(\d+))?$/.exec(key);
  if (!m) return opResult(o, Number(key));
  const flushAt = m[3] === undefined ? null : Number(m[3]);
  return o.steps.find((s) => "handler" in s && s.handler === Number(m[1]) && s.op === Number(m[2]) && s.flushAt === flushAt);
}

/** Returns the handler runs as short keys: "0" at the end, "0@1" at the flush that is op 1. */
const runs = (o: ApplyOutcome) => o.handlerRuns.map((r) => `${r.handler}${r.flushAt === null ? "" : `@${r.flushAt}`}`);

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "bosun-script-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Returns a fresh directory for one test. */
function sub(name: string): string {
  const d = path.join(dir, name);
  mkdirSync(d, { recursive: true });
  return d;
}

const touch = (p: string) => `: > ${quote(p)}; __changed`;
const append = (p: string, text: string) => `echo ${quote(text)} >> ${quote(p)}`;

describe("buildApplyScript run with sh -s", () => {
  it("marks an op that calls __changed as changed and one that does not as ok, and exits 0", () => {
    const d = sub("markers");
    const r = run([shOp("a", touch(`${d}/a`)), shOp("b", "true"), shOp("c", touch(`${d}/c`))]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.outcome.steps.map((o) => ["op" in o ? o.op : -1, o.status]),
      [
        [0, "changed"],
        [1, "ok"],
        [2, "changed"],
      ],
    );
    assert.deepEqual(runs(r.outcome), []);
    assert.ok(existsSync(`${d}/a`) && existsSync(`${d}/c`));
  });

  it("stops at a failing op: later ops get no marker and do not run, exit status 1", () => {
    const d = sub("stop");
    const r = run([shOp("a", touch(`${d}/a`)), shOp("b", "echo boom >&2; exit 7"), shOp("c", touch(`${d}/c`))]);
    assert.equal(r.code, 1);
    assert.equal(step(r.outcome, "0")?.status, "changed");
    assert.deepEqual(step(r.outcome, "1"), { op: 1, status: "failed", rc: 7, output: "boom" });
    assert.equal(step(r.outcome, "2") !== undefined, false);
    assert.equal(existsSync(`${d}/c`), false);
  });

  it("runs each op under set -e: a failing command in the middle fails the op", () => {
    const d = sub("sete");
    const r = run([shOp("a", `false\n${touch(`${d}/never`)}`)]);
    assert.equal(step(r.outcome, "0")?.status, "failed");
    assert.equal(step(r.outcome, "0")?.rc, 1);
    assert.equal(existsSync(`${d}/never`), false);
  });

  it("reports only the last 40 lines of a failing op's output, stdout and stderr together", () => {
    const r = run([shOp("noisy", "i=1; while [ $i -le 50 ]; do echo line$i; i=$((i+1)); done; echo last >&2; exit 3")]);
    const o = step(r.outcome, "0");
    assert.equal(o?.status, "failed");
    assert.equal(o?.rc, 3);
    const lines = o?.output?.split("\n") ?? [];
    assert.equal(lines.length, 40);
    assert.equal(lines[0], "line12");
    assert.equal(lines.at(-1), "last");
  });

  it("parses a failing op's output that does not end with a newline, and what follows it", () => {
    const d = sub("nonl");
    const r = run(
      [shOp("a", touch(`${d}/a`), ["h"]), shOp("b", "printf 'no newline at end'; exit 4")],
      [{ name: "h", ops: [shOp("h", touch(`${d}/h`))] }],
    );
    assert.deepEqual(step(r.outcome, "1"), { op: 1, status: "failed", rc: 4, output: "no newline at end" });
    assert.deepEqual(runs(r.outcome), ["0"]);
    assert.equal(step(r.outcome, "h0.0")?.status, "changed");
  });

  it("keeps the output of an op that changed something before failing, and reports it failed", () => {
    const d = sub("changedthenfail");
    const r = run([shOp("a", `${touch(`${d}/a`)}\necho half-done\nexit 2`)]);
    assert.deepEqual(step(r.outcome, "0"), { op: 0, status: "failed", rc: 2, output: "half-done" });
  });

  it("gives ops /dev/null as stdin, so an op reading stdin cannot eat the rest of the script", () => {
    const d = sub("stdin");
    const r = run([shOp("reader", `cat > ${quote(`${d}/stdin.txt`)}`), shOp("after", touch(`${d}/after`))]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(`${d}/stdin.txt`, "utf8"), "");
    assert.equal(step(r.outcome, "1")?.status, "changed");
    assert.ok(existsSync(`${d}/after`));
  });

  it("keeps an op's own output out of stdout (no stray lines around markers)", () => {
    const r = run([shOp("chatty", "echo hello; echo world >&2")]);
    assert.equal(step(r.outcome, "0")?.status, "ok");
    assert.doesNotMatch(r.stdout, /hello|world/);
  });

  it("runs an op whose apply() is empty as a no-op instead of breaking the script", () => {
    const d = sub("empty");
    const r = run([shOp("empty", ""), shOp("next", touch(`${d}/next`))]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(step(r.outcome, "0")?.status, "ok");
    assert.equal(step(r.outcome, "1")?.status, "changed");
  });

  it("removes its temporary directory when it exits", () => {
    const { script } = buildApplyScript([shOp("a", "true")], []);
    const r = spawnSync("sh", ["-s"], { input: script.replace(/\nexit 0\n$/, '\necho "dir=$__d"\nexit 0\n'), encoding: "utf8" });
    const made = /dir=(\S+)/.exec(r.stdout)?.[1];
    assert.ok(made, r.stdout);
    assert.equal(existsSync(made), false);
  });
});

describe("handlers in the apply script", () => {
  const handlers = (d: string): ScriptHandler[] => [
    { name: "first", ops: [shOp("first", `${append(`${d}/order`, "first")}; __changed`)] },
    { name: "second", ops: [shOp("second-a", `${append(`${d}/order`, "second")}; __changed`), shOp("second-b", "true")] },
    { name: "unused", ops: [shOp("unused", `${append(`${d}/order`, "unused")}; __changed`)] },
  ];

  it("run at a flush point for what was notified so far, and again at the end only when notified again", () => {
    const d = sub("h-flush");
    const flush = { ...shOp("flush", ":"), kind: FLUSH_HANDLERS };
    const r = run(
      [
        shOp("a", touch(`${d}/a`), ["first"]),
        flush,
        shOp("check", `grep -qx first ${d}/order`),
        shOp("b", touch(`${d}/b`), ["first", "second"]),
      ],
      handlers(d),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(`${d}/order`, "utf8"), "first\nfirst\nsecond\n", "flushed once, then both at the end");
    assert.deepEqual(runs(r.outcome), ["0@1", "0", "1"]);
    assert.equal(step(r.outcome, "h0.0@1")?.status, "changed");
    assert.equal(step(r.outcome, "2")?.status, "ok", "the op after the flush saw the handler's effect");
  });

  it("run once each, in declaration order, however many changed ops notified them", () => {
    const d = sub("h-order");
    const r = run(
      [shOp("a", touch(`${d}/a`), ["second", "first"]), shOp("b", touch(`${d}/b`), ["second"]), shOp("c", touch(`${d}/c`), ["first"])],
      handlers(d),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(`${d}/order`, "utf8"), "first\nsecond\n");
    assert.deepEqual(runs(r.outcome), ["0", "1"]);
    assert.equal(step(r.outcome, "h0.0")?.status, "changed");
    assert.equal(step(r.outcome, "h1.0")?.status, "changed");
    assert.equal(step(r.outcome, "h1.1")?.status, "ok");
    assert.equal(step(r.outcome, "h2.0") !== undefined, false);
  });

  it("do not run when the notifying op did not change anything", () => {
    const d = sub("h-ok");
    const r = run([shOp("a", "true", ["first"])], handlers(d));
    assert.deepEqual(runs(r.outcome), []);
    assert.equal(existsSync(`${d}/order`), false);
  });

  it("still run when a later op failed (force_handlers)", () => {
    const d = sub("h-force");
    const r = run(
      [shOp("a", touch(`${d}/a`), ["first"]), shOp("b", "exit 5", ["second"]), shOp("c", touch(`${d}/c`), ["second"])],
      handlers(d),
    );
    assert.equal(r.code, 1);
    assert.deepEqual(runs(r.outcome), ["0"]);
    assert.equal(readFileSync(`${d}/order`, "utf8"), "first\n");
    assert.equal(step(r.outcome, "1")?.status, "failed");
    assert.equal(step(r.outcome, "2") !== undefined, false);
  });

  it("do not run when the notifying op changed something and then failed", () => {
    const d = sub("h-failed");
    const r = run([shOp("a", `${touch(`${d}/a`)}\nexit 3`, ["first"])], handlers(d));
    assert.equal(r.code, 1);
    assert.deepEqual(runs(r.outcome), []);
    assert.equal(existsSync(`${d}/order`), false);
  });

  it("stop at a failing handler op and report it; other handlers still run and the script exits 1", () => {
    const d = sub("h-hfail");
    const hs: ScriptHandler[] = [
      { name: "bad", ops: [shOp("bad-a", "echo nope; exit 6"), shOp("bad-b", touch(`${d}/bad-b`))] },
      { name: "good", ops: [shOp("good", touch(`${d}/good`))] },
    ];
    const r = run([shOp("a", touch(`${d}/a`), ["bad", "good"])], hs);
    assert.equal(r.code, 1);
    assert.deepEqual(runs(r.outcome), ["0", "1"]);
    assert.deepEqual(step(r.outcome, "h0.0"), { handler: 0, op: 0, flushAt: null, status: "failed", rc: 6, output: "nope" });
    assert.equal(step(r.outcome, "h0.1") !== undefined, false);
    assert.equal(existsSync(`${d}/bad-b`), false);
    assert.equal(step(r.outcome, "h1.0")?.status, "changed");
  });

  it("ignore notify names that are not handlers of the script", () => {
    const d = sub("h-unknown");
    const r = run([shOp("a", touch(`${d}/a`), ["nobody"])], handlers(d));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(runs(r.outcome), []);
  });
});

describe("prelude __put (through the file op)", () => {
  it("creates the file with the content, mode and owner, then reports ok on a second run", () => {
    const d = sub("put");
    const p = `${d}/motd`;
    const op = fileOp(p, { content: "hello\n", mode: "0640", owner: "nobody", group: "nogroup" });
    const first = run([op]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(step(first.outcome, "0")?.status, "changed");
    assert.equal(readFileSync(p, "utf8"), "hello\n");
    const st = statSync(p);
    assert.equal(st.mode & 0o7777, 0o640);
    assert.equal(st.uid, 65534);
    assert.equal(st.gid, 65534);
    const second = run([op]);
    assert.equal(step(second.outcome, "0")?.status, "ok");
    assert.equal(statSync(p).ino, st.ino, "an identical file is left untouched");
  });

  it("replaces changed content by rename (new inode), leaving no temp file behind", () => {
    const d = sub("put-atomic");
    const p = `${d}/conf`;
    writeFileSync(p, "old\n", { mode: 0o600 });
    const ino = statSync(p).ino;
    const r = run([fileOp(p, { content: "new\n" })]);
    assert.equal(step(r.outcome, "0")?.status, "changed");
    assert.equal(readFileSync(p, "utf8"), "new\n");
    assert.notEqual(statSync(p).ino, ino);
    assert.equal(statSync(p).mode & 0o7777, 0o600, "keeps the mode of the file it replaces when none is given");
    assert.deepEqual(readdirSync(d), ["conf"]);
  });

  it("changes only the mode of a file whose content is right, and reports the change", () => {
    const d = sub("put-mode");
    const p = `${d}/f`;
    writeFileSync(p, "same\n", { mode: 0o644 });
    const ino = statSync(p).ino;
    const r = run([fileOp(p, { content: "same\n", mode: "600" })]);
    assert.equal(step(r.outcome, "0")?.status, "changed");
    assert.equal(statSync(p).mode & 0o7777, 0o600);
    assert.equal(statSync(p).ino, ino);
    assert.equal(step(run([fileOp(p, { content: "same\n", mode: "600" })]).outcome, "0")?.status, "ok");
  });

  it("replaces a symlink with a regular file instead of writing through it", () => {
    const d = sub("put-link");
    writeFileSync(`${d}/target`, "target\n");
    symlinkSync(`${d}/target`, `${d}/p`);
    const r = run([fileOp(`${d}/p`, { content: "target\n" })]);
    assert.equal(step(r.outcome, "0")?.status, "changed");
    assert.equal(lstatSync(`${d}/p`).isSymbolicLink(), false);
    assert.equal(readFileSync(`${d}/target`, "utf8"), "target\n");
  });

  it("writes binary content byte for byte", () => {
    const d = sub("put-bin");
    const bytes = new Uint8Array(Array.from({ length: 256 }, (_, i) => i));
    const r = run([fileOp(`${d}/bin`, { content: bytes })]);
    assert.equal(step(r.outcome, "0")?.status, "changed");
    assert.deepEqual(new Uint8Array(readFileSync(`${d}/bin`)), bytes);
  });

  it("sets only the group of a file whose content, mode and owner are right (one chown for what differs)", () => {
    const d = sub("put-group");
    const p = `${d}/g`;
    writeFileSync(p, "same\n", { mode: 0o640 });
    const op = fileOp(p, { content: "same\n", mode: "0640", owner: "root", group: "nogroup" });
    const r = run([op]);
    assert.equal(step(r.outcome, "0")?.status, "changed", r.stderr);
    assert.equal(statSync(p).uid, 0);
    assert.equal(statSync(p).gid, 65534);
    assert.equal(step(run([op]).outcome, "0")?.status, "ok");
  });

  it("replacing content, keeps the owner and group of the old file it was not told, and sets those it was", () => {
    const d = sub("put-partial");
    const p = `${d}/f`;
    writeFileSync(p, "old\n", { mode: 0o604 });
    spawnSync("chown", ["nobody:nogroup", p]);
    const r = run([fileOp(p, { content: "new\n", group: "root" })]);
    assert.equal(step(r.outcome, "0")?.status, "changed", r.stderr);
    const st = statSync(p);
    assert.equal(st.mode & 0o7777, 0o604);
    assert.equal(st.uid, 65534);
    assert.equal(st.gid, 0);
  });

  it("creates a missing directory with its mode and owner, and reports ok on a second run", () => {
    const d = sub("mkdir");
    const p = `${d}/a/b`;
    const op: Operation = { ...shOp("mkdir", `__mkdir ${quote(p)} 0750 nobody nogroup`), kind: "directory" };
    const r = run([op]);
    assert.equal(step(r.outcome, "0")?.status, "changed", r.stderr);
    const st = statSync(p);
    assert.equal(st.mode & 0o7777, 0o750);
    assert.equal(st.uid, 65534);
    assert.equal(st.gid, 65534);
    assert.equal(step(run([op]).outcome, "0")?.status, "ok");
    spawnSync("chmod", ["0700", p]);
    assert.equal(step(run([op]).outcome, "0")?.status, "changed");
    assert.equal(statSync(p).mode & 0o7777, 0o750);
  });

  it("fails the op when the directory does not exist, leaving nothing behind", () => {
    const d = sub("put-nodir");
    const r = run([fileOp(`${d}/missing/f`, { content: "x" })]);
    assert.equal(r.code, 1);
    assert.equal(step(r.outcome, "0")?.status, "failed");
    assert.deepEqual(readdirSync(d), []);
  });
});

describe("parseApplyOutput", () => {
  const m = "@@bosun-abc";

  it("ignores lines that are not markers of its token", () => {
    const out = ["noise", "@@bosun-other changed o.0", `${m} done o.0`, ""].join("\n");
    assert.deepEqual(parseApplyOutput(out, "abc").steps, [{ op: 0, status: "ok" }]);
  });

  it("keeps changed when done follows, and lets failed override changed", () => {
    const out = [
      `${m} changed o.0`,
      `${m} done o.0`,
      `${m} changed o.1`,
      `${m} failed o.1 9`,
      "tail a",
      "tail b",
      `${m} end`,
      `${m} handler 2 -`,
    ].join("\n");
    const r = parseApplyOutput(out, "abc");
    assert.deepEqual(step(r, "0"), { op: 0, status: "changed" });
    assert.deepEqual(step(r, "1"), { op: 1, status: "failed", rc: 9, output: "tail a\ntail b" });
    assert.deepEqual(r.handlerRuns, [{ handler: 2, flushAt: null }]);
  });

  it("reads a failing op's last line that the end marker follows on the same line (output without a final newline)", () => {
    const out = [`${m} failed o.0 1`, "first", `last${m} end`, `${m} handler 0 3`, `${m} done h.0.0.3`].join("\n");
    const r = parseApplyOutput(out, "abc");
    assert.deepEqual(step(r, "0"), { op: 0, status: "failed", rc: 1, output: "first\nlast" });
    assert.deepEqual(r.handlerRuns, [{ handler: 0, flushAt: 3 }]);
    assert.deepEqual(step(r, "h0.0@3"), { handler: 0, op: 0, flushAt: 3, status: "ok" });
  });

  it("keeps what it has when the output is cut short after a failure marker, and says the script did not finish", () => {
    const r = parseApplyOutput([`${m} failed o.2 137`, "partial"].join("\n"), "abc");
    assert.deepEqual(step(r, "2"), { op: 2, status: "failed", rc: 137, output: "partial" });
    assert.equal(r.finished, false);
  });

  it("returns an empty, unfinished outcome for empty output (the script never ran)", () => {
    const r = parseApplyOutput("", "abc");
    assert.deepEqual(r, { steps: [], handlerRuns: [], finished: false });
  });

  it("reads where a stopped script stopped, and the end of a finished one", () => {
    assert.equal(parseApplyOutput(`${m} done o.0\n${m} stopped 1\n${m} finished\n`, "abc").stoppedBefore, 1);
    assert.equal(parseApplyOutput(`${m} finished\n`, "abc").finished, true);
  });
});

describe("interruption in the apply script", () => {
  const key = () => randomBytes(8).toString("hex");
  const pendingPath = (k: string) => `/var/tmp/bosun-pending-${process.getuid?.() ?? 0}/${k}`;
  const logHandler = (d: string): ScriptHandler[] => [
    { name: "restart it", ops: [shOp("log", `${append(`${d}/handler`, "ran")}; __changed`)] },
  ];

  it("stops before the next op once the stop file exists; handlers notified so far stay pending on the host", () => {
    const d = sub("i-stop");
    const k = key();
    // The first op plays the engine's part: it asks the script to stop.
    const r = run([shOp("a", `${touch(`${d}/a`)}; : > "$__d/stop"`, ["restart it"]), shOp("b", touch(`${d}/b`))], logHandler(d), {
      pendingKey: k,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(step(r.outcome, "0")?.status, "changed");
    assert.equal(r.outcome.stoppedBefore, 1);
    assert.equal(existsSync(`${d}/b`), false);
    assert.equal(existsSync(`${d}/handler`), false, "a stopped script runs no handler");
    assert.equal(readFileSync(pendingPath(k), "utf8"), "restart it\n");
    rmSync(pendingPath(k));
  });

  it("keeps an op's handlers pending when the script dies during that op", () => {
    const d = sub("i-kill");
    const k = key();
    const r = run([shOp("a", `${touch(`${d}/a`)}; kill -9 $$`, ["restart it"])], logHandler(d), { pendingKey: k });
    assert.notEqual(r.code, 0);
    assert.equal(r.outcome.finished, false);
    assert.equal(readFileSync(pendingPath(k), "utf8"), "restart it\n");
    rmSync(pendingPath(k));
  });

  it("runs the handlers a cut-off run left pending, then removes the pending file", () => {
    const d = sub("i-resume");
    const k = key();
    mkdirSync(path.dirname(pendingPath(k)), { recursive: true });
    writeFileSync(pendingPath(k), "restart it\n");
    const r = run([shOp("a", "true")], logHandler(d), { pendingKey: k, resume: [0] });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(runs(r.outcome), ["0"]);
    assert.equal(readFileSync(`${d}/handler`, "utf8"), "ran\n");
    assert.equal(existsSync(pendingPath(k)), false);
  });

  it("leaves no pending file when every notified handler ran", () => {
    const d = sub("i-clean");
    const k = key();
    const r = run([shOp("a", touch(`${d}/a`), ["restart it"])], logHandler(d), { pendingKey: k });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(`${d}/handler`, "utf8"), "ran\n");
    assert.equal(existsSync(pendingPath(k)), false);
  });

  it("writes the pending file once for ops that notify a handler already pending, and keeps it while they run", () => {
    const d = sub("i-once");
    const k = key();
    const inode = `ls -i ${quote(pendingPath(k))} | cut -d' ' -f1 >> ${quote(`${d}/inodes`)}`;
    const r = run(
      [
        shOp("a", touch(`${d}/a`), ["restart it"]),
        shOp("b", `${inode}; __changed`, ["restart it"]),
        shOp("c", inode, ["restart it"]),
        shOp("d", `cat ${quote(pendingPath(k))} > ${quote(`${d}/during`)}`),
      ],
      logHandler(d),
      { pendingKey: k },
    );
    assert.equal(r.code, 0, r.stderr);
    const inodes = readFileSync(`${d}/inodes`, "utf8").trim().split("\n");
    assert.equal(inodes.length, 2);
    assert.equal(inodes[0], inodes[1], "the file was not rewritten for ops b and c");
    assert.equal(readFileSync(`${d}/during`, "utf8"), "restart it\n");
    assert.deepEqual(runs(r.outcome), ["0"]);
    assert.equal(existsSync(pendingPath(k)), false);
  });

  it("removes the pending file it wrote before an op that notified but changed nothing, and leaves a pending file of an earlier run alone until its handler ran", () => {
    const d = sub("i-unchanged");
    const k = key();
    const seen = `[ -e ${quote(pendingPath(k))} ] && echo yes >> ${quote(`${d}/seen`)} || echo no >> ${quote(`${d}/seen`)}`;
    const r = run([shOp("a", seen, ["restart it"]), shOp("b", seen)], logHandler(d), { pendingKey: k });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readFileSync(`${d}/seen`, "utf8").trim().split("\n"), ["yes", "no"]);
    assert.deepEqual(runs(r.outcome), []);
    assert.equal(existsSync(pendingPath(k)), false);
  });

  it("removes work dirs of applies whose shell is gone, and keeps those of live ones", () => {
    const dead = `/tmp/bosun-run.${key()}`;
    const live = `/tmp/bosun-run.${key()}`;
    mkdirSync(dead);
    writeFileSync(`${dead}/pid`, String(2 ** 22 + 11));
    mkdirSync(live);
    writeFileSync(`${live}/pid`, String(process.pid));
    try {
      run([shOp("a", "true")]);
      assert.equal(existsSync(dead), false);
      assert.equal(existsSync(live), true);
    } finally {
      rmSync(dead, { recursive: true, force: true });
      rmSync(live, { recursive: true, force: true });
    }
  });
});
