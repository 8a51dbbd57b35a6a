import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { validatedFile } from "../../../src/ops/validated-file.js";
import { applyHere as applyLocally, declared, fakeCommand, planHere as planLocally } from "./kit.js";

/** A config dir with a fake checker that rejects any file of the dir (or the %s file) holding "oops". */
function setup() {
  const root = mkdtempSync(path.join(os.tmpdir(), "bosun-vfile-"));
  mkdirSync(`${root}/conf.d`);
  mkdirSync(`${root}/bin`);
  fakeCommand(
    `${root}/bin`,
    "check",
    `if [ $# -gt 0 ]; then files="$1"; stat -c %a "$1" > ${root}/checked-mode; else files="${root}/conf.d/*"; fi
for f in $files; do if grep -q oops "$f"; then echo "$f:1: unknown directive oops" >&2; exit 1; fi; done; echo ok`,
  );
  return root;
}

const run = (root: string, content: string, validate: string) =>
  applyLocally(
    declared(() => validatedFile(`${root}/conf.d/site.conf`, { content, mode: "0640", validate })),
    { PATH: `${root}/bin:${process.env.PATH}` },
  );

for (const validate of ["check %s", "check"]) {
  describe(`validatedFile with \`${validate}\``, () => {
    it("puts accepted content in place once with its mode; a second run changes nothing", () => {
      const root = setup();
      assert.equal(run(root, "listen 80;\n", validate).status, "changed");
      const p = `${root}/conf.d/site.conf`;
      assert.equal(readFileSync(p, "utf8"), "listen 80;\n");
      assert.equal(statSync(p).mode & 0o777, 0o640);
      if (validate.includes("%s")) assert.equal(readFileSync(`${root}/checked-mode`, "utf8").trim(), "640");
      assert.equal(run(root, "listen 80;\n", validate).status, "ok");
      const op = declared(() => validatedFile(p, { content: "listen 80;\n", mode: "0640", validate }));
      assert.equal(planLocally(op).changed, false);
    });

    it("fails naming the file and the checker's reason, and keeps the working file and no temp file", () => {
      const root = setup();
      run(root, "listen 80;\n", validate);
      const r = run(root, "oops 81;\n", validate);
      assert.equal(r.status, "failed");
      assert.match(
        r.output ?? "",
        /file \/.*\/conf\.d\/site\.conf: `check.*` rejected the new content; .*site\.conf is unchanged:\n.*:1: unknown directive oops/,
      );
      assert.equal(readFileSync(`${root}/conf.d/site.conf`, "utf8"), "listen 80;\n");
      assert.deepEqual(readdirSync(`${root}/conf.d`), ["site.conf"]);
    });

    it("leaves no file behind when the first content is rejected", () => {
      const root = setup();
      assert.equal(run(root, "oops\n", validate).status, "failed");
      assert.deepEqual(readdirSync(`${root}/conf.d`), []);
    });
  });
}

describe("validatedFile", () => {
  it("repairs a mode drift without re-checking unchanged content", () => {
    const root = setup();
    run(root, "a\n", "check");
    const p = `${root}/conf.d/site.conf`;
    chmodSync(p, 0o666);
    assert.equal(run(root, "a\n", "false").status, "changed");
    assert.equal(statSync(p).mode & 0o777, 0o640);
  });

  it("refuses an empty check", () => {
    assert.throws(() => declared(() => validatedFile("/etc/x", { content: "", validate: " " })), /validate must be a command/);
  });
});

describe("validatedFile with a secret", () => {
  it("plans a change without any diff, so the host's old secret is never shown", () => {
    const root = setup();
    const p = `${root}/conf.d/tls.key`;
    writeFileSync(p, "OLD-PRIVATE-KEY\n");
    const op = declared(() => validatedFile(p, { content: { masked: "***", reveal: () => "NEW-KEY\n" }, validate: "true" }));
    const plan = planLocally(op);
    assert.equal(plan.changed, true);
    assert.equal(plan.diff, undefined);
  });
});
