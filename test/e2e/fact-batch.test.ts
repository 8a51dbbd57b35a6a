/**
 * Batched facts on real hosts: for nasty paths, units, packages, accounts and sysctl keys, what each
 * request parses from its batch kind's split equals what it parses from its own command.
 * Hosts: BOSUN_E2E_FACTBATCH_HOSTS (default web29,web30,db15).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import type { FactRequest } from "../../src/core/operation.js";
import { gatherRaw, parseRequests } from "../../src/engine/host.js";
import { pendingRequest } from "../../src/engine/pending-fact.js";
import { authorizedKeysFact } from "../../src/facts/authorized-keys.js";
import { packagesFact } from "../../src/facts/dpkg.js";
import { fileFact } from "../../src/facts/file.js";
import { groupFact } from "../../src/facts/group.js";
import { sysctlFact } from "../../src/facts/sysctl.js";
import { unitFact } from "../../src/facts/systemd.js";
import { userFact } from "../../src/facts/user.js";
import { TransportPool } from "../../src/transport/pool.js";
import { connectionFromVars } from "../../src/transport/spec.js";
import type { Transport } from "../../src/transport/types.js";
import { lab, onHost } from "./helpers.js";

const HOSTS = (process.env.BOSUN_E2E_FACTBATCH_HOSTS ?? "web29,web30,db15").split(",");
const D = "/tmp/bosun-factbatch";
const PENDING_KEY = "0fb0";

// Names with a space, quotes, a newline, a tab, UTF-8; links dangling, to a target with spaces and a newline.
const SETUP = `rm -rf ${D} && mkdir -p ${D}/dir && cd ${D} && printf 'hello\\n' > small && : > empty
head -c 300000 /dev/urandom > big && printf 'x' > "with space" && printf 'q' > "it's \\"quoted\\""
printf 'n' > "$(printf 'new\\nline')" && printf 't' > "$(printf 'tab\\tx')" && printf 'u' > "é ü"
ln -s "/no where/target x" dangling && ln -s "$(printf '/tmp/two\\nlines')" link-nl && ln -s small good && mkfifo fifo
chmod 4750 small && chown nobody:nogroup empty
id bosunfb >/dev/null 2>&1 || useradd -M -G sudo,adm bosunfb
id bosunfb2 >/dev/null 2>&1 || useradd -m bosunfb2; mkdir -p ~bosunfb2/.ssh && printf 'ssh-ed25519 AAAA x\\n' > ~bosunfb2/.ssh/authorized_keys
mkdir -p /var/tmp/bosun-pending-0 && printf 'reload nginx\\nrestart app' > /var/tmp/bosun-pending-0/${PENDING_KEY}`;

const PATHS = [
  "small",
  "empty",
  "big",
  "dir",
  "with space",
  `it's "quoted"`,
  "new\nline",
  "tab\tx",
  "é ü",
  "dangling",
  "link-nl",
  "good",
  "fifo",
  "absent",
  "dir/../small",
].map((p) => `${D}/${p}`);

function requests(): FactRequest[] {
  return [
    ...PATHS.map(fileFact),
    fileFact("/etc/passwd"),
    unitFact("ssh.service"),
    unitFact("no-such-unit-bosun.service"),
    unitFact("systemd-journald.service"),
    unitFact("dbus.socket"),
    packagesFact(["openssh-server", "no-such-package-bosun"]),
    packagesFact(["sudo", "libc6:amd64", "openssh-server"]),
    packagesFact(["dbus", "no-such-package-bosun"], true),
    packagesFact(["sudo"], true),
    userFact("root"),
    userFact("nobody"),
    userFact("no-such-user-bosun"),
    userFact("daemon"),
    userFact("bosunfb"),
    authorizedKeysFact("root"),
    authorizedKeysFact("bosunfb"),
    authorizedKeysFact("bosunfb2"),
    authorizedKeysFact("nobody"),
    authorizedKeysFact("no-such-user-bosun"),
    groupFact("root"),
    groupFact("sudo"),
    groupFact("adm"),
    groupFact("no-such-group-bosun"),
    sysctlFact("net.core.somaxconn"),
    sysctlFact("net.ipv4.tcp_rmem"),
    sysctlFact("kernel.hostname"),
    pendingRequest(PENDING_KEY),
    pendingRequest("0fb1"),
  ];
}

/** Returns the requests' values gathered batched, and each request's own command's value, with the execs each took. */
async function bothWays(t: Transport, reqs: FactRequest[]) {
  const before = t.execCount;
  const batched = parseRequests(await gatherRaw(t, reqs), reqs);
  const batchedExecs = t.execCount - before;
  const alone = reqs.map((r) => ({ ...r, batch: undefined }));
  const single = parseRequests(await gatherRaw(t, alone), alone);
  return { batched, single, batchedExecs };
}

