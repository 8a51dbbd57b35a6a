import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
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
import { buildApplyScript, parseApplyOutput, type ScriptHandler } from "../../../src/engine/script.js";
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
function run(ops: Operation[], handlers: ScriptHandler[] = []) {
  const { script, token } = buildApplyScript(ops, handlers);
  const r = spawnSync("sh", ["-s"], { input: script, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, outcome: parseApplyOutput(r.stdout, token) };
}

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
      [...r.outcome.ops.values()].map((o) => [o.id, o.status]),
      [
        ["0", "changed"],
        ["1", "ok"],
        ["2", "changed"],
      ],
    );
    assert.deepEqual(r.outcome.handlersRun, []);
    assert.ok(existsSync(`${d}/a`) && existsSync(`${d}/c`));
  });

  it("stops at a failing op: later ops get no marker and do not run, exit status 1", () => {
    const d = sub("stop");
    const r = run([shOp("a", touch(`${d}/a`)), shOp("b", "echo boom >&2; exit 7"), shOp("c", touch(`${d}/c`))]);
    assert.equal(r.code, 1);
    assert.equal(r.outcome.ops.get("0")?.status, "changed");
    assert.deepEqual(r.outcome.ops.get("1"), { id: "1", status: "failed", rc: 7, output: "boom" });
    assert.equal(r.outcome.ops.has("2"), false);
    assert.equal(existsSync(`${d}/c`), false);
  });

  it("runs each op under set -e: a failing command in the middle fails the op", () => {
    const d = sub("sete");
    const r = run([shOp("a", `false\n${touch(`${d}/never`)}`)]);
    assert.equal(r.outcome.ops.get("0")?.status, "failed");
    assert.equal(r.outcome.ops.get("0")?.rc, 1);
    assert.equal(existsSync(`${d}/never`), false);
  });

  it("reports only the last 40 lines of a failing op's output, stdout and stderr together", () => {
    const r = run([shOp("noisy", "i=1; while [ $i -le 50 ]; do echo line$i; i=$((i+1)); done; echo last >&2; exit 3")]);
    const o = r.outcome.ops.get("0");
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
    assert.deepEqual(r.outcome.ops.get("1"), { id: "1", status: "failed", rc: 4, output: "no newline at end" });
    assert.deepEqual(r.outcome.handlersRun, ["0"]);
    assert.equal(r.outcome.ops.get("h0.0")?.status, "changed");
  });

  it("keeps the output of an op that changed something before failing, and reports it failed", () => {
    const d = sub("changedthenfail");
    const r = run([shOp("a", `${touch(`${d}/a`)}\necho half-done\nexit 2`)]);
    assert.deepEqual(r.outcome.ops.get("0"), { id: "0", status: "failed", rc: 2, output: "half-done" });
  });

  it("gives ops /dev/null as stdin, so an op reading stdin cannot eat the rest of the script", () => {
    const d = sub("stdin");
    const r = run([shOp("reader", `cat > ${quote(`${d}/stdin.txt`)}`), shOp("after", touch(`${d}/after`))]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(`${d}/stdin.txt`, "utf8"), "");
    assert.equal(r.outcome.ops.get("1")?.status, "changed");
    assert.ok(existsSync(`${d}/after`));
  });

  it("keeps an op's own output out of stdout (no stray lines around markers)", () => {
    const r = run([shOp("chatty", "echo hello; echo world >&2")]);
    assert.equal(r.outcome.ops.get("0")?.status, "ok");
    assert.doesNotMatch(r.stdout, /hello|world/);
  });

  it("runs an op whose apply() is empty as a no-op instead of breaking the script", () => {
    const d = sub("empty");
    const r = run([shOp("empty", ""), shOp("next", touch(`${d}/next`))]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.outcome.ops.get("0")?.status, "ok");
    assert.equal(r.outcome.ops.get("1")?.status, "changed");
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
    assert.deepEqual(r.outcome.handlersRun, ["0@1", "0", "1"]);
    assert.equal(r.outcome.ops.get("h0.0@1")?.status, "changed");
    assert.equal(r.outcome.ops.get("2")?.status, "ok", "the op after the flush saw the handler's effect");
  });

  it("run once each, in declaration order, however many changed ops notified them", () => {
    const d = sub("h-order");
    const r = run(
      [shOp("a", touch(`${d}/a`), ["second", "first"]), shOp("b", touch(`${d}/b`), ["second"]), shOp("c", touch(`${d}/c`), ["first"])],
      handlers(d),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(`${d}/order`, "utf8"), "first\nsecond\n");
    assert.deepEqual(r.outcome.handlersRun, ["0", "1"]);
    assert.equal(r.outcome.ops.get("h0.0")?.status, "changed");
    assert.equal(r.outcome.ops.get("h1.0")?.status, "changed");
    assert.equal(r.outcome.ops.get("h1.1")?.status, "ok");
    assert.equal(r.outcome.ops.has("h2.0"), false);
  });

  it("do not run when the notifying op did not change anything", () => {
    const d = sub("h-ok");
    const r = run([shOp("a", "true", ["first"])], handlers(d));
    assert.deepEqual(r.outcome.handlersRun, []);
    assert.equal(existsSync(`${d}/order`), false);
  });

  it("still run when a later op failed (force_handlers)", () => {
    const d = sub("h-force");
    const r = run(
      [shOp("a", touch(`${d}/a`), ["first"]), shOp("b", "exit 5", ["second"]), shOp("c", touch(`${d}/c`), ["second"])],
      handlers(d),
    );
    assert.equal(r.code, 1);
    assert.deepEqual(r.outcome.handlersRun, ["0"]);
    assert.equal(readFileSync(`${d}/order`, "utf8"), "first\n");
    assert.equal(r.outcome.ops.get("1")?.status, "failed");
    assert.equal(r.outcome.ops.has("2"), false);
  });

  it("do not run when the notifying op changed something and then failed", () => {
    const d = sub("h-failed");
    const r = run([shOp("a", `${touch(`${d}/a`)}\nexit 3`, ["first"])], handlers(d));
    assert.equal(r.code, 1);
    assert.deepEqual(r.outcome.handlersRun, []);
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
    assert.deepEqual(r.outcome.handlersRun, ["0", "1"]);
    assert.deepEqual(r.outcome.ops.get("h0.0"), { id: "h0.0", status: "failed", rc: 6, output: "nope" });
    assert.equal(r.outcome.ops.has("h0.1"), false);
    assert.equal(existsSync(`${d}/bad-b`), false);
    assert.equal(r.outcome.ops.get("h1.0")?.status, "changed");
  });

  it("ignore notify names that are not handlers of the script", () => {
    const d = sub("h-unknown");
    const r = run([shOp("a", touch(`${d}/a`), ["nobody"])], handlers(d));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.outcome.handlersRun, []);
  });
});

