import os from "node:os";
import type { Client, ClientChannel } from "ssh2";
import { ConnectionError } from "../errors.js";
import { logger } from "../log.js";
import { quote } from "../util/shell.js";
import { collectExec, type ExecIo } from "./exec-io.js";
import { retryTransient } from "./retry.js";
import { becomeLine } from "./spawn.js";
import type { ConnectionSpec } from "./spec.js";
import type { SshSettings } from "./ssh.js";
import { connectChain } from "./ssh2-connect.js";
import { resolveRoute } from "./ssh2-resolve.js";
import type { ExecOptions, ExecResult, Transport } from "./types.js";

// The same module as the OpenSSH transport: BOSUN_LOG=ssh=debug shows both.
const log = logger("ssh");

/** What the pool lends each ssh2 transport: shared limits and the OpenSSH transport to fall back on. */
export interface Ssh2Context {
  settings: SshSettings;
  /** Bounds handshakes in flight across the run (CPU: key exchange is the expensive part). */
  handshakeSlot: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Called before a new connection opens, so the pool can close an idle one when too many are live. */
  beforeConnect(t: Ssh2Transport): void;
  openssh(spec: ConnectionSpec): Transport;
}

/**
 * SSH in-process through the ssh2 library: one connection per host, each exec a channel on it (no
 * process per exec). ~/.ssh/config comes from `ssh -G`; where ssh2 cannot do what OpenSSH would
 * (user certificates, PKCS#11, FIDO keys, host certificates, GSSAPI) the host is served by the
 * OpenSSH transport instead, said once at info.
 */
export class Ssh2Transport implements Transport {
  readonly host: string;
  private count = 0;
  private clients: Client[] = [];
  private connected: Promise<void> | undefined;
  private fallback: Transport | undefined;
  /** Execs running now: the pool closes only idle connections. */
  inFlight = 0;
  lastUsed = 0;

  constructor(
    private readonly spec: ConnectionSpec,
    private readonly ctx: Ssh2Context,
  ) {
    this.host = spec.name;
  }

  get execCount(): number {
    return this.count + (this.fallback?.execCount ?? 0);
  }

  /** True while an ssh2 connection is open (not when the host fell back to OpenSSH). */
  get live(): boolean {
    return this.clients.length > 0;
  }

  connect(): Promise<void> {
    this.connected ??= this.open().catch((err) => {
      this.connected = undefined;
      throw err;
    });
    return this.connected;
  }

  private async open(): Promise<void> {
    const s = this.ctx.settings;
    const route = await resolveRoute(this.spec, s.connectTimeoutS);
    if (route.fallback) {
      log.info("using OpenSSH for this host", { host: this.host, reason: route.fallback });
      this.fallback = this.ctx.openssh(this.spec);
      return this.fallback.connect();
    }
    await retryTransient(
      this.host,
      s,
      async (attempt) => {
        this.ctx.beforeConnect(this);
        const clients = await this.ctx.handshakeSlot(() =>
          connectChain(
            route.hops,
            route.target,
            { connectTimeoutS: s.connectTimeoutS, acceptNewHostKeys: s.acceptNewHostKeys },
            this.spec.address,
          ),
        );
        const target = clients[clients.length - 1] as Client;
        // A dropped connection is reopened by the next exec.
        target.once("close", () => {
          if (this.clients === clients) this.drop();
        });
        this.clients = clients;
        log.debug("connected", { host: this.host, transport: "ssh2", attempt, hops: route.hops.length });
      },
      { wrapOthers: true },
    );
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    await this.connect();
    if (this.fallback) return this.fallback.exec(command, opts);
    const client = this.clients[this.clients.length - 1];
    if (!client) throw new ConnectionError(this.host, "connection lost", true);
    const become = opts.become ?? this.spec.become.enabled;
    const w = becomeLine(command, this.spec.become, become, (c) => `sh -c ${quote(c)}`);
    this.count++;
    this.inFlight++;
    log.debug("exec", { host: this.host, bytes_in: opts.stdin?.length ?? 0, become });
    const start = Date.now();
    try {
      return await collectExec(
        await openChannel(client, w.line, this.host),
        {
          label: this.host,
          stdin: opts.stdin,
          timeoutMs: opts.timeoutMs,
          signal: opts.signal ?? this.ctx.settings.signal,
          maxOutput: opts.maxOutput,
          become: w.become,
        },
        start,
      );
    } finally {
      this.inFlight--;
      this.lastUsed = Date.now();
    }
  }

  private drop(): void {
    const clients = this.clients;
    this.clients = [];
    this.connected = undefined;
    for (const c of clients.reverse()) c.end();
  }

  async close(): Promise<void> {
    this.drop();
    await this.fallback?.close();
  }
}

/**
 * Returns the exec channel as an ExecIo, its listeners attached inside ssh2's callback: a quick
 * command's output, exit status and close can arrive in the same packet batch as the channel's
 * confirmation, before any await would resume.
 */
function openChannel(client: Client, line: string, host: string): Promise<ExecIo> {
  return new Promise((resolve, reject) => {
    client.exec(line, (err, ch) => {
      if (err) reject(new ConnectionError(host, `could not open a session channel (${err.message})`, true));
      else resolve(channelIo(ch));
    });
  });
}

/**
 * Returns the channel as collectExec's ExecIo: exit code from 'exit' (128+n for a signal), known at
 * 'close'. A killed exec ends at once: sshd holds the channel open until the command exits, which
 * a hung command never does.
 */
function channelIo(ch: ClientChannel): ExecIo {
  let code: number | undefined;
  let done: ((code: number | undefined) => void) | undefined;
  const finish = () => {
    const cb = done;
    done = undefined;
    cb?.(code);
  };
  ch.on("exit", (c: number | null, signal?: string) => {
    if (typeof c === "number") code = c;
    else if (signal) code = 128 + ((os.constants.signals as Record<string, number>)[`SIG${signal}`] ?? 15);
  });
  ch.on("close", finish);
  return {
    stdin: ch,
    stdout: ch,
    stderr: ch.stderr,
    kill: (how) => {
      // TERM first, as a killed mux client leaves it to sshd; closing the channel ends the session.
      if (how === "term") ch.signal("TERM");
      ch.close();
      setImmediate(finish);
    },
    onDone: (cb) => {
      done = cb;
    },
  };
}
