import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { displayUrl, download } from "../../../src/ops/download.js";
import { tempDir } from "../../e2e/helpers.js";
import { applyHere, declared, outputs, planHere, serveDir } from "./kit.js";

const BODY = Buffer.from("release 1.0\n".repeat(100));
const SHA = createHash("sha256").update(BODY).digest("hex");
const OTHER = createHash("sha256").update("other").digest("hex");

const P = "/usr/local/bin/tool";
const fileOut = (sha: string, mode = "755") => `type=file\nmode=${mode} owner=root group=root size=1200\nsha256=${sha}\n`;
const plan = (o: Partial<Parameters<typeof download>[1]>, fact: string) =>
  declared(() => download(P, { url: "https://example.com/tool", sha256: SHA, ...o })).plan(outputs({ [`file:${P}`]: fact }));

describe("download op: planning", () => {
  it("plans a download when the file is absent or its checksum differs", () => {
    assert.deepEqual(plan({}, "type=absent\n"), {
      changed: true,
      summary: `download https://example.com/tool (sha256 ${SHA.slice(0, 12)}…)`,
    });
    assert.deepEqual(plan({}, fileOut(OTHER)), {
      changed: true,
      summary: `download https://example.com/tool: sha256 ${OTHER.slice(0, 12)}… → ${SHA.slice(0, 12)}…`,
    });
  });

  it("plans nothing when the checksum matches, and attribute fixes only when they differ", () => {
    assert.deepEqual(plan({ mode: "0755" }, fileOut(SHA)), { changed: false, summary: `sha256 ${SHA.slice(0, 12)}…` });
    assert.deepEqual(plan({ mode: "0700" }, fileOut(SHA)), { changed: true, summary: "mode 0755 → 0700" });
  });

  it("refuses to replace a directory", () => {
    assert.throws(() => plan({}, "type=directory\nmode=755 owner=root group=root\n"), /is a directory/);
  });

  it("never shows credentials or query strings of the URL", () => {
    assert.equal(displayUrl("https://user:pw@example.com/a?token=s3cret"), "https://***@example.com/a?***");
    const p = plan({ url: "https://example.com/tool?token=s3cret" }, "type=absent\n");
    assert.ok(!p.summary.includes("s3cret"));
  });
});

describe("download op: declaring", () => {
  it("rejects a bad URL, checksum, mode or relative path before touching a host", () => {
    assert.throws(() => declared(() => download(P, { url: "ftp:/x y", sha256: SHA })), /url must be/);
    assert.throws(() => declared(() => download(P, { url: "file:///etc/passwd", sha256: SHA })), /url must be/);
    assert.throws(() => declared(() => download(P, { url: "https://x/y", sha256: "abc" })), /sha256 must be 64 hex digits/);
    assert.throws(() => declared(() => download(P, { url: "https://x/y", sha256: SHA, mode: "rw" })), /bad file mode/);
    assert.throws(() => declared(() => download("tool", { url: "https://x/y", sha256: SHA })), /path must be absolute/);
  });
});

describe("download op: apply fragment (run by sh against a local HTTP server)", () => {
  let base: string;
  let stop: () => void;
  before(async () => {
    const root = tempDir("bosun-dl-srv-");
    writeFileSync(path.join(root, "tool"), BODY);
    ({ url: base, stop } = await serveDir(root));
  });
  after(() => stop());

  /** Returns a PATH holding every command of this machine except the given ones. */
  const pathWithout = (...missing: string[]) => {
    const bin = tempDir("bosun-dl-bin-");
    for (const d of ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"]) {
      if (!existsSync(d)) continue;
      for (const f of readdirSync(d)) {
        if (missing.includes(f) || existsSync(path.join(bin, f))) continue;
        symlinkSync(path.join(d, f), path.join(bin, f));
      }
    }
    return { PATH: bin };
  };

  it("keeps the URL off curl's command line (ps shows argv): curl reads it from a file, and the download happens", () => {
    const bin = tempDir("bosun-dl-spy-");
    const argv = path.join(bin, "argv");
    // A curl that records its argv (what ps would show) and then does the real work.
    writeFileSync(path.join(bin, "curl"), `#!/bin/sh\nprintf '%s\\n' "$@" >> ${argv}\nexec /usr/bin/curl "$@"\n`);
    chmodSync(path.join(bin, "curl"), 0o755);
    const dest = path.join(tempDir("bosun-dl-"), "tool");
    const op = declared(() => download(dest, { url: `${base}/tool?token=s3cret`, sha256: SHA }));
    assert.equal(applyHere(op, { PATH: `${bin}:${process.env.PATH}` }).status, "changed");
    assert.deepEqual(readFileSync(dest), BODY, "the real download happened through the spy");
    const seen = readFileSync(argv, "utf8");
    assert.ok(seen.length > 0, "curl ran");
    assert.ok(!seen.includes("s3cret"), seen);
  });

  it("fetches with curl into place with its mode, then reports ok without fetching", () => {
    const dir = tempDir("bosun-dl-");
    const dest = path.join(dir, "tool");
    const op = declared(() => download(dest, { url: `${base}/tool?token=abc`, sha256: SHA, mode: "0750" }));
    assert.equal(planHere(op).changed, true);
    assert.equal(applyHere(op).status, "changed");
    assert.deepEqual(readFileSync(dest), BODY);
    assert.equal((statSync(dest).mode & 0o777).toString(8), "750");
    assert.equal(applyHere(op).status, "ok");
    assert.equal(planHere(op).changed, false);
    assert.deepEqual(readdirSync(dir), ["tool"], "no temp file left");
  });

  it("replaces a file whose checksum differs", () => {
    const dir = tempDir("bosun-dl-");
    const dest = path.join(dir, "tool");
    writeFileSync(dest, "old");
    assert.equal(applyHere(declared(() => download(dest, { url: `${base}/tool`, sha256: SHA }))).status, "changed");
    assert.deepEqual(readFileSync(dest), BODY);
  });

  it("fails with both checksums and leaves the file untouched when the download does not match", () => {
    const dir = tempDir("bosun-dl-");
    const dest = path.join(dir, "tool");
    writeFileSync(dest, "old");
    const out = applyHere(declared(() => download(dest, { url: `${base}/tool`, sha256: OTHER })));
    assert.equal(out.status, "failed");
    assert.match(out.output ?? "", new RegExp(`checksum mismatch .*expected sha256 ${OTHER}, got ${SHA}`));
    assert.equal(readFileSync(dest, "utf8"), "old");
    assert.deepEqual(readdirSync(dir), ["tool"], "the temp file is removed");
  });

  it("fails clearly on an HTTP error", () => {
    const dir = tempDir("bosun-dl-");
    const out = applyHere(declared(() => download(path.join(dir, "x"), { url: `${base}/missing`, sha256: SHA })));
    assert.equal(out.status, "failed");
    assert.match(out.output ?? "", /curl failed to fetch http:\/\/127\.0\.0\.1:\d+\/missing/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it("uses wget when curl is missing, and fails clearly when both are", () => {
    const dir = tempDir("bosun-dl-");
    const dest = path.join(dir, "tool");
    const op = declared(() => download(dest, { url: `${base}/tool`, sha256: SHA }));
    assert.equal(applyHere(op, pathWithout("curl")).status, "changed");
    assert.deepEqual(readFileSync(dest), BODY);
    const none = declared(() => download(path.join(dir, "other"), { url: `${base}/tool`, sha256: SHA }));
    const out = applyHere(none, pathWithout("curl", "wget"));
    assert.equal(out.status, "failed");
    assert.match(out.output ?? "", /neither curl nor wget is installed/);
  });
});
