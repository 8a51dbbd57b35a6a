import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { BosunError } from "../errors.js";
import { limiter } from "../util/limiter.js";
import { LocalTransport } from "./local.js";
import { type ConnectionSpec, TRANSPORT_KINDS, type TransportKind } from "./spec.js";
import { DEFAULT_SSH_SETTINGS, type SshSettings, SshTransport } from "./ssh.js";
import { Ssh2Transport } from "./ssh2.js";
import type { Transport } from "./types.js";

/** The SSH implementation a run uses when neither BOSUN_TRANSPORT, bosun.toml nor bosun_transport says: the one place to change it. */
export const DEFAULT_TRANSPORT: TransportKind = "ssh2";

export interface PoolSettings extends SshSettings {
  /** bosun.toml [ssh] transport; BOSUN_TRANSPORT overrides it. */
  transport?: TransportKind;
  maxHandshakes: number;
  /** Live ssh2 connections kept at most (default: from the open-files limit). */
  maxLive?: number;
}

/** Returns the run's default transport: BOSUN_TRANSPORT, else bosun.toml's, else DEFAULT_TRANSPORT. */
export function runTransport(configured: TransportKind | undefined, env: NodeJS.ProcessEnv = process.env): TransportKind {
  const v = env.BOSUN_TRANSPORT;
  if (v === undefined || v === "") return configured ?? DEFAULT_TRANSPORT;
  if ((TRANSPORT_KINDS as readonly string[]).includes(v)) return v as TransportKind;
  throw new BosunError(`BOSUN_TRANSPORT must be "openssh" or "ssh2", found ${JSON.stringify(v)}`);
}

/** Returns the soft open-files limit (RLIMIT_NOFILE) of this process, or undefined when unknown. */
export function openFilesLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Opens and closes the transports of one run; owns the private ControlMaster socket directory. */
export class TransportPool {
  private readonly transports = new Map<string, Transport>();
  /** Commands run by connections already released (their transports are dropped, not kept for the count). */
  private readonly retired = new Map<string, number>();
  /** Releases still closing: closeAll waits for them. */
  private readonly closing = new Set<Promise<void>>();
  private readonly kind: TransportKind;
  private readonly handshakeSlot: <T>(fn: () => Promise<T>) => Promise<T>;
  private readonly maxLive: number;
  private constructor(private readonly settings: PoolSettings) {
    this.kind = runTransport(settings.transport);
    this.handshakeSlot = limiter(settings.maxHandshakes);
    // Each live connection holds a socket (a ProxyCommand three pipes); keep room for files, pipes and the store.
    this.maxLive = settings.maxLive ?? Math.max(16, Math.floor(((openFilesLimit() ?? 1024) - 128) / 2));
  }

  static async create(settings: Partial<Omit<PoolSettings, "controlDir">> = {}): Promise<TransportPool> {
    // Short path: unix socket paths are limited to ~108 bytes. mkdtemp makes it 0700.
    const controlDir = await mkdtemp(path.join(os.tmpdir(), "bosun-ssh-"));
    return new TransportPool({ ...DEFAULT_SSH_SETTINGS, maxHandshakes: 32, ...settings, controlDir });
  }

  /** Returns the transport for spec, created once per host name. */
  get(spec: ConnectionSpec): Transport {
    let t = this.transports.get(spec.name);
    if (!t) {
      t = this.create(spec);
      this.transports.set(spec.name, t);
    }
    return t;
  }

  private create(spec: ConnectionSpec): Transport {
    if (spec.connection === "local") return new LocalTransport(spec, this.settings.signal);
    if ((spec.transport ?? this.kind) === "openssh") return new SshTransport(spec, this.settings);
    return new Ssh2Transport(spec, {
      settings: this.settings,
      handshakeSlot: this.handshakeSlot,
      beforeConnect: (t) => this.makeRoom(t),
      openssh: (s) => new SshTransport(s, this.settings),
    });
  }

  /**
   * Closes the least recently used idle ssh2 connection when maxLive are open (testinfra ran out of
   * descriptors at 3,000 hosts): a host that needs it again reconnects.
   */
  private makeRoom(next: Ssh2Transport): void {
    const live = [...this.transports.values()].filter((t): t is Ssh2Transport => t instanceof Ssh2Transport && t.live && t !== next);
    if (live.length < this.maxLive) return;
    const idle = live.filter((t) => t.inFlight === 0).sort((a, b) => a.lastUsed - b.lastUsed)[0];
    if (idle) void idle.close();
  }

  /** Closes host's connection (no later play needs it) and lets go of its transport; a later use would reconnect. */
  async release(host: string): Promise<void> {
    const t = this.transports.get(host);
    if (!t) return;
    this.transports.delete(host);
    this.retired.set(host, (this.retired.get(host) ?? 0) + t.execCount);
    const closed = t.close().catch(() => {});
    this.closing.add(closed);
    await closed;
    this.closing.delete(closed);
  }

  /** Returns the hosts whose transport the pool holds now (not released). */
  held(): string[] {
    return [...this.transports.keys()];
  }

  /** Returns how many commands host has run (connection setup excluded). */
  execCount(host: string): number {
    return (this.retired.get(host) ?? 0) + (this.transports.get(host)?.execCount ?? 0);
  }

  /** Returns how many commands each host has run (connection setup excluded). */
  execCounts(): Record<string, number> {
    const hosts = new Set([...this.retired.keys(), ...this.transports.keys()]);
    return Object.fromEntries([...hosts].map((h) => [h, this.execCount(h)]));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.transports.values()].map((t) => t.close().catch(() => {})));
    this.transports.clear();
    await Promise.all(this.closing);
    await rm(this.settings.controlDir, { recursive: true, force: true });
  }
}

/** Runs fn over items with at most `limit` in flight; results keep the items' order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
