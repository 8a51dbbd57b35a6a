import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import { bosun, type LabHost, lab, tempDir } from "./helpers.js";
import { applyOk, assertIdempotent, roleHosts, runSite, sh, writeInventory } from "./roles-lab.js";

const SITE = "test/e2e/sites/roles-common.ts";
let base: LabHost;
let relay: LabHost;
let inv: string;
let aliceKey: string;
let knownHosts: string;

/** Returns a fresh ed25519 key pair's private key path (public key beside it as .pub). */
function keyPair(dir: string, name: string): string {
  const file = path.join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${name}@e2e`, "-f", file]);
  return file;
}

/** Runs ssh as user to the host with these options (a fresh connection, no multiplexing). */
function ssh(user: string, host: LabHost, opts: string[]) {
  return spawnSync(
    "ssh",
    [
      "-o",
      "BatchMode=yes",
      "-o",
      "ControlPath=none",
      "-o",
      `UserKnownHostsFile=${knownHosts}`,
      "-o",
      "StrictHostKeyChecking=yes",
      ...opts,
      `${user}@${host.address}`,
      "id -un; sudo -n true && echo sudo-ok",
    ],
    { encoding: "utf8", timeout: 20_000 },
  );
}

before(async () => {
  [base, , relay] = (await roleHosts()) as [LabHost, LabHost, LabHost];
  const r = await bosun(["lab", "reset", base.name, relay.name]);
  assert.equal(r.code, 0, r.stderr);
  knownHosts = (await lab()).knownHostsFile;
  const dir = tempDir();
  aliceKey = keyPair(dir, "alice");
  const bobKey = keyPair(dir, "bob");
  inv = await writeInventory(
    { base: [base], relay: [relay] },
    { alice_key: readFileSync(`${aliceKey}.pub`, "utf8").trim(), bob_key: readFileSync(`${bobKey}.pub`, "utf8").trim() },
  );
});

describe("common role", () => {
  it("converges a fresh host, and a second apply changes nothing", async () => {
    await applyOk(SITE, inv);
    await assertIdempotent(SITE, inv);
    assert.equal(
      (await sh(base.name, "readlink /etc/localtime; cat /etc/hostname; stat -c '%a %U' /srv/data /srv/key")).trim(),
      `/usr/share/zoneinfo/Europe/Paris\n${base.name}\n755 root\n700 root`,
    );
  });

  it("a user logs in over SSH with its key, has sudo, and cannot log in with a password", async () => {
    const withKey = ssh("alice", base, ["-i", aliceKey, "-o", "IdentitiesOnly=yes"]);
    assert.equal(withKey.stdout, "alice\nsudo-ok\n", withKey.stderr);
    await sh(base.name, "echo 'alice:Pa55word-e2e' | chpasswd");
    const withPassword = ssh("alice", base, [
      "-o",
      "PubkeyAuthentication=no",
      "-o",
      "PreferredAuthentications=password,keyboard-interactive",
    ]);
    assert.notEqual(withPassword.status, 0);
    // sshd offers only publickey: a password is never even asked for.
    assert.match(withPassword.stderr, /Permission denied \(publickey\)/);
    assert.equal((await sh(base.name, "getent passwd alice | cut -d: -f7")).trim(), "/usr/bin/zsh");
  });

  it("exclusive keys: a key added by hand shows in plan and apply removes it", async () => {
    const stray = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC1FG+UvoGwFqzayjTceRhQ/QIWutTv8XBmmcZ0cGomv stray@laptop";
    await sh(base.name, `echo '${stray}' >> ~bob/.ssh/authorized_keys`);
    const plan = await runSite("plan", SITE, inv);
    assert.deepEqual(plan.changed, [`${base.name}: authorized_keys bob`]);
    await applyOk(SITE, inv);
    assert.doesNotMatch(await sh(base.name, "cat ~bob/.ssh/authorized_keys"), /stray@laptop/);
  });

  it("an sshd setting changed by hand is shown by plan as a diff and repaired by apply", async () => {
    await sh(base.name, "echo 'PasswordAuthentication yes' >> /etc/ssh/sshd_config.d/10-bosun.conf");
    const plan = await runSite("plan", SITE, inv);
    const op = plan.planned.find((e) => e.op === "file /etc/ssh/sshd_config.d/10-bosun.conf");
    assert.match(op?.diff ?? "", /^-PasswordAuthentication yes$/m);
    const r = await applyOk(SITE, inv);
    assert.deepEqual(r.changed, [`${base.name}: file /etc/ssh/sshd_config.d/10-bosun.conf`]);
  });

  it("an sshd config that `sshd -t` rejects fails the host naming the file and leaves the working one", async () => {
    const before = await sh(base.name, "sha256sum /etc/ssh/sshd_config.d/10-bosun.conf");
    const r = await runSite("apply", SITE, inv, ["-e", "bad_sshd=1"]);
    assert.equal(r.code, 1);
    assert.match(r.failed.join("\n"), /10-bosun\.conf: `\/usr\/sbin\/sshd -t` rejected the new content;[\s\S]*NoSuchKeyword/);
    assert.equal(await sh(base.name, "sha256sum /etc/ssh/sshd_config.d/10-bosun.conf"), before);
    assert.equal(ssh("alice", base, ["-i", aliceKey, "-o", "IdentitiesOnly=yes"]).stdout, "alice\nsudo-ok\n");
  });

  it("a message sent with sendmail on the host reaches the relay host's postfix", async () => {
    const subject = `probe-${process.pid}-${Date.now()}`;
    await sh(base.name, `printf 'Subject: ${subject}\\n\\nhello from ${base.name}\\n' | /usr/sbin/sendmail probe@relay.lab`);
    let mailbox = "";
    for (let i = 0; i < 40 && !mailbox.includes(subject); i++) {
      await new Promise((r) => setTimeout(r, 500));
      mailbox = await sh(relay.name, "cat /var/mail/probe 2>/dev/null || true");
    }
    assert.match(mailbox, new RegExp(`Subject: ${subject}`));
    assert.match(mailbox, new RegExp(`Received: from ${base.name}`));
  });
});
