import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import { stringify } from "yaml";
import { TransportPool } from "../../src/transport/pool.js";
import { connectionFromVars } from "../../src/transport/spec.js";
import { bosun, LAB, type LabHost, lab, labHosts, onHost, SUITE_HOSTS, tempDir } from "./helpers.js";

let hosts: LabHost[];
let layout: Awaited<ReturnType<typeof lab>>;

before(async () => {
  layout = await lab();
  hosts = await labHosts();
  assert.ok(hosts.length >= 3, "the e2e suite needs a lab of at least 3 hosts (bosun lab up 3)");
});

/** Returns the connection spec of a lab host as root with the lab's key and known_hosts. */
function labSpec(h: LabHost) {
  return connectionFromVars(h.name, {
    bosun_host: h.address,
    bosun_user: "root",
    bosun_ssh_key: layout.keyFile,
    bosun_known_hosts: layout.knownHostsFile,
  });
}

/** Writes an inventory of the lab hosts with different connection settings; returns its path. */
function inventoryWith(opts: {
  knownHosts?: string;
  extraHosts?: Record<string, Record<string, unknown>>;
  user?: string;
  vars?: Record<string, unknown>;
}): string {
  const dir = tempDir();
  const file = path.join(dir, "inventory.yml");
  const hostEntries = Object.fromEntries(hosts.slice(0, 3).map((h) => [h.name, { bosun_host: h.address }]));
  const doc = {
    all: {
      vars: {
        bosun_user: opts.user ?? "root",
        bosun_ssh_key: layout.keyFile,
        bosun_known_hosts: opts.knownHosts ?? layout.knownHostsFile,
        ...opts.vars,
      },
      children: { lab: { hosts: hostEntries }, ...(opts.extraHosts ? { extra: { hosts: opts.extraHosts } } : {}) },
    },
  };
  writeFileSync(file, stringify(doc));
  return file;
}

