import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseUserEntry } from "../../../src/facts/user.js";
import { user } from "../../../src/ops/user.js";
import { tempDir } from "../../e2e/helpers.js";
import { applyHere, declared, fakeAccounts, outputs, planHere } from "./kit.js";

// Output of userFact's command (getent passwd, id -gn, id -Gn) captured on Debian 12.
const ALICE = "passwd=alice:x:1501:1501:Alice Liddell:/home/alice:/bin/sh\ngroup=alice\ngroups=alice adm sudo\n";
const ABSENT = "";

const plan = (o: Parameters<typeof user>[1], fact: string) => declared(() => user("alice", o)).plan(outputs({ "user:alice": fact }));

describe("user fact parser", () => {
  it("reads the passwd fields, primary group and every group", () => {
    assert.deepEqual(parseUserEntry(ALICE, "alice"), {
      exists: true,
      uid: 1501,
      gid: 1501,
      comment: "Alice Liddell",
      home: "/home/alice",
      shell: "/bin/sh",
      group: "alice",
      groups: ["alice", "adm", "sudo"],
    });
  });

  it("reads an entry with an empty comment (as useradd leaves it)", () => {
    const u = parseUserEntry("passwd=bosun:x:1000:1000::/home/bosun:/bin/bash\ngroup=bosun\ngroups=bosun\n", "bosun");
    assert.equal(u.comment, "");
    assert.deepEqual(u.groups, ["bosun"]);
  });

  it("reports a user absent when there is no passwd line for it", () => {
    assert.deepEqual(parseUserEntry(ABSENT, "alice"), { exists: false });
  });
});

describe("user op: planning", () => {
  it("plans a creation listing the attributes it sets", () => {
    assert.deepEqual(plan({ uid: 1501, shell: "/bin/zsh", groups: ["sudo"] }, ABSENT), {
      changed: true,
      summary: "create (uid 1501, groups +sudo, shell /bin/zsh)",
    });
  });

  it("plans nothing when every given attribute matches", () => {
    const p = plan({ uid: 1501, group: "alice", groups: ["adm"], shell: "/bin/sh", home: "/home/alice", comment: "Alice Liddell" }, ALICE);
    assert.deepEqual(p, { changed: false, summary: "uid 1501" });
  });

  it("lists each attribute change as 'old → new'", () => {
    assert.deepEqual(plan({ shell: "/bin/zsh" }, ALICE), { changed: true, summary: "shell /bin/sh → /bin/zsh" });
    assert.deepEqual(plan({ uid: 1600, home: "/srv/alice", comment: "A" }, ALICE), {
      changed: true,
      summary: 'uid 1501 → 1600, comment "Alice Liddell" → "A", home /home/alice → /srv/alice',
    });
    assert.deepEqual(plan({ group: "users" }, ALICE), { changed: true, summary: "group alice → users" });
    assert.deepEqual(plan({ group: 100 }, ALICE), { changed: true, summary: "group 1501 → 100" });
    assert.equal(plan({ group: "1501" }, ALICE).changed, false);
  });

  it("with append (default) adds missing groups and keeps the others", () => {
    assert.deepEqual(plan({ groups: ["sudo", "docker"] }, ALICE), { changed: true, summary: "groups +docker" });
    assert.equal(plan({ groups: ["sudo"] }, ALICE).changed, false);
  });

  it("with append false also removes the groups not listed", () => {
    assert.deepEqual(plan({ groups: ["sudo", "docker"], append: false }, ALICE), { changed: true, summary: "groups +docker -adm" });
    assert.deepEqual(plan({ groups: [], append: false }, ALICE), { changed: true, summary: "groups -adm -sudo" });
    assert.equal(plan({ groups: ["adm", "sudo"], append: false }, ALICE).changed, false);
  });

  it("counts the primary group as a membership it already has", () => {
    assert.equal(plan({ groups: ["alice", "adm", "sudo"], append: false }, ALICE).changed, false);
  });

  it("plans a removal with state absent, naming the home when remove is set", () => {
    assert.deepEqual(plan({ state: "absent" }, ALICE), { changed: true, summary: "remove" });
    assert.deepEqual(plan({ state: "absent", remove: true }, ALICE), { changed: true, summary: "remove (and home /home/alice)" });
    assert.deepEqual(plan({ state: "absent" }, ABSENT), { changed: false, summary: "absent" });
  });
});