describe("prelude __put (through the file op)", () => {
  it("creates the file with the content, mode and owner, then reports ok on a second run", () => {
    const d = sub("put");
    const p = `${d}/motd`;
    const op = fileOp(p, { content: "hello\n", mode: "0640", owner: "nobody", group: "nogroup" });
    const first = run([op]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.outcome.ops.get("0")?.status, "changed");
    assert.equal(readFileSync(p, "utf8"), "hello\n");
    const st = statSync(p);
    assert.equal(st.mode & 0o7777, 0o640);
    assert.equal(st.uid, 65534);
    assert.equal(st.gid, 65534);
    const second = run([op]);
    assert.equal(second.outcome.ops.get("0")?.status, "ok");
    assert.equal(statSync(p).ino, st.ino, "an identical file is left untouched");
  });

  it("replaces changed content by rename (new inode), leaving no temp file behind", () => {
    const d = sub("put-atomic");
    const p = `${d}/conf`;
    writeFileSync(p, "old\n", { mode: 0o600 });
    const ino = statSync(p).ino;
    const r = run([fileOp(p, { content: "new\n" })]);
    assert.equal(r.outcome.ops.get("0")?.status, "changed");
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
    assert.equal(r.outcome.ops.get("0")?.status, "changed");
    assert.equal(statSync(p).mode & 0o7777, 0o600);
    assert.equal(statSync(p).ino, ino);
    assert.equal(run([fileOp(p, { content: "same\n", mode: "600" })]).outcome.ops.get("0")?.status, "ok");
  });

  it("replaces a symlink with a regular file instead of writing through it", () => {
    const d = sub("put-link");
    writeFileSync(`${d}/target`, "target\n");
    symlinkSync(`${d}/target`, `${d}/p`);
    const r = run([fileOp(`${d}/p`, { content: "target\n" })]);
    assert.equal(r.outcome.ops.get("0")?.status, "changed");
    assert.equal(lstatSync(`${d}/p`).isSymbolicLink(), false);
    assert.equal(readFileSync(`${d}/target`, "utf8"), "target\n");
  });

  it("writes binary content byte for byte", () => {
    const d = sub("put-bin");
    const bytes = new Uint8Array(Array.from({ length: 256 }, (_, i) => i));
    const r = run([fileOp(`${d}/bin`, { content: bytes })]);
    assert.equal(r.outcome.ops.get("0")?.status, "changed");
    assert.deepEqual(new Uint8Array(readFileSync(`${d}/bin`)), bytes);
  });

  it("fails the op when the directory does not exist, leaving nothing behind", () => {
    const d = sub("put-nodir");
    const r = run([fileOp(`${d}/missing/f`, { content: "x" })]);
    assert.equal(r.code, 1);
    assert.equal(r.outcome.ops.get("0")?.status, "failed");
    assert.deepEqual(readdirSync(d), []);
  });
});

