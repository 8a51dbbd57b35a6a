import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { stringify } from "yaml";
import { TransportPool } from "../../src/transport/pool.js";
import { connectionFromVars } from "../../src/transport/spec.js";
import { run } from "../../src/util/proc.js";
import { bosun, lab, onHost, tempDir } from "./helpers.js";

// The ssh2 transport's own promises, on real sshd. Hosts: BOSUN_E2E_SSH2_HOSTS (three lab hosts).
// It tests ssh2 itself: a run-wide BOSUN_TRANSPORT (npm test runs the suite once per transport) must not override that.
delete process.env.BOSUN_TRANSPORT;
const HOSTS = (process.env.BOSUN_E2E_SSH2_HOSTS ?? "web22,db11,web23").split(",");
const [A, B, C] = HOSTS as [string, string, string];
let layout: Awaited<ReturnType<typeof lab>>;
const addr: Record<string, string> = {};
const pools: TransportPool[] = [];

before(async () => {
  layout = await lab();
  const inv = readFileSync(layout.inventoryFile, "utf8");
  for (const h of HOSTS) addr[h] = new RegExp(`\\n\\s+${h}:\\n\\s+bosun_host: (\\S+)`).exec(inv)?.[1] ?? "";
  assert.ok(
    HOSTS.every((h) => addr[h]),
    `lab hosts ${HOSTS.join(",")} are in ${layout.inventoryFile}`,
  );
});
after(async () => {
  for (const p of pools) await p.closeAll();
});

async function pool(opts: { acceptNewHostKeys?: boolean; signal?: AbortSignal } = {}): Promise<TransportPool> {
  const p = await TransportPool.create({ transport: "ssh2", connectTimeoutS: 5, retries: 1, ...opts });
  pools.push(p);
  return p;
}
const spec = (h: string, vars: Record<string, unknown> = {}) =>
  connectionFromVars(h, {
    bosun_host: addr[h],
    bosun_user: "root",
    bosun_ssh_key: layout.keyFile,
    bosun_known_hosts: layout.knownHostsFile,
    ...vars,
  });
