import { becomeLine, spawnExec } from "./spawn.js";
import type { ConnectionSpec } from "./spec.js";
import type { ExecOptions, ExecResult, Transport } from "./types.js";

/** Runs commands on the control machine itself through /bin/sh (bosun_connection=local). */
export class LocalTransport implements Transport {
  readonly host: string;
  execCount = 0;
  constructor(
    private readonly spec: ConnectionSpec,
    private readonly signal?: AbortSignal,
  ) {
    this.host = spec.name;
  }
  async connect(): Promise<void> {}
  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.execCount++;
    const become = opts.become ?? this.spec.become.enabled;
    const w = becomeLine(command, this.spec.become, become, (c) => c);
    return spawnExec(["sh", "-c", w.line], {
      label: this.host,
      stdin: opts.stdin,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal ?? this.signal,
      maxOutput: opts.maxOutput,
      become: w.become,
    });
  }
  async close(): Promise<void> {}
}
