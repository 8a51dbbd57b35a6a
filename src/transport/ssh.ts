import { ConnectionError, HostKeyError } from "../errors.js";
import { logger } from "../log.js";
import { run } from "../util/proc.js";
import { quote } from "../util/shell.js";
import { retryTransient } from "./retry.js";
import { becomeLine, spawnExec } from "./spawn.js";
import type { ConnectionSpec } from "./spec.js";
import type { ExecOptions, ExecResult, Transport } from "./types.js";

const log = logger("ssh");

export interface SshSettings {
  /** Directory for ControlMaster sockets (private, short path). */
  controlDir: string;
  connectTimeoutS: number;
  /** Accept and record an unknown host key (StrictHostKeyChecking=accept-new); a changed key is still refused. */
  acceptNewHostKeys: boolean;
  /** Seconds an idle master connection stays after Bosun's last use, a safety net if Bosun dies. */
  controlPersistS: number;
  retries: number;
  retryBaseMs: number;
  /** Aborting cuts every exec in flight (a second Ctrl-C: stop now). */
  signal?: AbortSignal;
}

export const DEFAULT_SSH_SETTINGS: Omit<SshSettings, "controlDir"> = {
  connectTimeoutS: 10,
  acceptNewHostKeys: false,
  controlPersistS: 300,
  retries: 5,
  retryBaseMs: 100,
};

/** Returns the ssh options shared by the master connection and every exec through it. */
export function sshOptions(spec: ConnectionSpec, s: SshSettings): string[] {
  const o = (kv: string) => ["-o", kv];
  const args = [
    ...o("BatchMode=yes"),
    ...o(`ConnectTimeout=${s.connectTimeoutS}`),
    ...o(`StrictHostKeyChecking=${s.acceptNewHostKeys ? "accept-new" : "yes"}`),
    ...o(`ControlPath=${s.controlDir}/%C`),
    // A silent host (frozen, cable cut) is given up within ~15 s, so it never holds up a run for long.
    ...o("ServerAliveInterval=5"),
    ...o("ServerAliveCountMax=3"),
    ...o("LogLevel=ERROR"),
  ];
  if (spec.knownHostsFile) args.push(...o(`UserKnownHostsFile=${spec.knownHostsFile}`));
  if (spec.user) args.push("-l", spec.user);
  if (spec.port) args.push("-p", String(spec.port));
  if (spec.identityFile) args.push("-i", spec.identityFile);
  if (spec.proxyJump) args.push("-o", `ProxyCommand=${jumpCommand(spec, s)}`);
  return args;
}

/**
 * Returns the ProxyCommand that reaches the host through its bastion (`[user@]host[:port]`).
 * Unlike `-J`, it gives the bastion connection the same identity, known_hosts and host key policy
 * as the target, so a bastion named only in the inventory is verified like any host.
 */
export function jumpCommand(spec: ConnectionSpec, s: SshSettings): string {
  const m = /^(?:([^@]+)@)?([^:@]+)(?::(\d+))?$/.exec(spec.proxyJump ?? "");
  if (!m) throw new ConnectionError(spec.name, `bad bosun_ssh_jump "${spec.proxyJump}" (expected [user@]host[:port])`, false);
  const [, user, host, port] = m;
  const args = [
    "ssh",
    "-o",
    "BatchMode=yes",
    "-o",
    `ConnectTimeout=${s.connectTimeoutS}`,
    "-o",
    `StrictHostKeyChecking=${s.acceptNewHostKeys ? "accept-new" : "yes"}`,
    "-o",
    "LogLevel=ERROR",
  ];
  if (spec.knownHostsFile) args.push("-o", `UserKnownHostsFile=${spec.knownHostsFile}`);
  if (spec.identityFile) args.push("-i", spec.identityFile);
  if (user) args.push("-l", user);
  if (port) args.push("-p", port);
  // "--": a bastion name can never be read as an option (e.g. "-oProxyCommand=…").
  args.push("-W", "%h:%p", "--", host as string);
  // ssh runs ProxyCommand through the user's shell: quote each word; %h/%p are ssh's own tokens.
  return args.map((a) => (a === "%h:%p" ? a : quote(a))).join(" ");
}