describe("user op: declaring", () => {
  it("rejects what useradd would reject, before touching a host", () => {
    const bad: [Parameters<typeof user>[1], RegExp][] = [
      [{ shell: "zsh" }, /shell must be an absolute path/],
      [{ home: "/home/a:b" }, /home must be an absolute path without ":"/],
      [{ comment: "a:b" }, /comment must not contain ":"/],
      [{ uid: -5 }, /bad uid -5/],
      [{ groups: ["ok", "no way"] }, /groups: bad name "no way"/],
      [{ group: "bad group" }, /group: bad name/],
      [{ remove: true }, /remove only applies with state "absent"/],
      [{ state: "gone" as "absent" }, /bad state "gone"/],
    ];
    for (const [o, re] of bad) assert.throws(() => declared(() => user("alice", o)), re);
    assert.throws(() => declared(() => user("0")), /bad name "0"/);
  });
});

describe("user op: apply fragment (run by sh over a fake account database)", () => {
  const PASSWD = "root:x:0:0:root:/root:/bin/bash\nalice:x:1501:1501:Alice Liddell:/home/alice:/bin/sh\n";
  const GROUP = "root:x:0:\nadm:x:4:alice\nsudo:x:27:alice\nusers:x:100:\nalice:x:1501:\ndocker:x:999:\n";
  const run = (name: string, o: Parameters<typeof user>[1], db = { passwd: PASSWD, group: GROUP }) => {
    const dir = tempDir("bosun-user-");
    const env = fakeAccounts(dir, db);
    const op = declared(() => user(name, o));
    const planned = planHere(op, env);
    const out = applyHere(op, env);
    return { plan: planned, status: out.status, output: out.output, log: readFileSync(`${dir}/log`, "utf8") };
  };

  it("creates an absent user with useradd, every attribute as an argument", () => {
    const r = run("bob", { uid: 1502, groups: ["sudo", "adm"], shell: "/bin/bash", comment: "Bob B", home: "/srv/bob" });
    assert.equal(r.plan.changed, true);
    assert.equal(r.status, "changed");
    assert.equal(r.log.split("\n")[0], "useradd -u 1502 -G sudo,adm -s /bin/bash -d /srv/bob -m -c Bob B bob");
  });

  it("makes the existing group named like the user its primary group when no group is given", () => {
    const r = run("carol", {}, { passwd: PASSWD, group: `${GROUP}carol:x:1600:\n` });
    assert.equal(r.log, "useradd -m -g carol carol\n");
    assert.equal(run("dave", { system: true }).log, "useradd -M -r dave\n");
  });

  it("runs nothing and reports ok when the account is as wanted", () => {
    const r = run("alice", { uid: 1501, group: "alice", groups: ["sudo"], shell: "/bin/sh", comment: "Alice Liddell" });
    assert.equal(r.plan.changed, false);
    assert.equal(r.status, "ok", r.output);
    assert.equal(r.log, "");
  });

  it("changes only the attributes that differ, with usermod", () => {
    const r = run("alice", { uid: 1501, shell: "/bin/zsh", comment: "Alice", group: "users" });
    assert.equal(r.status, "changed");
    assert.equal(r.log, "usermod -g users alice\nusermod -c Alice alice\nusermod -s /bin/zsh alice\n");
  });

  it("adds missing groups in one usermod -a -G, keeping the others", () => {
    const r = run("alice", { groups: ["sudo", "docker", "users"] });
    assert.deepEqual(r.plan, { changed: true, summary: "groups +docker +users" });
    assert.equal(r.log, "usermod -a -G docker,users alice\n");
  });

  it("with append false sets exactly the listed supplementary groups", () => {
    assert.equal(run("alice", { groups: ["docker", "sudo"], append: false }).log, "usermod -G docker,sudo alice\n");
    assert.equal(run("alice", { groups: [], append: false }).log, "usermod -G  alice\n");
    const same = run("alice", { groups: ["sudo", "adm", "alice"], append: false });
    assert.equal(same.status, "ok");
    assert.equal(same.log, "");
  });

  it("removes the user (and its home with remove) only when it exists", () => {
    assert.equal(run("alice", { state: "absent", remove: true }).log, "userdel -r alice\n");
    const r = run("nobody2", { state: "absent" });
    assert.equal(r.status, "ok");
    assert.equal(r.log, "");
  });
});
