import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { directory } from "../../../src/ops/directory.js";
import { applyHere, declared, live, outputs } from "./kit.js";

// Output of fileFact's command, captured on Debian 12.
const ABSENT = "type=absent\n";
const DIR_755_ROOT = "type=directory\nmode=755 owner=root group=root\n";
const DIR_2775_WWW = "type=directory\nmode=2775 owner=www-data group=www-data\n";
const FILE =
  "type=file\nmode=644 owner=root group=root size=6\nsha256=5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03\ncontent=aGVsbG8K\n";

const P = "/srv/app";
const plan = (o: Parameters<typeof directory>[1], fact: string) => declared(() => directory(P, o)).plan(outputs({ [`file:${P}`]: fact }));

describe("directory op", () => {
  it("is a directory op named for its path, asking for its file fact", () => {
    const op = declared(() => directory(P, { tags: ["app"] }));
    assert.equal(op.kind, "directory");
    assert.equal(op.name, P);
    assert.deepEqual(
      op.facts().map((f) => f.key),
      [`file:${P}`],
    );
  });

  it("creates an absent directory, naming the mode when one is given", () => {
    assert.deepEqual(plan({}, ABSENT), { changed: true, summary: "create" });
    assert.deepEqual(plan({ mode: "750" }, ABSENT), { changed: true, summary: "create (mode 0750)" });
  });

  it("is up to date when it exists with the wanted (or unmanaged) attributes", () => {
    assert.deepEqual(plan({}, DIR_2775_WWW), { changed: false, summary: "up to date" });
    assert.deepEqual(plan({ mode: "0755", owner: "root", group: "root" }, DIR_755_ROOT), { changed: false, summary: "up to date" });
    assert.equal(plan({ mode: "2775", owner: "www-data" }, DIR_2775_WWW).changed, false);
  });

  it("lists the attributes that differ", () => {
    assert.deepEqual(plan({ mode: "0700", owner: "www-data", group: "adm" }, DIR_755_ROOT), {
      changed: true,
      summary: "mode 0755 → 0700, owner root → www-data, group root → adm",
    });
  });

  it("refuses a path that holds a file", () => {
    assert.throws(() => plan({}, FILE), /\/srv\/app exists and is a file, not a directory/);
  });

  it("refuses a relative path", () => {
    assert.throws(() => declared(() => directory("srv/app")), /directory: path must be absolute/);
  });

  it("applies with __mkdir and the quoted path and attribute words", () => {
    assert.equal(declared(() => directory("/srv/a b", { mode: "700", group: "adm" })).apply(), "__mkdir '/srv/a b' 0700 - adm");
  });

  describe("applied on this machine", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-dirop-"));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("creates the directory with its parents and mode, then plans and applies as ok", () => {
      const op = declared(() => directory(`${dir}/a/b/c`, { mode: "0750", owner: "nobody" }));
      assert.equal(op.plan(live).changed, true);
      assert.equal(applyHere(op)?.status, "changed");
      const st = statSync(`${dir}/a/b/c`);
      assert.ok(st.isDirectory());
      assert.equal(st.mode & 0o7777, 0o750);
      assert.equal(st.uid, 65534);
      assert.deepEqual(op.plan(live), { changed: false, summary: "up to date" });
      assert.equal(applyHere(op)?.status, "ok");
    });

    it("fixes only the mode of an existing directory", () => {
      const op = declared(() => directory(`${dir}/a`, { mode: "0700" }));
      assert.equal(op.plan(live).summary, "mode 0755 → 0700");
      assert.equal(applyHere(op)?.status, "changed");
      assert.equal(statSync(`${dir}/a`).mode & 0o7777, 0o700);
    });

    it("fails when a file is in the way", () => {
      writeFileSync(`${dir}/file`, "x");
      assert.equal(applyHere(declared(() => directory(`${dir}/file`)))?.status, "failed");
    });
  });
});
