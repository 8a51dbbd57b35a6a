import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { ConnectionError, HostKeyError } from "../../../src/errors.js";
import type { ConnectionSpec } from "../../../src/transport/spec.js";
import { classifySshFailure, DEFAULT_SSH_SETTINGS, type SshSettings, SshTransport, sshOptions } from "../../../src/transport/ssh.js";

const CHANGED = `@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
Someone could be eavesdropping on you right now (man-in-the-middle attack)!
It is also possible that a host key has just been changed.
The fingerprint for the ED25519 key sent by the remote host is
SHA256:q3RkVQ0Yc8y3PNpSiEOZNjPyr2Y7iRwO0SZbcbmE2FU.
Please contact your system administrator.
Add correct host key in /srv/data/bosun/lab/known_hosts to get rid of this message.
Offending ED25519 key in /srv/data/bosun/lab/known_hosts:1
  remove with:
  ssh-keygen -f '/srv/data/bosun/lab/known_hosts' -R '198.18.0.10'
Host key for 198.18.0.10 has changed and you have requested strict checking.
Host key verification failed.
`;
const UNKNOWN = "No ED25519 host key is known for 198.18.0.10 and you have requested strict checking.\nHost key verification failed.\n";
const DENIED = "root@198.18.0.10: Permission denied (publickey,password).\n";
const TOO_MANY =
  "Received disconnect from 198.18.0.10 port 22:2: Too many authentication failures\nDisconnected from 198.18.0.10 port 22\n";
const REFUSED = "ssh: connect to host 198.18.0.10 port 22: Connection refused\n";
const TIMED_OUT = "ssh: connect to host 198.18.0.99 port 22: Connection timed out\n";
const NO_ROUTE = "ssh: connect to host 198.18.0.99 port 22: No route to host\n";
const UNREACHABLE = "ssh: connect to host 203.0.113.5 port 22: Network is unreachable\n";
const KEX_RESET = "kex_exchange_identification: read: Connection reset by peer\nConnection reset by 198.18.0.10 port 22\n";
const CLOSED = "kex_exchange_identification: Connection closed by remote host\nConnection closed by 198.18.0.10 port 22\n";
const NO_SUCH_HOST = "ssh: Could not resolve hostname web9.invalid: Name or service not known\n";
const DNS_DOWN = "ssh: Could not resolve hostname web1.example.com: Temporary failure in name resolution\n";

describe("classifySshFailure", () => {
  it("treats a changed host key as a HostKeyError that is never retried", () => {
    const err = classifySshFailure("web1", CHANGED);
    assert.ok(err instanceof HostKeyError);
    assert.equal(err.transient, false);
    assert.equal(err.host, "web1");
    assert.match(err.message, /^web1: host key CHANGED/);
  });

  it("keeps the last lines of ssh's stderr in the message", () => {
    const err = classifySshFailure("web1", CHANGED);
    assert.match(err?.message ?? "", /Host key for 198\.18\.0\.10 has changed.*Host key verification failed\./);
    assert.doesNotMatch(err?.message ?? "", /IT IS POSSIBLE/);
  });

  it("treats an unknown host key as a HostKeyError that suggests --accept-new-host-keys", () => {
    const err = classifySshFailure("web1", UNKNOWN);
    assert.ok(err instanceof HostKeyError);
    assert.equal(err.transient, false);
    assert.match(err.message, /host key unknown/);
    assert.match(err.message, /--accept-new-host-keys/);
  });

  it("treats a bare 'Host key verification failed' as an unknown host key", () => {
    assert.ok(classifySshFailure("h", "Host key verification failed.\n") instanceof HostKeyError);
  });

  it("treats Permission denied as an authentication failure that is not retried", () => {
    const err = classifySshFailure("db1", DENIED);
    assert.ok(err instanceof ConnectionError);
    assert.equal(err instanceof HostKeyError, false);
    assert.equal(err.transient, false);
    assert.match(err.message, /^db1: authentication failed \(root@198\.18\.0\.10: Permission denied \(publickey,password\)\.\)$/);
  });

  it("treats too many authentication failures as not retryable", () => {
    const err = classifySshFailure("db1", TOO_MANY);
    assert.equal(err?.transient, false);
    assert.match(err?.message ?? "", /authentication failed/);
  });

  for (const [what, stderr] of [
    ["Connection refused", REFUSED],
    ["Connection timed out", TIMED_OUT],
    ["No route to host", NO_ROUTE],
    ["Network is unreachable", UNREACHABLE],
    ["a connection reset during key exchange", KEX_RESET],
    ["a connection closed during key exchange", CLOSED],
    ["a temporary DNS failure", DNS_DOWN],
  ] as const) {
    it(`treats ${what} as a transient ConnectionError worth a retry`, () => {
      const err = classifySshFailure("web2", stderr);
      assert.ok(err instanceof ConnectionError);
      assert.equal(err instanceof HostKeyError, false);
      assert.equal(err.transient, true);
      assert.equal(err.message, `web2: ${stderr.trim().split("\n").join(" ")}`);
    });
  }

  it("treats a host name that does not resolve as not retryable", () => {
    const err = classifySshFailure("web9", NO_SUCH_HOST);
    assert.equal(err?.transient, false);
    assert.match(err?.message ?? "", /Could not resolve hostname web9\.invalid/);
  });

  it("returns undefined for stderr that is not about the connection", () => {
    assert.equal(classifySshFailure("web1", "sh: 1: frobnicate: not found\n"), undefined);
    assert.equal(classifySshFailure("web1", "E: Unable to locate package nosuchpkg\n"), undefined);
    assert.equal(classifySshFailure("web1", ""), undefined);
  });

  it("prefers the host key problem when the changed-key stderr also mentions verification failure", () => {
    const err = classifySshFailure("web1", CHANGED);
    assert.match(err?.message ?? "", /CHANGED/);
    assert.doesNotMatch(err?.message ?? "", /host key unknown/);
  });
});

