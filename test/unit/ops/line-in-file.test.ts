import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import type { FileFact } from "../../../src/facts/file.js";
import { lineEdit, lineInFile } from "../../../src/ops/line-in-file.js";
import { applyHere, assertHostDoesWhatModelSays, declared, lookupOf, planHere } from "./kit.js";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "bosun-lif-"));
const fileWith = (text: string): FileFact => ({ type: "file", mode: "0644", owner: "root", group: "root", content: Buffer.from(text) });
const planOn = (p: string, o: Parameters<typeof lineInFile>[1], fact: FileFact) =>
  declared(() => lineInFile(p, o)).plan(lookupOf({ [`file:${p}`]: fact }));

describe("lineInFile planner", () => {
  const conf = "Port 22\n#PermitRootLogin yes\nUsePAM yes\n";

  it("replaces the last line matching regexp and shows the diff", () => {
    const plan = planOn("/etc/ssh/sshd_config", { regexp: "^#?PermitRootLogin\\s", line: "PermitRootLogin no" }, fileWith(conf));
    assert.equal(plan.changed, true);
    assert.equal(plan.summary, "edit +1 −1");
    assert.match(plan.diff ?? "", /^-#PermitRootLogin yes$/m);
    assert.match(plan.diff ?? "", /^\+PermitRootLogin no$/m);
  });

  it("reports no change when the line is already there", () => {
    const plan = planOn("/etc/x", { regexp: "^Port\\s", line: "Port 22" }, fileWith(conf));
    assert.deepEqual(plan, { changed: false, summary: "up to date" });
    assert.equal(planOn("/etc/x", { line: "UsePAM yes" }, fileWith(conf)).changed, false);
  });

  it("appends a missing line at the end, or after the last line matching insertAfter", () => {
    const at = planOn("/etc/x", { line: "X11Forwarding no" }, fileWith(conf));
    assert.match(at.diff ?? "", / UsePAM yes\n\+X11Forwarding no\n$/);
    const after = planOn("/etc/x", { line: "Port 2222", insertAfter: "^Port\\s" }, fileWith(conf));
    assert.match(after.diff ?? "", / Port 22\n\+Port 2222\n #PermitRootLogin yes/);
  });

  it("removes every matching line for state absent, and nothing when none matches", () => {
    const plan = planOn("/etc/x", { regexp: "yes$", state: "absent" }, fileWith(conf));
    assert.equal(plan.summary, "edit +0 −2");
    assert.equal(planOn("/etc/x", { line: "nope", state: "absent" }, fileWith(conf)).changed, false);
    assert.deepEqual(planOn("/etc/x", { line: "nope", state: "absent" }, { type: "absent" }), { changed: false, summary: "file absent" });
  });

  it("plans creating a missing file only with create, and says a missing file fails otherwise", () => {
    const created = planOn("/etc/x", { line: "a", create: true, mode: "600" }, { type: "absent" });
    assert.equal(created.summary, "create (1 lines, mode 0600)");
    assert.match(created.diff ?? "", /^\+a$/m);
    assert.match(planOn("/etc/x", { line: "a" }, { type: "absent" }).summary, /does not exist \(create: false\)/);
  });

  it("reports attribute drift alone", () => {
    const plan = planOn("/etc/x", { line: "Port 22", mode: "0600", owner: "root" }, fileWith(conf));
    assert.deepEqual(plan, { changed: true, summary: "mode 0644 → 0600" });
  });

  it("refuses to edit a symlink or a directory", () => {
    assert.throws(
      () => planOn("/etc/x", { line: "a" }, { type: "link", target: "/y" }),
      /\/etc\/x is a symlink; line_in_file edits regular files only/,
    );
    assert.throws(() => planOn("/etc/x", { line: "a" }, { type: "directory" }), /is a directory/);
  });
});

describe("lineInFile arguments", () => {
  it("are checked at declaration", () => {
    const bad: [Parameters<typeof lineInFile>[1], RegExp][] = [
      [{ regexp: "^a" }, /state present needs a line/],
      [{ state: "absent" }, /state absent needs a regexp or a line/],
      [{ line: "a\nb" }, /one line/],
      [{ line: "a", regexp: "(?<=x)" }, /lookaround/],
      [{ line: "a", insertAfter: "[[:alpha:]]" }, /POSIX class/],
      [{ line: "a", state: "absent", insertAfter: "x" }, /insertAfter only applies to state present/],
      [{ line: "a", state: "gone" as "absent" }, /state must be/],
      [{ line: "a", mode: "999" }, /bad file mode/],
    ];
    for (const [o, re] of bad) assert.throws(() => declared(() => lineInFile("/etc/x", o)), re, JSON.stringify(o));
    assert.throws(() => declared(() => lineInFile("etc/x", { line: "a" })), /path must be absolute/);
  });
});

describe("lineInFile apply (run locally with sh, grep and awk)", () => {
  const cases: [string, string, Parameters<typeof lineInFile>[1]][] = [
    ["replace the last match", "a=1\nb=2\na=3\n", { regexp: "^a=", line: "a=9" }],
    ["keep a missing final newline", "a=1\nb=2", { regexp: "^a=", line: "a=9" }],
    ["newline added when the last line is replaced", "a=1\nb=2", { regexp: "^b=", line: "b=9" }],
    ["append after a last line without newline", "a=1", { line: "z" }],
    ["append to an empty file", "", { line: "z" }],
    ["insert after the last insertAfter match", "[s]\nx=1\n[t]\ny=2\n", { line: "n=1", insertAfter: "^\\[" }],
    ["insertAfter without a match appends", "a\n", { line: "n", insertAfter: "^zz" }],
    ["no regexp match but the line exists", "a\nb\n", { regexp: "^zz", line: "b" }],
    ["remove all matches", "# x\na\n# y\n", { regexp: "^#", state: "absent" }],
    ["remove equal lines", "a\nb\na", { line: "a", state: "absent" }],
    ["remove the last line without newline", "a\nb", { line: "b", state: "absent" }],
    ["remove everything", "a\na\n", { line: "a", state: "absent" }],
    ["numeric-looking lines are compared as text", "1.0\n", { line: "1" }],
    ["backslashes and quotes pass unchanged", "x\n", { line: `p='a\\tb' "$HOME" %s \\n` }],
    ["UTF-8 text and patterns", "name=café\n", { regexp: "^name=caf.+$", line: "name=thé" }],
    ["CRLF lines are matched as they are", "a=1\r\nb=2\r\n", { regexp: "^a=", line: "a=2" }],
  ];
  for (const [what, before, o] of cases) {
    it(`does what the planner models: ${what}`, () => {
      const p = path.join(tmp(), "f.conf");
      const edit = lineEdit("t", { line: o.line, regexp: o.regexp, state: o.state ?? "present", insertAfter: o.insertAfter });
      assertHostDoesWhatModelSays(
        p,
        before,
        declared(() => lineInFile(p, o)),
        edit.edit(Buffer.from(before).toString("latin1")),
      );
    });
  }

  it("re-reads the file at apply time: a line added after the plan is not added twice", () => {
    const p = path.join(tmp(), "f");
    writeFileSync(p, "a\n");
    const op = declared(() => lineInFile(p, { line: "b" }));
    assert.equal(planHere(op).changed, true);
    writeFileSync(p, "a\nb\nc\n");
    assert.equal(applyHere(op).status, "ok");
    assert.equal(readFileSync(p, "utf8"), "a\nb\nc\n");
  });

  it("creates a missing file with create, with its mode", () => {
    const p = path.join(tmp(), "new.conf");
    const op = declared(() => lineInFile(p, { line: "a=1", create: true, mode: "0600" }));
    assert.equal(applyHere(op).status, "changed");
    assert.equal(readFileSync(p, "utf8"), "a=1\n");
    assert.equal(statSync(p).mode & 0o777, 0o600);
    assert.equal(applyHere(op).status, "ok");
  });

  it("fixes the mode of an otherwise right file", () => {
    const p = path.join(tmp(), "m");
    writeFileSync(p, "a\n");
    chmodSync(p, 0o644);
    assert.equal(applyHere(declared(() => lineInFile(p, { line: "a", mode: "0640" }))).status, "changed");
    assert.equal(statSync(p).mode & 0o777, 0o640);
  });

  it("fails on a missing file without create, and does nothing to one for state absent", () => {
    const dir = tmp();
    const r = applyHere(declared(() => lineInFile(path.join(dir, "nope"), { line: "a" })));
    assert.equal(r.status, "failed");
    assert.match(r.output ?? "", /nope does not exist \(create: false\)/);
    assert.equal(applyHere(declared(() => lineInFile(path.join(dir, "nope"), { line: "a", state: "absent" }))).status, "ok");
    assert.equal(existsSync(path.join(dir, "nope")), false);
  });

  it("refuses to edit through a symlink", () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "real"), "a\n");
    symlinkSync(path.join(dir, "real"), path.join(dir, "link"));
    const r = applyHere(declared(() => lineInFile(path.join(dir, "link"), { line: "b" })));
    assert.equal(r.status, "failed");
    assert.match(r.output ?? "", /is not a regular file/);
    assert.equal(readFileSync(path.join(dir, "real"), "utf8"), "a\n");
  });
});

