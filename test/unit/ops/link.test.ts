import assert from "node:assert/strict";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { link } from "../../../src/ops/link.js";
import { applyHere, declared, live, outputs } from "./kit.js";

// Output of fileFact's command, captured on Debian 12.
const ABSENT = "type=absent\n";
const LINK_OK = "type=link\ntarget=/etc/nginx/sites-available/app\nowner=root group=root\n";
const LINK_OLD = "type=link\ntarget=/etc/nginx/sites-available/old app\nowner=root group=root\n";
const FILE =
  "type=file\nmode=644 owner=root group=root size=6\nsha256=5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03\ncontent=aGVsbG8K\n";
const DIRECTORY = "type=directory\nmode=755 owner=root group=root\n";

const P = "/etc/nginx/sites-enabled/app";
const T = "/etc/nginx/sites-available/app";
const plan = (fact: string) => declared(() => link(P, { target: T })).plan(outputs({ [`file:${P}`]: fact }));

describe("link op", () => {
  it("is a link op named for its path, asking for its file fact", () => {
    const op = declared(() => link(P, { target: T, notify: "reload nginx" }));
    assert.equal(op.kind, "link");
    assert.equal(op.name, P);
    assert.deepEqual(op.notify, ["reload nginx"]);
    assert.deepEqual(
      op.facts().map((f) => f.key),
      [`file:${P}`],
    );
  });

  it("creates an absent link", () => {
    assert.deepEqual(plan(ABSENT), { changed: true, summary: `create → ${T}` });
  });

  it("does nothing when the link already points at the target", () => {
    assert.deepEqual(plan(LINK_OK), { changed: false, summary: `→ ${T}` });
  });

  it("retargets a link pointing elsewhere (targets with spaces read whole)", () => {
    assert.deepEqual(plan(LINK_OLD), { changed: true, summary: `retarget /etc/nginx/sites-available/old app → ${T}` });
  });

  it("says it replaces a regular file", () => {
    assert.deepEqual(plan(FILE), { changed: true, summary: `replace file → ${T}` });
  });

  it("refuses to replace a directory", () => {
    assert.throws(() => plan(DIRECTORY), /is a directory; refusing to replace it with a link/);
  });

  it("refuses a relative path, but allows a relative target", () => {
    assert.throws(() => declared(() => link("sites-enabled/app", { target: T })), /link: path must be absolute/);
    assert.equal(declared(() => link(P, { target: "../sites-available/app" })).name, P);
  });

  describe("applied on this machine", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-link-"));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("creates the link, then plans and applies as ok", () => {
      const op = declared(() => link(`${dir}/l1`, { target: "some target" }));
      assert.equal(applyHere(op)?.status, "changed");
      assert.equal(readlinkSync(`${dir}/l1`), "some target");
      assert.deepEqual(op.plan(live), { changed: false, summary: "→ some target" });
      assert.equal(applyHere(op)?.status, "ok");
    });

    it("retargets a link and replaces a file, leaving no temp file", () => {
      symlinkSync("/old", `${dir}/l2`);
      writeFileSync(`${dir}/f`, "x");
      for (const p of ["l2", "f"]) {
        const op = declared(() => link(`${dir}/${p}`, { target: "/new" }));
        assert.equal(applyHere(op)?.status, "changed", p);
        assert.equal(readlinkSync(`${dir}/${p}`), "/new");
      }
      assert.deepEqual(
        readdirSync(dir).filter((f) => f.includes("bosun-tmp")),
        [],
      );
    });

    it("replaces a link to a directory instead of creating a link inside it", () => {
      mkdirSync(`${dir}/d1`);
      mkdirSync(`${dir}/d2`);
      symlinkSync(`${dir}/d1`, `${dir}/l3`);
      assert.equal(applyHere(declared(() => link(`${dir}/l3`, { target: `${dir}/d2` })))?.status, "changed");
      assert.equal(readlinkSync(`${dir}/l3`), `${dir}/d2`);
      assert.deepEqual(readdirSync(`${dir}/d1`), []);
    });

    it("fails, leaving it alone, when a real directory is in the way", () => {
      mkdirSync(`${dir}/realdir`);
      const r = applyHere(declared(() => link(`${dir}/realdir`, { target: "/x" })));
      assert.equal(r?.status, "failed");
      assert.match(r?.output ?? "", /is a directory/);
      assert.ok(lstatSync(`${dir}/realdir`).isDirectory());
    });
  });
});
