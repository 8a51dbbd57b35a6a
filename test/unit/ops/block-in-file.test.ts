import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import type { FileFact } from "../../../src/facts/file.js";
import { blockEdit, blockInFile, blockMarkers } from "../../../src/ops/block-in-file.js";
import { applyHere, assertHostDoesWhatModelSays, declared, lookupOf } from "./kit.js";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "bosun-bif-"));
const fileWith = (text: string): FileFact => ({ type: "file", mode: "0644", owner: "root", group: "root", content: Buffer.from(text) });
const planOn = (o: Parameters<typeof blockInFile>[1], fact: FileFact) =>
  declared(() => blockInFile("/etc/x", o)).plan(lookupOf({ "file:/etc/x": fact }));
const B = "# BEGIN BOSUN MANAGED BLOCK app";
const E = "# END BOSUN MANAGED BLOCK app";

describe("blockInFile planner", () => {
  it("appends a new block with its markers and shows the diff", () => {
    const plan = planOn({ name: "app", block: "a\nb\n" }, fileWith("x\n"));
    assert.equal(plan.changed, true);
    assert.equal(plan.summary, "edit +4 −0");
    assert.match(plan.diff ?? "", new RegExp(` x\\n\\+${B}\\n\\+a\\n\\+b\\n\\+${E}\\n$`));
  });

  it("replaces the block between existing markers in place", () => {
    const plan = planOn({ name: "app", block: "new" }, fileWith(`x\n${B}\nold\n${E}\ny\n`));
    assert.equal(plan.summary, "edit +1 −1");
    assert.match(plan.diff ?? "", /-old\n\+new\n/);
  });

  it("reports no change when the block is already there", () => {
    assert.deepEqual(planOn({ name: "app", block: "a\nb" }, fileWith(`x\n${B}\na\nb\n${E}\n`)), { changed: false, summary: "up to date" });
  });

  it("removes the block with its markers for state absent", () => {
    const plan = planOn({ name: "app", state: "absent" }, fileWith(`x\n${B}\na\n${E}\ny\n`));
    assert.equal(plan.summary, "edit +0 −3");
    assert.equal(planOn({ name: "app", state: "absent" }, fileWith("x\n")).changed, false);
    assert.equal(planOn({ name: "app", state: "absent" }, { type: "absent" }).changed, false);
  });
});

describe("blockInFile arguments", () => {
  it("builds markers from the name or a {mark} template", () => {
    assert.deepEqual(blockMarkers("t", {}), ["# BEGIN BOSUN MANAGED BLOCK", "# END BOSUN MANAGED BLOCK"]);
    assert.deepEqual(blockMarkers("t", { name: "app" }), [B, E]);
    assert.deepEqual(blockMarkers("t", { marker: "// {mark} x" }), ["// BEGIN x", "// END x"]);
  });

  it("are checked at declaration", () => {
    const bad: [Parameters<typeof blockInFile>[1], RegExp][] = [
      [{}, /state present needs a block/],
      [{ block: "a", marker: "# managed" }, /must contain \{mark\}/],
      [{ block: "a", marker: "# {mark}\nx" }, /one line/],
      [{ block: `a\n${B}\n`, name: "app" }, /contains its own marker line/],
      [{ block: "a", insertAfter: "\\1" }, /uses \\1/],
      [{ block: "a", name: "two\nlines" }, /bad block name/],
      [{ state: "absent", insertAfter: "x" }, /insertAfter only applies to state present/],
    ];
    for (const [o, re] of bad) assert.throws(() => declared(() => blockInFile("/etc/x", o)), re, JSON.stringify(o));
  });
});

describe("blockInFile apply (run locally with sh, grep and awk)", () => {
  const cases: [string, string, Parameters<typeof blockInFile>[1]][] = [
    ["append", "x\n", { name: "app", block: "a\nb\n" }],
    ["append after a last line without newline", "x", { name: "app", block: "a" }],
    ["append to an empty file", "", { block: "a" }],
    ["insert after the last insertAfter match", "[a]\n1\n[b]\n2\n", { name: "app", block: "k=v", insertAfter: "^\\[" }],
    ["replace in place", `x\n${B}\nold\n${E}\ny\n`, { name: "app", block: "new1\nnew2" }],
    ["same block at the end without newline stays as is", `x\n${B}\na\n${E}`, { name: "app", block: "a" }],
    ["markers in reverse order", `${E}\nold\n${B}\ny\n`, { name: "app", block: "n" }],
    ["only one marker: insert a new block", `${B}\nx\n`, { name: "app", block: "n" }],
    ["empty block keeps the markers", `${B}\nold\n${E}\n`, { name: "app", block: "" }],
    ["a block of one empty line", "x\n", { name: "app", block: "\n" }],
    ["special characters pass unchanged", "x\n", { name: "app", block: "p='a\\tb' \"$HOME\" %s\n\n  indented & \\\\" }],
    ["remove", `x\n${B}\na\n${E}\ny`, { name: "app", state: "absent" }],
    ["remove the last block of a file", `x\n${B}\na\n${E}`, { name: "app", state: "absent" }],
  ];
  for (const [what, before, o] of cases) {
    it(`does what the planner models: ${what}`, () => {
      const p = path.join(tmp(), "f.conf");
      const [begin, end] = blockMarkers("t", o);
      const edit = blockEdit("t", { block: o.block ?? "", begin, end, state: o.state ?? "present", insertAfter: o.insertAfter });
      assertHostDoesWhatModelSays(
        p,
        before,
        declared(() => blockInFile(p, o)),
        edit.edit(Buffer.from(before).toString("latin1")),
      );
    });
  }

  it("keeps two named blocks in one file apart", () => {
    const p = path.join(tmp(), "f");
    writeFileSync(p, "top\n");
    for (const [name, block] of [
      ["one", "1"],
      ["two", "2"],
      ["one", "1b"],
    ]) {
      assert.equal(applyHere(declared(() => blockInFile(p, { name, block }))).status, "changed");
    }
    assert.equal(
      readFileSync(p, "utf8"),
      "top\n# BEGIN BOSUN MANAGED BLOCK one\n1b\n# END BOSUN MANAGED BLOCK one\n# BEGIN BOSUN MANAGED BLOCK two\n2\n# END BOSUN MANAGED BLOCK two\n",
    );
  });

  it("creates a missing file with create, and fails without", () => {
    const dir = tmp();
    const created = path.join(dir, "new");
    assert.equal(applyHere(declared(() => blockInFile(created, { block: "a", create: true }))).status, "changed");
    assert.equal(readFileSync(created, "utf8"), "# BEGIN BOSUN MANAGED BLOCK\na\n# END BOSUN MANAGED BLOCK\n");
    const r = applyHere(declared(() => blockInFile(path.join(dir, "nope"), { block: "a" })));
    assert.equal(r.status, "failed");
    assert.match(r.output ?? "", /does not exist \(create: false\)/);
  });
});