describe("parseApplyOutput", () => {
  const m = "@@bosun-abc";

  it("ignores lines that are not markers of its token", () => {
    const out = ["noise", "@@bosun-other changed 0", `${m} done 0`, ""].join("\n");
    assert.deepEqual([...parseApplyOutput(out, "abc").ops.values()], [{ id: "0", status: "ok" }]);
  });

  it("keeps changed when done follows, and lets failed override changed", () => {
    const out = [
      `${m} changed 0`,
      `${m} done 0`,
      `${m} changed 1`,
      `${m} failed 1 9`,
      "tail a",
      "tail b",
      `${m} end`,
      `${m} handler 2`,
    ].join("\n");
    const r = parseApplyOutput(out, "abc");
    assert.deepEqual(r.ops.get("0"), { id: "0", status: "changed" });
    assert.deepEqual(r.ops.get("1"), { id: "1", status: "failed", rc: 9, output: "tail a\ntail b" });
    assert.deepEqual(r.handlersRun, ["2"]);
  });

  it("reads a failing op's last line that the end marker follows on the same line (output without a final newline)", () => {
    const out = [`${m} failed 0 1`, "first", `last${m} end`, `${m} handler 0`, `${m} done h0.0`].join("\n");
    const r = parseApplyOutput(out, "abc");
    assert.deepEqual(r.ops.get("0"), { id: "0", status: "failed", rc: 1, output: "first\nlast" });
    assert.deepEqual(r.handlersRun, ["0"]);
    assert.deepEqual(r.ops.get("h0.0"), { id: "h0.0", status: "ok" });
  });

  it("keeps what it has when the output is cut short after a failure marker", () => {
    const r = parseApplyOutput([`${m} failed 2 137`, "partial"].join("\n"), "abc");
    assert.deepEqual(r.ops.get("2"), { id: "2", status: "failed", rc: 137, output: "partial" });
  });

  it("returns an empty outcome for empty output (the script never ran)", () => {
    const r = parseApplyOutput("", "abc");
    assert.equal(r.ops.size, 0);
    assert.deepEqual(r.handlersRun, []);
  });
});
