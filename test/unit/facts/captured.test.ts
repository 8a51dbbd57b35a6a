/**
 * Each fact's parser on output captured from a lab host (Debian 12, test/fixtures/facts/<fact>.txt,
 * captured by running the fact's own command there), like pyinfra's JSON fact cases.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { authorizedKeysFact } from "../../../src/facts/authorized-keys.js";
import { packagesFact } from "../../../src/facts/dpkg.js";
import { fileFact } from "../../../src/facts/file.js";
import { groupFact } from "../../../src/facts/group.js";
import { sysctlFact } from "../../../src/facts/sysctl.js";
import { unitFact } from "../../../src/facts/systemd.js";
import { userFact } from "../../../src/facts/user.js";

const captured = (name: string) => readFileSync(path.join(import.meta.dirname, "../../fixtures/facts", `${name}.txt`), "utf8");

describe("fact parsers on output captured from Debian 12", () => {
  it("user: an existing account with its groups, and a missing one", () => {
    assert.deepEqual(userFact("root").parse(captured("user-root"), 0), {
      exists: true,
      uid: 0,
      gid: 0,
      comment: "root",
      home: "/root",
      shell: "/bin/bash",
      group: "root",
      groups: ["root"],
    });
    assert.deepEqual(userFact("nosuchuser").parse(captured("user-missing"), 0), { exists: false });
  });

  it("group: gid and members", () => {
    assert.deepEqual(groupFact("sudo").parse(captured("group-sudo"), 0), { exists: true, gid: 27, members: [] });
  });

  it("systemd: a running enabled unit, and a unit that does not exist", () => {
    assert.deepEqual(unitFact("ssh").parse(captured("systemd-ssh"), 0), {
      load: "loaded",
      active: "active",
      sub: "running",
      unitFile: "enabled",
      needDaemonReload: false,
    });
    assert.equal(unitFact("nosuch").parse(captured("systemd-missing"), 0).load, "not-found");
  });

  it("dpkg: an installed package with its candidate, and one not installed", () => {
    assert.deepEqual(packagesFact(["openssh-server", "nginx"], true).parse(captured("dpkg-openssh"), 0), {
      "openssh-server": { installed: true, version: "1:9.2p1-2+deb12u10", candidate: "1:9.2p1-2+deb12u10" },
      nginx: { installed: false },
    });
  });

  it("sysctl: a key's value", () => {
    assert.deepEqual(sysctlFact("net.ipv4.ip_forward").parse(captured("sysctl-ip-forward"), 0), { exists: true, value: "0" });
  });

  it("file: a directory with its attributes, and an absent file", () => {
    const dir = fileFact("/etc/ssh").parse(captured("file-etc-ssh"), 0);
    assert.deepEqual([dir.type, dir.mode, dir.owner, dir.group, dir.content], ["directory", "0755", "root", "root", undefined]);
    assert.equal(fileFact("/etc/hostname").parse(captured("file-etc-hostname"), 0).type, "absent");
  });

  it("authorized keys: the user, the .ssh dir and the keys file with its keys", () => {
    const f = authorizedKeysFact("root").parse(captured("authorized-keys-root"), 0);
    assert.equal(f.user.exists, true);
    assert.deepEqual(f.dir, { mode: "0700", owner: "root", group: "root" });
    assert.equal(f.file?.mode, "0600");
    assert.match(f.file?.content ?? "", /^ssh-ed25519 AAAA/);
  });
});