describe("batched facts on real hosts", () => {
  let pool: TransportPool;
  const transports = new Map<string, Transport>();

  before(async () => {
    const layout = await lab();
    const doc = parse(readFileSync(layout.inventoryFile, "utf8"));
    pool = await TransportPool.create();
    for (const g of Object.values(doc.all.children as Record<string, { hosts?: Record<string, { bosun_host: string }> }>)) {
      for (const [name, v] of Object.entries(g.hosts ?? {})) {
        if (!HOSTS.includes(name)) continue;
        const spec = connectionFromVars(name, {
          bosun_host: v.bosun_host,
          bosun_user: "root",
          bosun_ssh_key: layout.keyFile,
          bosun_known_hosts: layout.knownHostsFile,
        });
        transports.set(name, pool.get(spec));
      }
    }
    assert.equal(transports.size, HOSTS.length, `lab hosts ${HOSTS.join(",")} not all in the lab inventory`);
    for (const h of HOSTS) {
      const r = await onHost(h, SETUP);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  after(async () => {
    for (const h of HOSTS) await onHost(h, `rm -rf ${D} /var/tmp/bosun-pending-0/${PENDING_KEY}; userdel bosunfb; userdel -r bosunfb2`);
    await pool.closeAll();
  });

  for (const host of HOSTS) {
    it(`${host}: every request parses the same from its batch as from its own command, in one exec`, async () => {
      const reqs = requests();
      const { batched, single, batchedExecs } = await bothWays(transports.get(host) as Transport, reqs);
      for (const r of reqs) assert.deepEqual(batched.get(r.key), single.get(r.key), r.key);
      assert.equal(batchedExecs, 1, "no request needed gathering again");
      // The facts are what the host holds, not merely equal: spot-check a few.
      const f = (p: string) => batched.get(`file:${D}/${p}`) as { type: string; target?: string; mode?: string; owner?: string };
      assert.equal(f("new\nline").type, "file");
      assert.equal(f("dangling").target, "/no where/target x");
      assert.equal(f("small").mode, "4750");
      assert.equal(f("empty").owner, "nobody");
      assert.equal(f("fifo").type, "other");
      assert.equal(f("absent").type, "absent");
      assert.equal((batched.get("unit:no-such-unit-bosun.service") as { load: string }).load, "not-found");
      assert.deepEqual(batched.get(`pending-handlers:${PENDING_KEY}`), ["reload nginx", "restart app"]);
      assert.equal((batched.get("authorized_keys:bosunfb2") as { file: { content: string } }).file.content, "ssh-ed25519 AAAA x\n");
      assert.match((batched.get("authorized_keys:root") as { file: { content: string } }).file.content, /^ssh-/);
      assert.deepEqual(batched.get("user:bosunfb"), {
        ...(batched.get("user:bosunfb") as object),
        group: "bosunfb",
        groups: ["bosunfb", "adm", "sudo"],
      });
    });
  }

  it("gathers again by its own command what a batch could not prove: a file whose size stat does not tell, an unknown sysctl key", async () => {
    const t = transports.get(HOSTS[0] as string) as Transport;
    // /proc files stat as empty yet read as text: the cut by sizes fails its hashes, so the small files are gathered alone.
    const reqs = [
      fileFact("/proc/version"),
      fileFact(`${D}/small`),
      fileFact(`${D}/big`),
      sysctlFact("net.core.somaxconn"),
      sysctlFact("no.such.key"),
    ];
    const { batched, single, batchedExecs } = await bothWays(t, reqs);
    for (const r of reqs) assert.deepEqual(batched.get(r.key), single.get(r.key), r.key);
    assert.equal(batchedExecs, 2);
    assert.match(String((batched.get("file:/proc/version") as { content: Buffer }).content), /^Linux version/);
    assert.deepEqual(batched.get("sysctl:no.such.key"), { exists: false });
  });
});