describe("bosun exec and facts on the lab", () => {
  it("exec runs the command on every host in parallel and groups output per host", async () => {
    const r = await bosun(["exec", "all", ...LAB, "--", "echo from-$(hostname)"]);
    assert.equal(r.code, 0, r.stderr);
    for (const h of hosts) assert.match(r.stdout, new RegExp(`from-${h.name}\\b`));
    assert.match(r.stdout, new RegExp(`${hosts.length} hosts: ${hosts.length} ok, 0 failed, 0 unreachable`));
  });

  it("exec exits 1 and marks the host failed when the command fails on one host", async () => {
    const r = await bosun(["exec", "all", ...LAB, "--json", "--", `[ "$(hostname)" != ${hosts[0]!.name} ]`]);
    assert.equal(r.code, 1);
    const res = JSON.parse(r.stdout);
    assert.equal(res[hosts[0]!.name].status, "failed");
    assert.equal(res[hosts[0]!.name].rc, 1);
    assert.equal(res[hosts[1]!.name].status, "ok");
  });

  it("exec honours a group pattern with exclusion", async () => {
    const r = await bosun(["exec", "all:!db", ...LAB, "--json", "--", "hostname"]);
    assert.equal(r.code, 0, r.stderr);
    const names = Object.keys(JSON.parse(r.stdout));
    assert.deepEqual(
      names,
      hosts.filter((h) => !h.name.startsWith("db")).map((h) => h.name),
    );
  });

  it("facts --json reports distribution, kernel, CPUs, memory, addresses and init system of each host", async () => {
    const r = await bosun(["facts", "all", ...LAB, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const facts = JSON.parse(r.stdout);
    const kernel = execFileSync("uname", ["-r"]).toString().trim();
    for (const h of hosts) {
      const f = facts[h.name].facts;
      assert.equal(f.distribution.id, "debian");
      assert.equal(f.distribution.version, "12");
      assert.equal(f.kernel, kernel, "containers share the machine's kernel");
      assert.equal(f.hostname, h.name);
      assert.equal(f.initSystem, "systemd");
      assert.equal(f.packageManager, "apt-get");
      assert.ok(f.cpus >= 1);
      assert.ok(f.memory.totalMiB > 0);
      assert.deepEqual(
        f.addresses.filter((a: { family: string }) => a.family === "inet").map((a: { address: string }) => a.address),
        [h.address],
      );
    }
  });
});

describe("SSH transport against real sshd", () => {
  it("refuses a host whose key is not in known_hosts, and records nothing", async () => {
    const dir = tempDir();
    const kh = path.join(dir, "known_hosts");
    writeFileSync(kh, "");
    const r = await bosun(["exec", hosts[0]!.name, "-i", inventoryWith({ knownHosts: kh }), "--", "true"]);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stdout, /UNREACHABLE/);
    assert.match(r.stdout, /host key unknown/);
    assert.equal(readFileSync(kh, "utf8"), "");
  });

  it("accepts and records an unknown host key only with --accept-new-host-keys", async () => {
    const dir = tempDir();
    const kh = path.join(dir, "known_hosts");
    writeFileSync(kh, "");
    const r = await bosun(["exec", hosts[0]!.name, "-i", inventoryWith({ knownHosts: kh }), "--accept-new-host-keys", "--", "true"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // ssh may hash the entry (HashKnownHosts): ask ssh-keygen to find it.
    const found = execFileSync("ssh-keygen", ["-F", hosts[0]!.address, "-f", kh]).toString();
    assert.match(found, / ssh-ed25519 /);
  });

  it("refuses a host whose key changed, even with --accept-new-host-keys", async () => {
    const dir = tempDir();
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "other")]);
    const otherKey = readFileSync(path.join(dir, "other.pub"), "utf8").split(" ").slice(0, 2).join(" ");
    const kh = path.join(dir, "known_hosts");
    writeFileSync(kh, `${hosts[0]!.address} ${otherKey}\n`);
    const r = await bosun(["exec", hosts[0]!.name, "-i", inventoryWith({ knownHosts: kh }), "--accept-new-host-keys", "--", "true"]);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stdout, /host key CHANGED/);
  });

  it("reports an unreachable host as unreachable (after retries) while the others succeed", async () => {
    const inv = inventoryWith({ extraHosts: { ghost: { bosun_host: "127.0.0.1", bosun_port: 1 } } });
    const r = await bosun(["exec", "all", "-i", inv, "--json", "--", "hostname"], { env: { BOSUN_LOG: "ssh=debug" } });
    assert.equal(r.code, 4, r.stderr);
    const res = JSON.parse(r.stdout);
    assert.equal(res.ghost.status, "unreachable");
    assert.match(res.ghost.error, /Connection refused/);
    for (const h of hosts.slice(0, 3)) assert.equal(res[h.name].status, "ok");
    const retries = r.stderr.split("\n").filter((l) => l.includes("retrying") && l.includes("host=ghost"));
    assert.equal(retries.length, 4, "5 tries in all: 4 retries with backoff");
  });

  it("reaches a host through a bastion (bosun_ssh_jump) with the bastion's key verified too", async () => {
    const [bastion, target] = [hosts[0]!, hosts[1]!];
    const inv = path.join(tempDir(), "inventory.yml");
    const entry = { bosun_host: target.address, bosun_ssh_jump: `root@${bastion.address}` };
    const common = { bosun_user: "root", bosun_ssh_key: layout.keyFile };
    writeFileSync(
      inv,
      stringify({ all: { vars: { ...common, bosun_known_hosts: layout.knownHostsFile }, hosts: { [target.name]: entry } } }),
    );
    const r = await bosun(["exec", target.name, "-i", inv, "--json", "--", "hostname; echo $SSH_CONNECTION"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const [name, conn] = JSON.parse(r.stdout)[target.name].stdout.trim().split("\n");
    assert.equal(name, target.name);
    assert.equal(conn.split(" ")[0], bastion.address, "the connection came from the bastion");
    // A known_hosts that knows the target but not the bastion: refused.
    const kh = path.join(tempDir(), "known_hosts");
    writeFileSync(
      kh,
      execFileSync("ssh-keygen", ["-F", target.address, "-f", layout.knownHostsFile])
        .toString()
        .split("\n")
        .filter((l) => l && !l.startsWith("#"))
        .join("\n") + "\n",
    );
    writeFileSync(inv, stringify({ all: { vars: { ...common, bosun_known_hosts: kh }, hosts: { [target.name]: entry } } }));
    const refused = await bosun(["exec", target.name, "-i", inv, "--", "true"]);
    assert.equal(refused.code, 4, refused.stdout + refused.stderr);
  });

  it("reuses one connection per host for every exec (multiplexing)", async () => {
    const pool = await TransportPool.create();
    try {
      const spec = labSpec(hosts[0]!);
      const t = pool.get(spec);
      const a = await t.exec("echo $SSH_CONNECTION");
      const b = await t.exec("echo $SSH_CONNECTION");
      assert.equal(a.code, 0);
      assert.equal(a.stdout, b.stdout, "same client port: the same TCP connection");
      assert.equal(t.execCount, 2);
    } finally {
      await pool.closeAll();
    }
  });

  it("streams stdin to the command, separates stdout from stderr, and caps captured output", async () => {
    const pool = await TransportPool.create();
    try {
      const spec = labSpec(hosts[1]!);
      const t = pool.get(spec);
      const content = "line one\n'quoted' $HOME `x`\n";
      const r = await t.exec("cat; echo to-err >&2; exit 7", { stdin: content });
      assert.equal(r.code, 7);
      assert.equal(r.stdout, content);
      assert.equal(r.stderr, "to-err\n");
      const big = await t.exec("head -c 100000 /dev/zero | tr '\\0' x", { maxOutput: 1000 });
      assert.equal(big.truncated, true);
      assert.equal(big.stdout.length, 1000);
    } finally {
      await pool.closeAll();
    }
  });

  it("becomes root through sudo with a password, and keeps the password out of the command's stdin", async () => {
    const inv = inventoryWith({ user: "bosun", vars: { bosun_become_password: "bosun" } });
    const r = await bosun(["exec", hosts[0]!.name, "-i", inv, "-b", "--json", "--", "id -u; cat"], { env: {} });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const res = JSON.parse(r.stdout)[hosts[0]!.name];
    assert.equal(res.stdout, "0\n", "root, and cat saw no password on stdin");
    const plain = await bosun(["exec", hosts[0]!.name, "-i", inv, "--json", "--", "id -u"]);
    assert.notEqual(JSON.parse(plain.stdout)[hosts[0]!.name].stdout, "0\n");
  });

  it("fails clearly when the become password is wrong", async () => {
    const inv = inventoryWith({ user: "bosun", vars: { bosun_become_password: "wrong" } });
    const r = await bosun(["exec", hosts[0]!.name, "-i", inv, "-b", "--json", "--", "id -u"]);
    assert.equal(r.code, 1);
    const res = JSON.parse(r.stdout)[hosts[0]!.name];
    assert.equal(res.status, "failed");
    assert.match(res.error, /sudo rejected the become password/);
    assert.doesNotMatch(r.stdout + r.stderr, /wrong/);
  });
});

describe("bad input touches no host", () => {
  it("a YAML inventory with a syntax error is reported with file and line, and no command runs", async () => {
    const marker = `/tmp/bosun-e2e-marker-${process.pid}`;
    const dir = tempDir();
    const file = path.join(dir, "bad.yml");
    writeFileSync(file, `all:\n  hosts:\n    ${hosts[0]!.name}:\n      bosun_host: ${hosts[0]!.address}\n  vars: [unclosed\n`);
    const r = await bosun(["exec", "all", "-i", file, "--", `touch ${marker}`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`${file.replaceAll(".", "\\.")}:\\d+`));
    const check = await onHost(hosts[0]!.name, `test -e ${marker} && echo present || echo absent`);
    assert.equal(check.stdout.trim(), "absent");
  });

  it("an INI inventory naming an unknown child group is reported with its line", async () => {
    const dir = tempDir();
    const file = path.join(dir, "hosts");
    writeFileSync(file, `[web]\n${hosts[0]!.name} bosun_host=${hosts[0]!.address}\n\n[prod:children]\nweb\nmissing\n`);
    const r = await bosun(["exec", "all", "-i", file, "--", "true"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`${file}:6: .*names group "missing", which has no section of its own`));
  });

  it("a pattern naming no host or group is an error, not an empty run", async () => {
    const r = await bosun(["exec", "nosuchhost", ...LAB, "--", "true"]);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /"nosuchhost" matches no host and no group/);
  });
});

