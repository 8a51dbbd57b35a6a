import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { copy } from "../../../src/ops/copy.js";
import { declared, outputs } from "./kit.js";

/** Returns fileFact's output for a regular file with this content and mode, owned by root. */
function regular(content: Buffer | string, mode = "644"): string {
  const b = Buffer.from(content);
  const sha = createHash("sha256").update(b).digest("hex");
  return `type=file\nmode=${mode} owner=root group=root size=${b.length}\nsha256=${sha}\ncontent=${b.toString("base64")}\n`;
}

const DEST = "/usr/local/bin/tool";

describe("copy op", () => {
  let dir: string;
  let src: string;
  const bytes = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 255]);
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "bosun-copy-"));
    src = path.join(dir, "tool");
    writeFileSync(src, bytes);
    writeFileSync(path.join(dir, "text.conf"), "a=1\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const plan = (fact: string, o: { mode?: string } = {}) =>
    declared(() => copy(DEST, { src, ...o })).plan(outputs({ [`file:${DEST}`]: fact }));

  it("is a copy op for dest that carries the source's bytes in its apply", () => {
    const op = declared(() => copy(DEST, { src, mode: "0755", owner: "root", notify: "x" }));
    assert.equal(op.kind, "copy");
    assert.equal(op.name, DEST);
    assert.deepEqual(op.notify, ["x"]);
    assert.equal(op.apply(), `__put ${DEST} ${bytes.toString("base64")} 0755 root -`);
  });

  it("creates an absent dest, summarising binary content", () => {
    const p = plan("type=absent\n", { mode: "755" });
    assert.equal(p.changed, true);
    assert.equal(p.summary, "create (8 bytes, mode 0755)");
    assert.match(p.diff ?? "", /binary content: 0 → 8 bytes/);
  });

  it("does nothing when dest has the same bytes and mode", () => {
    assert.deepEqual(plan(regular(bytes, "755"), { mode: "0755" }), { changed: false, summary: "up to date" });
  });

  it("updates a dest with different bytes or mode", () => {
    assert.equal(plan(regular(Buffer.from("old"))).summary, "update content");
    assert.equal(plan(regular(bytes, "644"), { mode: "755" }).summary, "mode 0644 → 0755");
  });

  it("diffs a text source against dest", () => {
    const op = declared(() => copy("/etc/app.conf", { src: path.join(dir, "text.conf") }));
    const p = op.plan(outputs({ "file:/etc/app.conf": regular("a=0\n") }));
    assert.match(p.diff ?? "", /^-a=0$/m);
    assert.match(p.diff ?? "", /^\+a=1$/m);
  });

  it("resolves a relative src against the current directory", () => {
    const rel = path.relative(process.cwd(), src);
    assert.equal(declared(() => copy(DEST, { src: rel })).apply(), `__put ${DEST} ${bytes.toString("base64")} - - -`);
  });

  it("throws naming dest and the full source path when the source file is missing", () => {
    const missing = path.join(dir, "no-such-file");
    assert.throws(
      () => declared(() => copy(DEST, { src: missing })),
      (e: unknown) => e instanceof Error && e.message === `copy ${DEST}: source file not found on the control machine: ${missing}`,
    );
  });

  it("refuses a relative dest", () => {
    assert.throws(() => declared(() => copy("usr/local/bin/tool", { src })), /copy: path must be absolute/);
  });
});
