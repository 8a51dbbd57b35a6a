import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LocalTransport } from "./local.js";
import type { ConnectionSpec } from "./spec.js";
import { DEFAULT_SSH_SETTINGS, type SshSettings, SshTransport } from "./ssh.js";
import type { Transport } from "./types.js";

/** Opens and closes the transports of one run; owns the private ControlMaster socket directory. */
export class TransportPool {
  private readonly transports = new Map<string, Transport>();
  private constructor(private readonly settings: SshSettings) {}

  static async create(settings: Partial<Omit<SshSettings, "controlDir">> = {}): Promise<TransportPool> {
    // Short path: unix socket paths are limited to ~108 bytes. mkdtemp makes it 0700.
    const controlDir = await mkdtemp(path.join(os.tmpdir(), "bosun-ssh-"));
    return new TransportPool({ ...DEFAULT_SSH_SETTINGS, ...settings, controlDir });
  }

  /** Returns the transport for spec, created once per host name. */
  get(spec: ConnectionSpec): Transport {
    let t = this.transports.get(spec.name);
    if (!t) {
      t = spec.connection === "local" ? new LocalTransport(spec, this.settings.signal) : new SshTransport(spec, this.settings);
      this.transports.set(spec.name, t);
    }
    return t;
  }

  /** Returns how many commands each host has run (connection setup excluded). */
  execCounts(): Record<string, number> {
    return Object.fromEntries([...this.transports].map(([h, t]) => [h, t.execCount]));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.transports.values()].map((t) => t.close().catch(() => {})));
    this.transports.clear();
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