const SETTINGS: SshSettings = { ...DEFAULT_SSH_SETTINGS, controlDir: "/tmp/bosun-ssh-x" };
const SPEC: ConnectionSpec = { name: "web1", connection: "ssh", address: "198.18.0.10", become: { enabled: false, user: "root" } };

/** Returns the values of every `-o Key=value` pair. */
function options(args: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "-o") {
      const [k = "", ...v] = (args[i + 1] ?? "").split("=");
      out.set(k, v.join("="));
      i++;
    }
  }
  return out;
}

/** Returns the argument after flag, if flag is present. */
function flag(args: string[], f: string): string | undefined {
  const i = args.indexOf(f);
  return i < 0 ? undefined : args[i + 1];
}

describe("sshOptions", () => {
  it("refuses unknown host keys by default (StrictHostKeyChecking=yes) and never prompts", () => {
    const o = options(sshOptions(SPEC, SETTINGS));
    assert.equal(o.get("StrictHostKeyChecking"), "yes");
    assert.equal(o.get("BatchMode"), "yes");
  });

  it("accepts new (but not changed) host keys only when opted in", () => {
    const o = options(sshOptions(SPEC, { ...SETTINGS, acceptNewHostKeys: true }));
    assert.equal(o.get("StrictHostKeyChecking"), "accept-new");
  });

  it("puts the control socket in the control dir and sets the connect timeout", () => {
    const o = options(sshOptions(SPEC, { ...SETTINGS, connectTimeoutS: 7 }));
    assert.equal(o.get("ControlPath"), "/tmp/bosun-ssh-x/%C");
    assert.equal(o.get("ConnectTimeout"), "7");
  });

  it("uses the host's known_hosts file only when one is set", () => {
    assert.equal(options(sshOptions(SPEC, SETTINGS)).has("UserKnownHostsFile"), false);
    const o = options(sshOptions({ ...SPEC, knownHostsFile: "/srv/lab/known_hosts" }, SETTINGS));
    assert.equal(o.get("UserKnownHostsFile"), "/srv/lab/known_hosts");
  });

  it("passes a jump host as a ProxyCommand only when one is set", () => {
    assert.equal(
      sshOptions(SPEC, SETTINGS).some((a) => a.startsWith("ProxyCommand=")),
      false,
    );
    const proxy = sshOptions({ ...SPEC, proxyJump: "ops@bastion:2222" }, SETTINGS).find((a) => a.startsWith("ProxyCommand="));
    assert.match(proxy ?? "", / -l ops -p 2222 -W %h:%p -- bastion$/);
  });

  it("passes user, port and identity file as -l, -p and -i when set", () => {
    const args = sshOptions({ ...SPEC, user: "deploy", port: 2222, identityFile: "/keys/id_ed25519" }, SETTINGS);
    assert.equal(flag(args, "-l"), "deploy");
    assert.equal(flag(args, "-p"), "2222");
    assert.equal(flag(args, "-i"), "/keys/id_ed25519");
  });

  it("adds no -l, -p or -i when the spec leaves them unset", () => {
    const args = sshOptions(SPEC, SETTINGS);
    for (const f of ["-l", "-p", "-i"]) assert.equal(args.includes(f), false, f);
  });

  it("does not put the target address among the options", () => {
    assert.equal(sshOptions(SPEC, SETTINGS).includes("198.18.0.10"), false);
  });
});

describe("SshTransport: the destination is never an option", () => {
  it("takes an address like -oProxyCommand=… as a host name: the command never runs", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-inject-"));
    const marker = path.join(dir, "pwned");
    const t = new SshTransport(
      { ...SPEC, name: "evil", address: `-oProxyCommand=touch ${marker}` },
      { ...SETTINGS, controlDir: dir, retries: 1, connectTimeoutS: 2 },
    );
    try {
      // ssh looked the text up as a host name (an option would have ended in a usage error instead).
      await assert.rejects(
        t.exec("true"),
        (e: unknown) =>
          e instanceof ConnectionError && /hostname contains invalid characters|resolve hostname -oproxycommand/i.test(e.message),
      );
      assert.equal(existsSync(marker), false, "ssh ran the injected ProxyCommand");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
