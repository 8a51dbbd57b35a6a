import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseGroupEntry } from "../../../src/facts/group.js";
import { group } from "../../../src/ops/group.js";
import { tempDir } from "../../e2e/helpers.js";
import { applyHere, declared, fakeAccounts, outputs, planHere } from "./kit.js";

// `getent group NAME` output captured on Debian 12; rc 2 and no output when the group does not exist.
const DEPLOY = "deploy:x:1500:alice,bob\n";
const ABSENT = { output: "", rc: 2 };

const plan = (o: Parameters<typeof group>[1], fact: string | { output: string; rc: number }) =>
  declared(() => group("deploy", o)).plan(outputs({ "group:deploy": fact }));

describe("group fact parser", () => {
  it("reads gid and members of a getent line", () => {
    assert.deepEqual(parseGroupEntry(DEPLOY, "deploy"), { exists: true, gid: 1500, members: ["alice", "bob"] });
    assert.deepEqual(parseGroupEntry("sudo:x:27:\n", "sudo"), { exists: true, gid: 27, members: [] });
  });

  it("reports a group absent when getent prints nothing or another group", () => {
    assert.deepEqual(parseGroupEntry("", "deploy"), { exists: false });
    assert.deepEqual(parseGroupEntry("deployers:x:1:\n", "deploy"), { exists: false });
  });
});

describe("group op: planning", () => {
  it("plans a creation when the group is absent, naming gid and system", () => {
    assert.deepEqual(plan({ gid: 1500, system: true }, ABSENT), { changed: true, summary: "create (gid 1500, system)" });
    assert.deepEqual(plan({}, ABSENT), { changed: true, summary: "create" });
  });

  it("plans nothing when the group exists with the gid", () => {
    assert.deepEqual(plan({ gid: 1500 }, DEPLOY), { changed: false, summary: "gid 1500" });
    assert.equal(plan({}, DEPLOY).changed, false);
  });

  it("plans a gid change when it differs", () => {
    assert.deepEqual(plan({ gid: 1600 }, DEPLOY), { changed: true, summary: "gid 1500 → 1600" });
  });

  it("plans a removal with state absent only when the group exists", () => {
    assert.deepEqual(plan({ state: "absent" }, DEPLOY), { changed: true, summary: "remove" });
    assert.deepEqual(plan({ state: "absent" }, ABSENT), { changed: false, summary: "absent" });
  });
});

describe("group op: declaring", () => {
  it("rejects bad names, numeric names and bad gids before touching a host", () => {
    assert.throws(() => declared(() => group("1000")), /bad name "1000"/);
    assert.throws(() => declared(() => group("a b")), /bad name/);
    assert.throws(() => declared(() => group("-x")), /bad name/);
    assert.throws(() => declared(() => group("ok", { gid: -1 })), /bad gid -1/);
    assert.throws(() => declared(() => group("ok", { gid: 1.5 })), /bad gid/);
    assert.throws(() => declared(() => group("ok", { state: "gone" as "absent" })), /bad state/);
  });
});

describe("group op: apply fragment (run by sh over a fake group database)", () => {
  const run = (o: Parameters<typeof group>[1], db: string) => {
    const dir = tempDir("bosun-group-");
    const env = fakeAccounts(dir, { passwd: "", group: db });
    const op = declared(() => group("deploy", o));
    return { plan: planHere(op, env), out: applyHere(op, env), log: readFileSync(`${dir}/log`, "utf8") };
  };

  it("creates an absent group with groupadd and reports a change", () => {
    const r = run({ gid: 1500, system: true }, "root:x:0:\n");
    assert.equal(r.plan.changed, true);
    assert.equal(r.out.status, "changed");
    assert.equal(r.log, "groupadd -g 1500 -r deploy\n");
  });

  it("runs nothing and reports ok when the group is as wanted", () => {
    const r = run({ gid: 1500 }, DEPLOY);
    assert.equal(r.plan.changed, false);
    assert.equal(r.out.status, "ok");
    assert.equal(r.log, "");
  });

  it("changes a different gid with groupmod", () => {
    const r = run({ gid: 1600 }, DEPLOY);
    assert.equal(r.out.status, "changed");
    assert.equal(r.log, "groupmod -g 1600 deploy\n");
  });

  it("removes the group with groupdel, and does nothing when it is already absent", () => {
    assert.equal(run({ state: "absent" }, DEPLOY).log, "groupdel deploy\n");
    const r = run({ state: "absent" }, "");
    assert.equal(r.out.status, "ok");
    assert.equal(r.log, "");
  });
});