/**
 * Returns how ssh's failure (exit 255, stderr) should be treated: a host key problem, another
 * non-retryable connection problem (auth), a transient one worth a retry, or undefined when the
 * stderr does not look like a connection failure at all.
 */
export function classifySshFailure(host: string, stderr: string): ConnectionError | undefined {
  const msg = stderr.trim().split("\n").filter(Boolean).slice(-3).join(" ") || "ssh failed";
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(stderr)) {
    return new HostKeyError(host, `host key CHANGED: the key offered differs from known_hosts; refusing to connect (${msg})`);
  }
  if (/No \S+ host key is known|Host key verification failed/i.test(stderr)) {
    return new HostKeyError(host, `host key unknown: not in known_hosts; refusing (add it, or pass --accept-new-host-keys) (${msg})`);
  }
  if (/Permission denied|Too many authentication failures/i.test(stderr)) {
    return new ConnectionError(host, `authentication failed (${msg})`, false);
  }
  if (/Could not resolve hostname/i.test(stderr) && !/Temporary failure/i.test(stderr)) {
    return new ConnectionError(host, msg, false);
  }
  if (
    /Connection refused|timed out|No route to host|Network is unreachable|Connection reset|Connection closed|kex_exchange_identification|Broken pipe|Temporary failure|Connection aborted|closed by remote host|not responding|client_loop|Shared connection .* closed/i.test(
      stderr,
    )
  ) {
    return new ConnectionError(host, msg, true);
  }
  return undefined;
}

/** SSH through the system OpenSSH client: one master connection per host, every exec multiplexed over it. */
export class SshTransport implements Transport {
  readonly host: string;
  execCount = 0;
  private connected: Promise<void> | undefined;

  constructor(
    private readonly spec: ConnectionSpec,
    private readonly settings: SshSettings,
  ) {
    this.host = spec.name;
  }

  /** The destination: always passed after "--", so an address like "-oProxyCommand=…" is a host name, never an option. */
  private target(): string {
    return this.spec.address;
  }

  connect(): Promise<void> {
    this.connected ??= this.openMaster().catch((err) => {
      this.connected = undefined;
      throw err;
    });
    return this.connected;
  }

  /** Starts the master (-M -N -f: authenticated, then backgrounded), retrying transient failures with backoff. */
  private async openMaster(): Promise<void> {
    const s = this.settings;
    const args = [
      ...sshOptions(this.spec, s),
      "-o",
      "ControlMaster=yes",
      "-o",
      `ControlPersist=${s.controlPersistS}`,
      "-N",
      "-f",
      "--",
      this.target(),
    ];
    await retryTransient(this.host, s, async (attempt) => {
      const res = await run("ssh", args, { check: false, timeoutMs: (s.connectTimeoutS + 5) * 1000 * 2 });
      if (res.code !== 0)
        throw (
          classifySshFailure(this.host, res.stderr) ?? new ConnectionError(this.host, res.stderr.trim() || `ssh exited ${res.code}`, false)
        );
      log.debug("connected", { host: this.host, attempt });
    });
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    await this.connect();
    const become = opts.become ?? this.spec.become.enabled;
    const w = becomeLine(command, this.spec.become, become, (c) => `sh -c ${quote(c)}`);
    const args = ["ssh", ...sshOptions(this.spec, this.settings), "-o", "ControlMaster=no", "-T", "--", this.target(), w.line];
    this.execCount++;
    log.debug("exec", { host: this.host, bytes_in: opts.stdin?.length ?? 0, become });
    const res = await spawnExec(args, {
      label: this.host,
      stdin: opts.stdin,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal ?? this.settings.signal,
      maxOutput: opts.maxOutput,
      become: w.become,
    });
    if (res.code === 255) {
      const err = classifySshFailure(this.host, res.stderr);
      if (err) {
        err.partialStdout = res.stdout;
        throw err;
      }
    }
    return res;
  }

  async close(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await run("ssh", [...sshOptions(this.spec, this.settings), "-O", "exit", "--", this.target()], { check: false });
  }
}
