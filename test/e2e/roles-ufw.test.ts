import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { type LabHost, lab, onHost } from "./helpers.js";
import { applyOk, assertIdempotent, roleHosts, runSite, sh, writeInventory } from "./roles-lab.js";

const SITE = "test/e2e/sites/roles-ufw.ts";
let fw: LabHost;
let friend: LabHost;
let stranger: LabHost;
let inv: string;
let knownHosts: string;
let keyFile: string;

/** Returns whether a TCP connection from the lab host to fw:port succeeds within 3 s. */
async function connects(from: LabHost, port: number): Promise<boolean> {
  const r = await onHost(from.name, `timeout 3 bash -c '</dev/tcp/${fw.address}/${port}' 2>/dev/null && echo open || echo closed`);
  return r.stdout.trim() === "open";
}

/** Opens a fresh SSH connection (no multiplexing) from this machine to fw as root. */
function freshSsh(): string {
  const r = spawnSync(
    "ssh",
    [
      "-o",
      "BatchMode=yes",
      "-o",
      "ControlPath=none",
      "-o",
      "ConnectTimeout=5",
      "-o",
      `UserKnownHostsFile=${knownHosts}`,
      "-i",
      keyFile,
      `root@${fw.address}`,
      "echo in",
    ],
    { encoding: "utf8", timeout: 15_000 },
  );
  return r.stdout.trim();
}
before(async () => {
  const hosts = await roleHosts();
  [friend, stranger, , fw] = hosts as [LabHost, LabHost, LabHost, LabHost];
  const layout = await lab();
  knownHosts = layout.knownHostsFile;
  keyFile = layout.keyFile;
  inv = await writeInventory({ fw: [fw], friend: [friend] });
  await sh(fw.name, "command -v ufw >/dev/null && ufw --force reset >/dev/null; true");
});

after(async () => {
  await onHost(fw.name, "ufw --force disable");
});

describe("ufw role", () => {
  it("converges with default deny incoming, and a second apply changes nothing", async () => {
    await applyOk(SITE, inv);
    await assertIdempotent(SITE, inv);
    assert.match(await sh(fw.name, "ufw status verbose"), /Status: active[\s\S]*Default: deny \(incoming\), allow \(outgoing\)/);
    assert.equal((await sh(fw.name, "ufw show added | sed -n 2p")).trim(), "ufw allow 22/tcp", "SSH is the first rule");
  });

  it("refuses a port not allowed, allows a port from its source only, and SSH still works", async () => {
    assert.equal(await connects(friend, 8081), false, "8081 is allowed from nowhere");
    assert.equal(await connects(friend, 8082), true, "8082 is allowed from the friend host");
    assert.equal(await connects(stranger, 8082), false, "8082 is refused from another host");
    assert.equal(freshSsh(), "in");
  });

  it("a rule added by hand shows in plan as a diff and apply removes it", async () => {
    await sh(fw.name, "ufw allow 8081/tcp >/dev/null");
    const plan = await runSite("plan", SITE, inv);
    const op = plan.planned.find((e) => e.op === "ufw firewall");
    assert.equal(op?.summary, "rules -1");
    assert.match(op?.diff ?? "", /^-ufw allow 8081\/tcp$/m);
    await applyOk(SITE, inv);
    assert.equal(await connects(friend, 8081), false);
  });

  it("rules that would lock the operator out: the firewall is disabled again, the host fails clearly, SSH works", async () => {
    const r = await runSite("apply", SITE, inv, ["-e", "lockout=1"]);
    assert.equal(r.code, 1);
    assert.match(r.failed.join("\n"), /refuses new SSH connections to port 22 from 198\.18\.0\.1; it was disabled again/);
    assert.match(await sh(fw.name, "ufw status"), /Status: inactive/);
    assert.equal(freshSsh(), "in");
    await applyOk(SITE, inv);
    assert.match(await sh(fw.name, "ufw status"), /Status: active/);
  });

  it("a lockout the ruleset check misses (wrong sshPort) is found by a fresh SSH connection and rolled back through the open one", async () => {
    const r = await runSite("apply", SITE, inv, ["-e", "wrong_ssh_port=1"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const failed = r.events.find((e) => e.type === "op_failed" && e.op === "ufw firewall");
    assert.match(
      String(failed?.error),
      new RegExp(
        `^${fw.name}: a new SSH connection failed after this change \\(.+\\); ufw was disabled again through the open connection$`,
      ),
    );
    const finished = r.events.find((e) => e.type === "host_finished" && (e as { host?: string }).host === fw.name);
    assert.equal((finished as { status?: string } | undefined)?.status, "failed");
    assert.match(await sh(fw.name, "ufw status"), /Status: inactive/);
    assert.equal(freshSsh(), "in", "the host stays reachable");
    // A good rule set passes the fresh-connection check.
    const good = await applyOk(SITE, inv);
    assert.ok(good.changed.includes(`${fw.name}: ufw firewall`), good.changed.join(", "));
    assert.match(await sh(fw.name, "ufw status"), /Status: active/);
    assert.equal(freshSsh(), "in");
  });
});