describe("lineInFile: compare-and-swap of the planned content", () => {
  const sshd = "Port 22\n#PermitRootLogin yes\n";
  const opts = { regexp: "^#?PermitRootLogin\\s", line: "PermitRootLogin no" };

  /** Returns a fake grep and awk on PATH that fail loudly: a run that needs them used the host-side edit. */
  const noHostEdit = (dir: string) => {
    for (const tool of ["awk", "grep"]) {
      writeFileSync(path.join(dir, tool), `#!/bin/sh\necho "${tool} must not run" >&2\nexit 99\n`);
      chmodSync(path.join(dir, tool), 0o755);
    }
    return { PATH: `${dir}:${process.env.PATH}` };
  };

  it("writes the content the plan computed when the file is still as planned (no host-side edit runs)", () => {
    const d = tmp();
    const p = path.join(d, "sshd_config");
    writeFileSync(p, sshd);
    const op = declared(() => lineInFile(p, opts));
    assert.equal(planHere(op).changed, true);
    const r = applyHere(op, noHostEdit(d));
    assert.equal(r.status, "changed", r.output);
    assert.equal(readFileSync(p, "utf8"), "Port 22\nPermitRootLogin no\n");
  });

  it("derives the edit again on the host when the file changed after the plan (an earlier op wrote it)", () => {
    const d = tmp();
    const p = path.join(d, "sshd_config");
    writeFileSync(p, sshd);
    const op = declared(() => lineInFile(p, opts));
    planHere(op);
    writeFileSync(p, "Port 2222\nPermitRootLogin yes\nUsePAM yes\n");
    assert.equal(applyHere(op).status, "changed");
    assert.equal(
      readFileSync(p, "utf8"),
      "Port 2222\nPermitRootLogin no\nUsePAM yes\n",
      "edited from what is there, not the planned content",
    );
    assert.equal(applyHere(op).status, "ok", "…and once right, nothing to do");
  });
});