const labKeyLine = (h: string) =>
  readFileSync(layout.knownHostsFile, "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${addr[h]} `)) ?? "";

describe("ssh2 transport: host keys", () => {
  it("refuses an unknown host key, accepts and records it with accept-new, refuses a changed one", async () => {
    const kh = path.join(tempDir(), "known_hosts");
    writeFileSync(kh, "");
    await assert.rejects((await pool()).get(spec(A, { bosun_known_hosts: kh })).exec("true"), /host key unknown/);
    assert.equal(readFileSync(kh, "utf8"), "", "nothing recorded without accept-new");
    const r = await (await pool({ acceptNewHostKeys: true })).get(spec(A, { bosun_known_hosts: kh })).exec("echo ok");
    assert.equal(r.stdout, "ok\n");
    const found = await run("ssh-keygen", ["-F", addr[A] as string, "-f", kh], { check: false });
    assert.equal(found.code, 0, "OpenSSH finds the recorded key");
    // B's key under A's address: a changed key, refused even with accept-new.
    const wrong = path.join(tempDir(), "known_hosts");
    writeFileSync(wrong, `${addr[A]} ${labKeyLine(B).split(" ").slice(1).join(" ")}\n`);
    const p = await pool({ acceptNewHostKeys: true });
    await assert.rejects(p.get(spec(A, { bosun_known_hosts: wrong })).exec("true"), /host key CHANGED/);
  });
});

describe("ssh2 transport: jump hosts and auth", () => {
  it("reaches a host through a ProxyJump chain, verifying the jump host's key", async () => {
    const r = await (await pool()).get(spec(C, { bosun_ssh_jump: `root@${addr[A]}` })).exec("echo $SSH_CLIENT");
    assert.equal(r.stdout.split(" ")[0], addr[A], "the target saw the connection come from the jump host");
    const kh = path.join(tempDir(), "known_hosts");
    writeFileSync(kh, `${labKeyLine(C)}\n`);
    await assert.rejects(
      (await pool()).get(spec(C, { bosun_ssh_jump: `root@${addr[A]}`, bosun_known_hosts: kh })).exec("true"),
      new RegExp(`host key unknown.*${addr[A]?.replace(/\./g, "\\.")}`),
    );
  });

  it("authenticates with ssh-agent when no identity file is given", async () => {
    const sock = path.join(tempDir(), "agent.sock");
    const agent = spawn("ssh-agent", ["-D", "-a", sock], { stdio: "ignore" });
    const saved = process.env.SSH_AUTH_SOCK;
    try {
      for (let i = 0; i < 50 && (await run("test", ["-S", sock], { check: false })).code !== 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      await run("ssh-add", [layout.keyFile], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
      process.env.SSH_AUTH_SOCK = sock;
      const r = await (await pool()).get(spec(B, { bosun_ssh_key: undefined })).exec("echo agent");
      assert.equal(r.stdout, "agent\n");
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
      if (agent.pid) process.kill(agent.pid, "SIGTERM");
    }
  });

  it("says an encrypted identity file was skipped when there is no terminal for its passphrase", async () => {
    const key = path.join(tempDir(), "id_enc");
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "secret-pass", "-f", key]);
    const saved = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    try {
      await assert.rejects(
        (await pool()).get(spec(B, { bosun_ssh_key: key })).exec("true"),
        (e: Error) => /authentication failed/.test(e.message) && e.message.includes(`key ${key} is encrypted and there is no terminal`),
      );
    } finally {
      if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
    }
  });
});

describe("ssh2 transport: execs", () => {
  it("becomes root with a sudo password, and reports a wrong one", async () => {
    const setup = await onHost(
      B,
      "id bosunpw >/dev/null 2>&1 || useradd -m -s /bin/sh bosunpw; echo 'bosunpw:pw-e2e-1' | chpasswd; " +
        "echo 'bosunpw ALL=(ALL) ALL' > /etc/sudoers.d/bosunpw; mkdir -p ~bosunpw/.ssh; cp /root/.ssh/authorized_keys ~bosunpw/.ssh/; chown -R bosunpw ~bosunpw/.ssh",
    );
    assert.equal(setup.code, 0, setup.stderr);
    const p = await pool();
    const ok = await p
      .get(spec(B, { bosun_user: "bosunpw", bosun_become: true, bosun_become_password: "pw-e2e-1" }))
      .exec("id -u; cat", { stdin: "in\n" });
    assert.equal(ok.stdout, "0\nin\n", ok.stderr);
    assert.doesNotMatch(ok.stderr, /pw-e2e-1/);
    const bad = (await pool()).get(spec(B, { bosun_user: "bosunpw", bosun_become: true, bosun_become_password: "wrong" }));
    await assert.rejects(bad.exec("id -u"), /sudo rejected the become password/);
  });

  it("streams 20 MiB of stdin, caps output, returns exit codes (128+n for a signal)", async () => {
    const t = (await pool()).get(spec(A));
    const data = randomBytes(20 * 1024 * 1024);
    const sum = await t.exec("sha256sum", { stdin: data });
    assert.equal(sum.stdout.split(" ")[0], createHash("sha256").update(data).digest("hex"));
    const capped = await t.exec("head -c 3000000 /dev/zero; echo err >&2", { maxOutput: 1024 * 1024 });
    assert.equal(capped.truncated, true);
    assert.equal(capped.stdout.length, 1024 * 1024);
    assert.equal(capped.stderr, "err\n");
    assert.equal((await t.exec("exit 7")).code, 7);
    assert.equal((await t.exec("kill -TERM $$")).code, 143);
  });

  it("cuts an exec at its timeout and on abort, and the connection stays usable", async () => {
    const t = (await pool()).get(spec(A));
    const t0 = Date.now();
    await assert.rejects(t.exec("sleep 30", { timeoutMs: 1500 }), /no answer within 2 s/);
    assert.ok(Date.now() - t0 < 5000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 500);
    await assert.rejects(t.exec("sleep 30", { signal: ac.signal }), /connection cut/);
    assert.equal((await t.exec("echo still")).stdout, "still\n");
    assert.equal(t.execCount, 3, "the three execs counted, none for the connection");
  });
});

describe("ssh2 transport through bin/bosun.js", () => {
  const inventory = (vars: Record<string, Record<string, unknown>> = {}) => {
    const file = path.join(tempDir(), "inventory.yml");
    const hosts = Object.fromEntries(HOSTS.map((h) => [h, { bosun_host: addr[h], ...vars[h] }]));
    const common = { bosun_user: "root", bosun_ssh_key: layout.keyFile, bosun_known_hosts: layout.knownHostsFile };
    writeFileSync(file, stringify({ all: { vars: common, hosts } }));
    return file;
  };

  it("runs a bosun_transport=openssh host beside ssh2 hosts in the same run", async () => {
    const r = await bosun(["exec", "all", "-i", inventory({ [B]: { bosun_transport: "openssh" } }), "--", "echo hi"], {
      env: { BOSUN_TRANSPORT: "ssh2", BOSUN_LOG: "debug" },
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`connected module=ssh host=${B} attempt`), "OpenSSH for the bosun_transport=openssh host");
    assert.match(r.stderr, new RegExp(`connected module=ssh host=${A} transport=ssh2`));
  });

  it("applies and re-applies a site with the same exec counts as over OpenSSH", async () => {
    const execs = async (transport: string, dir: string) => {
      const r = await bosun(["apply", "test/e2e/sites/ssh2-files.ts", "-i", inventory(), "--yes", "--json"], {
        env: { BOSUN_TRANSPORT: transport, E2E_DIR: dir },
      });
      assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
      return r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { type: string; host: string; play: string; execs: number })
        .filter((e) => e.type === "host_finished")
        .map((e) => `${e.host}/${e.play}=${e.execs}`)
        .sort();
    };
    const id = randomBytes(3).toString("hex");
    const overOpenssh = [await execs("openssh", `/srv/e2e-o-${id}`), await execs("openssh", `/srv/e2e-o-${id}`)];
    const overSsh2 = [await execs("ssh2", `/srv/e2e-s-${id}`), await execs("ssh2", `/srv/e2e-s-${id}`)];
    assert.deepEqual(overSsh2, overOpenssh, "first apply and no-op: the same execs per host and play");
    const check = await onHost(C, `cat /srv/e2e-s-${id}/a.conf /srv/e2e-s-${id}/c.conf`);
    assert.equal(check.stdout, "a\nc\n");
  });
});
