import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { absent } from "../../../src/ops/absent.js";
import { applyHere, declared, live, outputs } from "./kit.js";

// Output of fileFact's command, captured on Debian 12.
const FACTS: Record<string, string> = {
  absent: "type=absent\n",
  file: "type=file\nmode=644 owner=root group=root size=6\nsha256=5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03\ncontent=aGVsbG8K\n",
  directory: "type=directory\nmode=755 owner=root group=root\n",
  link: "type=link\ntarget=/etc/hostname\nowner=root group=root\n",
  other: "type=other\n",
};

const P = "/etc/nginx/sites-enabled/default";
const plan = (fact: string) => declared(() => absent(P)).plan(outputs({ [`file:${P}`]: fact }));

describe("absent op", () => {
  it("is an absent op named for its path, asking for its file fact, carrying notify and tags", () => {
    const op = declared(() => absent(P, { notify: ["reload nginx"], tags: ["nginx"] }));
    assert.equal(op.kind, "absent");
    assert.equal(op.name, P);
    assert.deepEqual(op.notify, ["reload nginx"]);
    assert.deepEqual(op.tags, ["nginx"]);
    assert.deepEqual(
      op.facts().map((f) => f.key),
      [`file:${P}`],
    );
  });

  it("does nothing when the path is absent", () => {
    assert.deepEqual(plan(FACTS.absent as string), { changed: false, summary: "absent" });
  });

  it("removes whatever is there, saying what it is", () => {
    for (const t of ["file", "directory", "link", "other"]) {
      assert.deepEqual(plan(FACTS[t] as string), { changed: true, summary: `remove ${t}` });
    }
  });

  it("refuses a relative path", () => {
    assert.throws(() => declared(() => absent("tmp/x")), /absent: path must be absolute/);
  });

  it("refuses to remove / and top-level system directories, however the path is written", () => {
    for (const p of [
      "/",
      "//",
      "/etc",
      "/etc/",
      "///etc",
      "/etc//",
      "/usr",
      "/var/",
      "/home",
      "/root",
      "/bin",
      "/lib",
      "/boot",
      "/tmp/..",
      "/etc/.",
    ]) {
      assert.throws(() => declared(() => absent(p)), new RegExp(`absent: refusing to remove ${p.replace(/\./g, "\\.")}$`), p);
    }
  });

  it("allows paths below those directories", () => {
    for (const p of ["/etc/motd", "/var/tmp/x", "/home/ops/.cache", "/etcetera", "/tmp"]) {
      assert.equal(declared(() => absent(p)).name, p);
    }
  });

  it("applies with __rm and the quoted path", () => {
    assert.equal(declared(() => absent("/srv/old app")).apply(), "__rm '/srv/old app'");
  });

  describe("applied on this machine", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-absent-"));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("removes a file, a directory tree and a dangling link, then is ok", () => {
      writeFileSync(`${dir}/f`, "x");
      mkdirSync(`${dir}/d/sub`, { recursive: true });
      writeFileSync(`${dir}/d/sub/f`, "x");
      symlinkSync(`${dir}/nowhere`, `${dir}/l`);
      for (const p of ["f", "d", "l"]) {
        const op = declared(() => absent(`${dir}/${p}`));
        assert.equal(op.plan(live).changed, true, p);
        assert.equal(applyHere(op)?.status, "changed", p);
        assert.equal(existsSync(`${dir}/${p}`), false, p);
        assert.deepEqual(op.plan(live), { changed: false, summary: "absent" });
        assert.equal(applyHere(op)?.status, "ok", p);
      }
    });

    it("removes a link, not what it points to", () => {
      mkdirSync(`${dir}/target`);
      symlinkSync(`${dir}/target`, `${dir}/to-target`);
      assert.equal(applyHere(declared(() => absent(`${dir}/to-target`)))?.status, "changed");
      assert.ok(existsSync(`${dir}/target`));
    });
  });
});