describe("bosun lab", () => {
  it("lab up is idempotent: running hosts keep their PIDs", async () => {
    const before = JSON.parse((await bosun(["lab", "status", "--json"])).stdout);
    const r = await bosun(["lab", "up", String(before.length)]);
    assert.equal(r.code, 0, r.stderr);
    const after = JSON.parse((await bosun(["lab", "status", "--json"])).stdout);
    const suite = (list: { name: string; pid: number }[]) => list.filter((h) => SUITE_HOSTS.includes(h.name)).map((h) => [h.name, h.pid]);
    assert.deepEqual(suite(after), suite(before));
    assert.equal(after.length, before.length);
    // Only this suite's hosts: other groups run at the same time and may be resetting theirs.
    const down = after.filter((h: { name: string; ssh: boolean }) => SUITE_HOSTS.includes(h.name) && !h.ssh);
    assert.deepEqual(down, []);
  });

  it("lab hosts have no route off the bridge and a resolver that fails fast", async () => {
    const r = await onHost(
      hosts[0]!.name,
      "ip route; cat /etc/resolv.conf; cat /etc/apt/sources.list.d/*.list; ls /etc/apt/sources.list 2>&1",
    );
    assert.doesNotMatch(r.stdout, /^default/m);
    assert.match(r.stdout, /nameserver 127\.0\.0\.1/);
    assert.match(r.stdout, new RegExp(`deb \\[trusted=yes\\] http://${layout.bridgeAddress}:${layout.mirrorPort} \\./`));
    assert.match(r.stdout, /No such file/);
  });

  it("apt-get installs a real package from the local mirror inside a host", async () => {
    const r = await onHost(
      hosts[2]!.name,
      "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null 2>&1; curl --version | head -1",
    );
    assert.match(r.stdout, /^curl \d/);
  });

  it("each host has its own SSH host key", async () => {
    const lines = readFileSync(layout.knownHostsFile, "utf8")
      .split("\n")
      .filter((l) => l.includes(" ssh-ed25519 "));
    const keys = new Set(lines.map((l) => l.split(" ")[2]));
    assert.equal(keys.size, lines.length);
    assert.ok(lines.length >= 3);
  });
});
