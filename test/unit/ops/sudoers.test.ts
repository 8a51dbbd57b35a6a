import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import type { FileFact } from "../../../src/facts/file.js";
import { sudoers } from "../../../src/ops/sudoers.js";
import { applyHere, declared, fakeCommand, have, lookupOf, rebased } from "./kit.js";

const fileWith = (text: string, mode = "0440"): FileFact => {
  const content = Buffer.from(text);
  return { type: "file", mode, owner: "root", group: "root", content, sha256: createHash("sha256").update(content).digest("hex") };
};
const RULE = "deploy ALL=(root) NOPASSWD: /usr/bin/systemctl restart app\n";

describe("sudoers planner", () => {
  const plan = (o: Parameters<typeof sudoers>[1], fact: FileFact) =>
    declared(() => sudoers("deploy", o)).plan(lookupOf({ "file:/etc/sudoers.d/deploy": fact }));

  it("plans a new drop-in with mode 0440 and its diff", () => {
    const p = plan({ content: RULE }, { type: "absent" });
    assert.equal(p.summary, "create (59 bytes, mode 0440)");
    assert.match(p.diff ?? "", /^\+deploy ALL=/m);
  });

  it("reports no change when the drop-in is right; drift in content or mode when not", () => {
    assert.deepEqual(plan({ content: RULE }, fileWith(RULE)), { changed: false, summary: "up to date" });
    assert.deepEqual(plan({ content: RULE }, fileWith(RULE, "0644")), { changed: true, summary: "mode 0644 → 0440" });
    assert.equal(plan({ content: RULE.replace("app", "web") }, fileWith(RULE)).summary, "update content");
  });

  it("adds the final newline sudo requires (and counts it as already there)", () => {
    assert.deepEqual(plan({ content: RULE.trimEnd() }, fileWith(RULE)), { changed: false, summary: "up to date" });
  });

  it("hides sensitive content in the diff", () => {
    const secret = { masked: "deploy ***\n", reveal: () => RULE.trimEnd() };
    const p = plan({ content: secret }, { type: "absent" });
    assert.doesNotMatch(p.diff ?? "", /NOPASSWD/);
  });

  it("removes the drop-in for state absent", () => {
    assert.deepEqual(plan({ state: "absent" }, fileWith(RULE)), { changed: true, summary: "remove /etc/sudoers.d/deploy" });
    assert.deepEqual(plan({ state: "absent" }, { type: "absent" }), { changed: false, summary: "absent" });
  });
});

describe("sudoers arguments", () => {
  it("are checked at declaration", () => {
    assert.throws(
      () => declared(() => sudoers("deploy.conf", { content: RULE })),
      /sudoers: bad name "deploy.conf" .*files in \/etc\/sudoers\.d .* are ignored/,
    );
    assert.throws(() => declared(() => sudoers("backup~", { content: RULE })), /bad name/);
    assert.throws(() => declared(() => sudoers("deploy", {})), /state present needs content/);
  });

  it("validate with visudo before the file is put in place", () => {
    const sh = declared(() => sudoers("deploy", { content: RULE })).apply();
    assert.ok(sh.indexOf('visudo -cf "$__t"') < sh.indexOf('mv -f "$__t" /etc/sudoers.d/deploy'));
    assert.match(sh, /__t=\/etc\/sudoers\.d\/\.bosun-tmp\.\$\$\.deploy/);
  });
});

describe("sudoers apply (run locally on a copy of /etc, a fake visudo)", () => {
  const setup = () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "bosun-sudoers-"));
    mkdirSync(`${root}/etc/sudoers.d`, { recursive: true });
    mkdirSync(`${root}/bin`);
    // Like visudo -cf: rejects a file holding "oops", reports the mode it was given.
    fakeCommand(
      `${root}/bin`,
      "visudo",
      `stat -c %a "$2" > ${root}/checked-mode; if grep -q oops "$2"; then echo "$2:1:5: syntax error" >&2; exit 1; fi; echo "$2: parsed OK"`,
    );
    return root;
  };
  const run = (root: string, content: string) =>
    applyHere(
      rebased(
        declared(() => sudoers("deploy", { content })),
        root,
        ["/etc/"],
      ),
      { PATH: `${root}/bin:${process.env.PATH}` },
    );

  it("puts valid content in place once, 0440, checked while already 0440", () => {
    const root = setup();
    assert.equal(run(root, RULE).status, "changed");
    assert.equal(readFileSync(`${root}/etc/sudoers.d/deploy`, "utf8"), RULE);
    assert.equal(statSync(`${root}/etc/sudoers.d/deploy`).mode & 0o777, 0o440);
    assert.equal(readFileSync(`${root}/checked-mode`, "utf8").trim(), "440");
    assert.equal(run(root, RULE).status, "ok");
  });

  it("fails with visudo's message on invalid content and leaves the old file and no temp file", () => {
    const root = setup();
    run(root, RULE);
    const r = run(root, "deploy oops\n");
    assert.equal(r.status, "failed");
    assert.match(
      r.output ?? "",
      /sudoers deploy: visudo rejected the new content; \/.*\/etc\/sudoers\.d\/deploy is unchanged:\n.*1:5: syntax error/,
    );
    assert.equal(readFileSync(`${root}/etc/sudoers.d/deploy`, "utf8"), RULE);
    assert.deepEqual(readdirSync(`${root}/etc/sudoers.d`), ["deploy"]);
  });

  it("fails clearly when visudo is missing", { skip: have("visudo") && "this machine has visudo" }, () => {
    const root = setup();
    const r = applyHere(
      rebased(
        declared(() => sudoers("deploy", { content: RULE })),
        root,
        ["/etc/"],
      ),
      { PATH: "/usr/bin:/bin" },
    );
    assert.equal(r.status, "failed");
    assert.match(r.output ?? "", /visudo not found \(install the sudo package first\)/);
  });
});
