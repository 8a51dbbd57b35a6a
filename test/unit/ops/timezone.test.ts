import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import type { FileFact } from "../../../src/facts/file.js";
import { timezone } from "../../../src/ops/timezone.js";
import { applyHere, declared, lookupOf, rebased } from "./kit.js";

const ZONE_OK = `rc:__z=; IFS= read -r __z 2>/dev/null < /usr/share/zoneinfo/Europe/Paris || :; case "$__z" in TZif*) true ;; *) false ;; esac`;
const tzFile = (name: string): FileFact => ({
  type: "file",
  mode: "0644",
  owner: "root",
  group: "root",
  content: Buffer.from(`${name}\n`),
});
const withSha = (f: FileFact): FileFact => ({
  ...f,
  sha256: createHash("sha256")
    .update(f.content as Buffer)
    .digest("hex"),
});

describe("timezone planner", () => {
  const plan = (facts: Record<string, unknown>) => declared(() => timezone("Europe/Paris")).plan(lookupOf(facts));

  it("plans the link and /etc/timezone (with its diff) from another zone", () => {
    const p = plan({
      "file:/etc/localtime": { type: "link", target: "/usr/share/zoneinfo/Etc/UTC" },
      "file:/etc/timezone": withSha(tzFile("Etc/UTC")),
      [ZONE_OK]: 0,
    });
    assert.equal(p.changed, true);
    assert.equal(
      p.summary,
      "/etc/localtime: /usr/share/zoneinfo/Etc/UTC → /usr/share/zoneinfo/Europe/Paris, /etc/timezone: update content",
    );
    assert.match(p.diff ?? "", /-Etc\/UTC\n\+Europe\/Paris/);
  });

  it("reports no change when both are right (an absolute or a systemd-style relative link)", () => {
    for (const target of ["/usr/share/zoneinfo/Europe/Paris", "../usr/share/zoneinfo/Europe/Paris"]) {
      const p = plan({
        "file:/etc/localtime": { type: "link", target },
        "file:/etc/timezone": withSha(tzFile("Europe/Paris")),
        [ZONE_OK]: 0,
      });
      assert.deepEqual(p, { changed: false, summary: "Europe/Paris" });
    }
  });

  it("replaces a copied /etc/localtime file and creates /etc/timezone", () => {
    const p = plan({ "file:/etc/localtime": { type: "file" }, "file:/etc/timezone": { type: "absent" }, [ZONE_OK]: 0 });
    assert.match(p.summary, /^\/etc\/localtime: file → \/usr\/share\/zoneinfo\/Europe\/Paris, \/etc\/timezone: create/);
  });

  it("says the change will fail when the zone is not installed", () => {
    const p = plan({ "file:/etc/localtime": { type: "absent" }, "file:/etc/timezone": { type: "absent" }, [ZONE_OK]: 1 });
    assert.match(p.summary, /FAILS unless installed first: \/usr\/share\/zoneinfo\/Europe\/Paris missing \(package tzdata\)$/);
  });
});

describe("timezone arguments", () => {
  it("accept zone names and reject anything else", () => {
    for (const ok of ["UTC", "Etc/GMT+5", "America/Argentina/Buenos_Aires", "America/Port-au-Prince"]) declared(() => timezone(ok));
    for (const bad of ["", "../etc/passwd", "Europe/../Paris", "/Europe/Paris", "Europe/Paris ", "Europe//Paris", "a$b"]) {
      assert.throws(() => declared(() => timezone(bad)), /timezone: bad zone name/, bad);
    }
  });
});

describe("timezone apply (run locally on a copy of /etc and /usr/share)", () => {
  const setup = () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "bosun-tz-"));
    mkdirSync(`${root}/etc`);
    for (const z of ["Etc/UTC", "Europe/Paris"]) {
      mkdirSync(path.dirname(`${root}/usr/share/zoneinfo/${z}`), { recursive: true });
      writeFileSync(`${root}/usr/share/zoneinfo/${z}`, "TZif2...");
    }
    writeFileSync(`${root}/usr/share/zoneinfo/leapseconds`, "# not a zone\n");
    symlinkSync(`${root}/usr/share/zoneinfo/Etc/UTC`, `${root}/etc/localtime`);
    writeFileSync(`${root}/etc/timezone`, "Etc/UTC\n");
    return root;
  };
  const op = (root: string, name: string) =>
    rebased(
      declared(() => timezone(name)),
      root,
      ["/etc/", "/usr/share/"],
    );

  it("sets the link and /etc/timezone once", () => {
    const root = setup();
    assert.equal(applyHere(op(root, "Europe/Paris")).status, "changed");
    assert.equal(readlinkSync(`${root}/etc/localtime`), `${root}/usr/share/zoneinfo/Europe/Paris`);
    assert.equal(readFileSync(`${root}/etc/timezone`, "utf8"), "Europe/Paris\n");
    assert.equal(applyHere(op(root, "Europe/Paris")).status, "ok");
  });

  it("fails clearly, changing nothing, when the zone is not installed or not a zone", () => {
    const root = setup();
    for (const name of ["Asia/Tokyo", "leapseconds"]) {
      const r = applyHere(op(root, name));
      assert.equal(r.status, "failed");
      assert.match(r.output ?? "", new RegExp(`timezone ${name}: .* is not installed \\(install the tzdata package first`));
    }
    assert.equal(readFileSync(`${root}/etc/timezone`, "utf8"), "Etc/UTC\n");
  });
});
