import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import type { FileFact } from "../../../src/facts/file.js";
import { cron, cronFile, cronSchedule } from "../../../src/ops/cron.js";
import { applyHere, declared, lookupOf, rebased } from "./kit.js";

const fileWith = (text: string): FileFact => {
  const content = Buffer.from(text);
  return { type: "file", mode: "0644", owner: "root", group: "root", content, sha256: createHash("sha256").update(content).digest("hex") };
};

describe("cron schedule", () => {
  it("accepts five fields or a keyword, and normalises spacing", () => {
    assert.equal(cronSchedule("*/5 * * * *"), "*/5 * * * *");
    assert.equal(cronSchedule(" 0  3\t* * mon-fri "), "0 3 * * mon-fri");
    assert.equal(cronSchedule("0,30 8-18/2 1 jan,jul 0"), "0,30 8-18/2 1 jan,jul 0");
    assert.equal(cronSchedule("@daily"), "@daily");
  });

  it("rejects anything else, saying why", () => {
    assert.throws(() => cronSchedule("* * * *"), /has 4 fields, expected 5/);
    assert.throws(() => cronSchedule("* * * * * *"), /has 6 fields/);
    assert.throws(() => cronSchedule("@sometimes"), /unknown schedule keyword "@sometimes"/);
    assert.throws(() => cronSchedule("*/x * * * *"), /bad schedule field "\*\/x"/);
    assert.throws(() => cronSchedule("; * * * *"), /bad schedule field/);
  });
});

describe("cron planner", () => {
  const content = cronFile("backup", "15 3 * * *", "root", "/usr/local/bin/backup");
  const plan = (o: Partial<Parameters<typeof cron>[1]>, fact: FileFact) =>
    declared(() => cron("backup", { schedule: "15 3 * * *", command: "/usr/local/bin/backup", ...o })).plan(
      lookupOf({ "file:/etc/cron.d/backup": fact }),
    );

  it("writes one job line in /etc/cron.d/NAME", () => {
    assert.equal(content, "# Managed by Bosun: cron job backup\n15 3 * * * root /usr/local/bin/backup\n");
    const p = plan({}, { type: "absent" });
    assert.equal(p.summary, "create (74 bytes, mode 0644)");
    assert.match(p.diff ?? "", /^\+15 3 \* \* \* root \/usr\/local\/bin\/backup$/m);
  });

  it("reports no change when the file is right, and the diff when the schedule changed", () => {
    assert.deepEqual(plan({}, fileWith(content)), { changed: false, summary: "up to date" });
    const p = plan({ schedule: "@hourly", user: "backup" }, fileWith(content));
    assert.match(p.diff ?? "", /-15 3 \* \* \* root .*\n\+@hourly backup \/usr\/local\/bin\/backup/);
  });

  it("removes the file for state absent", () => {
    assert.deepEqual(plan({ state: "absent" }, fileWith(content)), { changed: true, summary: "remove /etc/cron.d/backup" });
    assert.deepEqual(plan({ state: "absent" }, { type: "absent" }), { changed: false, summary: "absent" });
  });
});

describe("cron arguments", () => {
  it("are checked at declaration", () => {
    const ok = { schedule: "@daily", command: "true" };
    assert.throws(
      () => declared(() => cron("backup.sh", ok)),
      /cron: bad name "backup.sh" .*files in \/etc\/cron\.d with other characters, like a dot, are ignored/,
    );
    assert.throws(() => declared(() => cron("a/b", ok)), /bad name/);
    assert.throws(() => declared(() => cron("x", { ...ok, command: "a\nb" })), /one non-empty line/);
    assert.throws(() => declared(() => cron("x", { ...ok, command: " " })), /one non-empty line/);
    assert.throws(() => declared(() => cron("x", { ...ok, user: "root; rm" })), /bad user/);
    assert.throws(() => declared(() => cron("x", { ...ok, schedule: "daily" })), /has 1 fields/);
  });
});

describe("cron apply (run locally on a copy of /etc)", () => {
  it("writes the file once, mode 0644, and removes it for state absent", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "bosun-cron-"));
    mkdirSync(`${root}/etc/cron.d`, { recursive: true });
    const op = (state: "present" | "absent") =>
      rebased(
        declared(() => cron("bosun-test", { schedule: "*/5 * * * *", command: "echo hi >/dev/null", state })),
        root,
        ["/etc/"],
      );
    assert.equal(applyHere(op("present")).status, "changed");
    const f = `${root}/etc/cron.d/bosun-test`;
    assert.equal(readFileSync(f, "utf8"), "# Managed by Bosun: cron job bosun-test\n*/5 * * * * root echo hi >/dev/null\n");
    assert.equal(statSync(f).mode & 0o777, 0o644);
    assert.equal(applyHere(op("present")).status, "ok");
    assert.equal(applyHere(op("absent")).status, "changed");
    assert.equal(applyHere(op("absent")).status, "ok");
  });
});
