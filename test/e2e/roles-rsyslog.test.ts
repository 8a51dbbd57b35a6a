import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { LabHost } from "./helpers.js";
import { applyOk, assertIdempotent, roleHosts, runSite, sh, writeInventory } from "./roles-lab.js";

const SITE = "test/e2e/sites/roles-rsyslog.ts";
let log: LabHost;
let a: LabHost;
let b: LabHost;
let inv: string;

/** Waits until the collector's file for the host holds text; returns the file. */
async function arrives(host: LabHost, text: string, tries = 60): Promise<string> {
  let content = "";
  for (let i = 0; i < tries && !content.includes(text); i++) {
    await new Promise((r) => setTimeout(r, 500));
    content = await sh(log.name, `cat /var/log/remote/${host.name}/probe.log 2>/dev/null || true`);
  }
  assert.ok(content.includes(text), `"${text}" reached the collector's file for ${host.name}:\n${content}`);
  return content;
}

before(async () => {
  const hosts = await roleHosts();
  [a, b, log] = hosts as [LabHost, LabHost, LabHost];
  inv = await writeInventory({ log: [log], clients: [a, b] });
  await sh(log.name, "rm -rf /var/log/remote");
});

describe("rsyslogServer and rsyslogClient roles", () => {
  it("converge, and a second apply changes nothing", async () => {
    await applyOk(SITE, inv);
    await assertIdempotent(SITE, inv);
  });

  it("logger -t probe on a client appears in the collector's per-host file for that client", async () => {
    const msg = `hello-${process.pid}-${Date.now()}`;
    await sh(a.name, `logger -t probe ${msg}`);
    assert.match(await arrives(a, msg), new RegExp(`${a.name} probe.*${msg}`));
    assert.equal((await sh(log.name, `stat -c '%a %G' /var/log/remote/${a.name}/probe.log`)).trim(), "640 adm");
  });

  it("the collector also receives over UDP: a datagram sent straight to it lands in the sender's file", async () => {
    const msg = `udp-${process.pid}-${Date.now()}`;
    // util-linux logger: -d sends one UDP datagram to -n:-P, bypassing the client's own (TCP) forwarding.
    await sh(b.name, `logger -d -n ${log.address} -P 514 -t probe ${msg}`);
    assert.match(await arrives(b, msg), new RegExp(`${b.name} probe.*${msg}`));
  });

  it("a client queues on disk while the collector is away, across its own restart, and delivers later", async () => {
    // syslog.socket would start the collector again at the next local message.
    await sh(log.name, "systemctl stop syslog.socket rsyslog");
    // The first message after the peer went away can die in the closed TCP socket: make the client notice.
    await sh(b.name, "logger -t probe wake-up; sleep 1; logger -t probe wake-up-again; sleep 1");
    const msg = `queued-${process.pid}-${Date.now()}`;
    await sh(b.name, `logger -t probe ${msg}; sleep 1; systemctl restart rsyslog`);
    assert.match(await sh(b.name, "ls /var/spool/rsyslog"), /bosun_fwd/, "the queue went to disk on shutdown");
    await sh(log.name, "systemctl start rsyslog");
    await arrives(b, msg);
  });

  it("rotates the collected files and keeps only retentionDays of them", async () => {
    for (let i = 1; i <= 4; i++) {
      const msg = `rotate-${i}-${process.pid}`;
      await sh(a.name, `logger -t probe ${msg}`);
      await arrives(a, msg);
      await sh(log.name, "logrotate -f /etc/logrotate.d/bosun-remote");
    }
    assert.deepEqual((await sh(log.name, `ls /var/log/remote/${a.name} | grep ^probe`)).trim().split("\n"), [
      "probe.log.1",
      "probe.log.2.gz",
    ]);
  });

  it("a forwarding config changed by hand shows in plan as a diff and apply repairs it", async () => {
    await sh(b.name, 'sed -i \'s/protocol="tcp"/protocol="udp"/\' /etc/rsyslog.d/90-bosun-forward.conf');
    const plan = await runSite("plan", SITE, inv);
    assert.deepEqual(plan.changed, [`${b.name}: file /etc/rsyslog.d/90-bosun-forward.conf`]);
    assert.match(plan.planned.find((e) => e.changed)?.diff ?? "", /^-action\(.*protocol="udp"/m);
    const repaired = await applyOk(SITE, inv);
    assert.equal(repaired.changed.length, 1, repaired.changed.join(", "));
  });
});
