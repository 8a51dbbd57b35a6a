import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { fileFact, MAX_FACT_CONTENT } from "../../../src/facts/file.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-file-fact-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Returns the file fact of p, its command run by sh as the facts script runs it. */
function factOf(p: string) {
  const f = fileFact(p);
  return f.parse(execFileSync("sh", ["-c", `( ${f.command} ) </dev/null 2>/dev/null`]).toString(), 0);
}
const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

describe("fileFact run by sh", () => {
  it("brings back a small file's attributes and content, with the content's sha256", () => {
    const p = path.join(dir, "small");
    const bytes = Buffer.from([0, 1, 2, 255, 10, 32, 10]);
    writeFileSync(p, bytes, { mode: 0o640 });
    const f = factOf(p);
    assert.equal(f.type, "file");
    assert.equal(f.mode, "0640");
    assert.equal(f.size, bytes.length);
    assert.equal(f.owner, os.userInfo().username);
    assert.deepEqual(f.content, bytes);
    assert.equal(f.sha256, sha(bytes));
  });

  it("brings back an empty file as empty content with the empty sha256", () => {
    const p = path.join(dir, "empty");
    writeFileSync(p, "");
    const f = factOf(p);
    assert.deepEqual([f.type, f.size, f.content?.length, f.sha256], ["file", 0, 0, sha("")]);
  });

  it("brings back only the sha256 of a file over the content cap", () => {
    const p = path.join(dir, "big");
    const text = "x".repeat(MAX_FACT_CONTENT + 1);
    writeFileSync(p, text);
    const f = factOf(p);
    assert.equal(f.content, undefined);
    assert.equal(f.size, MAX_FACT_CONTENT + 1);
    assert.equal(f.sha256, sha(text));
  });

  it("reports a link with its target, a directory, and an absent path", () => {
    mkdirSync(path.join(dir, "d"), { mode: 0o750 });
    symlinkSync("d", path.join(dir, "l"));
    assert.deepEqual([factOf(path.join(dir, "l")).type, factOf(path.join(dir, "l")).target], ["link", "d"]);
    assert.deepEqual([factOf(path.join(dir, "d")).type, factOf(path.join(dir, "d")).mode], ["directory", "0750"]);
    assert.equal(factOf(path.join(dir, "nothing")).type, "absent");
  });
});
