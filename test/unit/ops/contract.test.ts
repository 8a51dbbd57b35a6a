/**
 * The contract every operation keeps, checked on real sh against state in a temp dir:
 * the plan says "changes" exactly when the apply changes something, and a second apply (and plan)
 * is a no-op. Each op runs from a fresh state and from a drifted one.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import type { Operation } from "../../../src/core/operation.js";
import { absent } from "../../../src/ops/absent.js";
import { blockInFile } from "../../../src/ops/block-in-file.js";
import { command } from "../../../src/ops/command.js";
import { copy } from "../../../src/ops/copy.js";
import { directory } from "../../../src/ops/directory.js";
import { file } from "../../../src/ops/file.js";
import { lineInFile } from "../../../src/ops/line-in-file.js";
import { link } from "../../../src/ops/link.js";
import { applyHere, declared, planHere } from "./kit.js";

const root = mkdtempSync(path.join(os.tmpdir(), "bosun-contract-"));
after(() => rmSync(root, { recursive: true, force: true }));

interface Case {
  name: string;
  /** Declares the op on paths under dir (called again for each run: ops are declared per run, as the engine does). */
  op: (dir: string) => Operation;
  /** Puts dir in a drifted state (something other than what the op wants). */
  drift: (dir: string) => void;
}

const src = path.join(root, "copy-src");
writeFileSync(src, "copied\n");

const CASES: Case[] = [
  {
    name: "file",
    op: (d) => file(`${d}/f`, { content: "hello\n", mode: "0640" }),
    drift: (d) => writeFileSync(`${d}/f`, "old\n", { mode: 0o644 }),
  },
  { name: "directory", op: (d) => directory(`${d}/sub`, { mode: "0750" }), drift: (d) => mkdirSync(`${d}/sub`, { mode: 0o755 }) },
  { name: "link", op: (d) => link(`${d}/l`, { target: "/etc/hostname" }), drift: (d) => symlinkSync("/etc/passwd", `${d}/l`) },
  { name: "absent", op: (d) => absent(`${d}/gone`), drift: (d) => writeFileSync(`${d}/gone`, "x") },
  { name: "copy", op: (d) => copy(`${d}/c`, { src }), drift: (d) => writeFileSync(`${d}/c`, "other\n") },
  {
    name: "line_in_file",
    op: (d) => lineInFile(`${d}/conf`, { regexp: "^#?Port ", line: "Port 2222", create: true }),
    drift: (d) => writeFileSync(`${d}/conf`, "#Port 22\nUsePAM yes\n"),
  },
  {
    name: "line_in_file absent",
    op: (d) => lineInFile(`${d}/conf`, { regexp: "^Debug", state: "absent" }),
    drift: (d) => writeFileSync(`${d}/conf`, "Debug yes\nA b\nDebug no\n"),
  },
  {
    name: "block_in_file",
    op: (d) => blockInFile(`${d}/hosts`, { block: "10.0.0.1 db\n10.0.0.2 cache", create: true }),
    drift: (d) => writeFileSync(`${d}/hosts`, "127.0.0.1 localhost\n"),
  },
  {
    name: "command with creates",
    op: (d) => command(`echo made > ${d}/made`, { name: "make", creates: `${d}/made` }),
    drift: (d) => writeFileSync(`${d}/unrelated`, ""),
  },
];

let n = 0;
/** Checks the contract from the state prepare() leaves: plan "changes" ⇔ apply changed; twice ⇒ no-op. */
function checkContract(c: Case, prepare: (dir: string) => void): void {
  const dir = path.join(root, `${c.name.replace(/\W/g, "-")}-${++n}`);
  mkdirSync(dir);
  prepare(dir);
  const op = declared(() => c.op(dir));
  const plan = planHere(op);
  const first = applyHere(op);
  assert.notEqual(first.status, "failed", `${c.name}: ${first.output}`);
  assert.equal(
    plan.changed,
    first.status === "changed",
    `${c.name}: plan said changed=${plan.changed} (${plan.summary}), apply said ${first.status}`,
  );
  const again = declared(() => c.op(dir));
  assert.equal(planHere(again).changed, false, `${c.name}: a plan after the apply still wants changes`);
  assert.equal(applyHere(again).status, "ok", `${c.name}: a second apply changed something`);
}

describe("the operation contract (plan ⇔ apply, apply twice ⇒ no-op)", () => {
  for (const c of CASES) {
    it(`${c.name}: from a fresh state`, () => checkContract(c, () => {}));
    it(`${c.name}: from a drifted state`, () => checkContract(c, c.drift));
  }
});
