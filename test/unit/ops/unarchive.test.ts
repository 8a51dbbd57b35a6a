import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { archiveMarker, unarchive } from "../../../src/ops/unarchive.js";
import { tempDir } from "../../e2e/helpers.js";
import { applyHere, declared, outputs, planHere } from "./kit.js";

/** Builds an archive of a small tree (app/VERSION, app/bin/run 0755) with this version; returns its path. */
function archive(version: string, ext: "tar.gz" | "tgz" | "tar" | "zip" = "tar.gz"): string {
  const dir = tempDir("bosun-unarchive-src-");
  mkdirSync(path.join(dir, "tree", "app", "bin"), { recursive: true });
  writeFileSync(path.join(dir, "tree", "app", "VERSION"), `${version}\n`);
  writeFileSync(path.join(dir, "tree", "app", "bin", "run"), "#!/bin/sh\necho run\n", { mode: 0o755 });
  const out = path.join(dir, `app.${ext}`);
  if (ext === "zip") execFileSync("zip", ["-qr", out, "app"], { cwd: path.join(dir, "tree") });
  else execFileSync("tar", [ext === "tar" ? "-cf" : "-czf", out, "-C", path.join(dir, "tree"), "app"]);
  return out;
}
const sha = (f: string) => createHash("sha256").update(readFileSync(f)).digest("hex");

describe("unarchive op: planning", () => {
  const src = archive("1");
  const D = "/opt/app";
  const M = archiveMarker(D, src);
  const marker = (s: string) =>
    `type=file\nmode=644 owner=root group=root size=65\nsha256=x\ncontent=${Buffer.from(`${s}\n`).toString("base64")}\n`;
  const DIR = "type=directory\nmode=755 owner=root group=root\n";
  const plan = (facts: Record<string, string>, creates?: string) =>
    declared(() => unarchive(D, { src, creates })).plan(outputs({ [`file:${D}`]: DIR, ...facts }));

  it("records what was extracted in dest/.bosun-archive-NAME.sha256", () => {
    assert.equal(M, "/opt/app/.bosun-archive-app.tar.gz.sha256");
  });

  it("plans an extraction when the archive was never extracted there, or was another one", () => {
    assert.match(plan({ [`file:${M}`]: "type=absent\n" }).summary, /^extract app\.tar\.gz \(\d+ bytes\): not extracted yet$/);
    assert.match(plan({ [`file:${M}`]: marker("0".repeat(64)) }).summary, /archive changed \(sha256 000000000000… → /);
  });

  it("plans nothing when the marker holds this archive's checksum", () => {
    assert.deepEqual(plan({ [`file:${M}`]: marker(sha(src)) }), {
      changed: false,
      summary: `app.tar.gz extracted (sha256 ${sha(src).slice(0, 12)}…)`,
    });
  });

  it("plans an extraction when creates is missing even if the marker matches", () => {
    const p = plan({ [`file:${M}`]: marker(sha(src)), "file:/opt/app/app/VERSION": "type=absent\n" }, "/opt/app/app/VERSION");
    assert.match(p.summary, /\/opt\/app\/app\/VERSION is missing/);
    const ok = plan({ [`file:${M}`]: marker(sha(src)), "file:/opt/app/app/VERSION": marker("x") }, "/opt/app/app/VERSION");
    assert.equal(ok.changed, false);
  });

  it("refuses a dest that is not a directory", () => {
    const op = declared(() => unarchive(D, { src }));
    assert.throws(() => op.plan(outputs({ [`file:${D}`]: marker("x"), [`file:${M}`]: "type=absent\n" })), /not a directory/);
  });

  it("rejects unknown formats, missing archives and relative paths before touching a host", () => {
    assert.throws(() => declared(() => unarchive(D, { src: "/etc/hostname" })), /must be a \.tar\.gz, \.tgz, \.tar or \.zip/);
    assert.throws(() => declared(() => unarchive(D, { src: "/nonexistent/x.tgz" })), /archive not found on the control machine/);
    assert.throws(() => declared(() => unarchive("opt", { src })), /path must be absolute/);
    assert.throws(() => declared(() => unarchive(D, { src, creates: "VERSION" })), /path must be absolute/);
  });
});

describe("unarchive op: apply fragment (run by sh into a temp dir)", () => {
  for (const ext of ["tar.gz", "tgz", "tar", "zip"] as const) {
    it(`extracts a .${ext} (modes kept), writes the marker, then reports ok`, () => {
      const src = archive("1", ext);
      const dest = path.join(tempDir("bosun-unarchive-"), "opt");
      const op = declared(() => unarchive(dest, { src }));
      assert.equal(planHere(op).changed, true);
      assert.equal(applyHere(op).status, "changed");
      assert.equal(readFileSync(path.join(dest, "app", "VERSION"), "utf8"), "1\n");
      assert.equal((statSync(path.join(dest, "app", "bin", "run")).mode & 0o777).toString(8), "755");
      assert.equal(readFileSync(archiveMarker(dest, src), "utf8"), `${sha(src)}\n`);
      assert.equal(applyHere(op).status, "ok");
      assert.equal(planHere(op).changed, false);
    });
  }

  it("extracts again when the archive changes, and when creates was removed", () => {
    const dest = tempDir("bosun-unarchive-");
    const v1 = archive("1");
    applyHere(declared(() => unarchive(dest, { src: v1 })));
    const v2 = archive("2");
    const op = declared(() => unarchive(dest, { src: v2, creates: path.join(dest, "app", "VERSION") }));
    assert.equal(applyHere(op).status, "changed");
    assert.equal(readFileSync(path.join(dest, "app", "VERSION"), "utf8"), "2\n");
    assert.equal(applyHere(op).status, "ok");
    rmSync(path.join(dest, "app", "VERSION"));
    assert.equal(planHere(op).changed, true);
    assert.equal(applyHere(op).status, "changed");
    assert.equal(readFileSync(path.join(dest, "app", "VERSION"), "utf8"), "2\n");
  });
});
