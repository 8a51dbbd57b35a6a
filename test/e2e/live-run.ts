import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { BIN, ROOT } from "./helpers.js";

/** One NDJSON event of a live run. */
export type LiveEvent = Record<string, unknown> & { type: string };

export interface LiveEnd {
  /** Exit code; null when the process was killed by a signal (a run that can lose its record). */
  code: number | null;
  signal: NodeJS.Signals | null;
  events: LiveEvent[];
  stderr: string;
  endedAt: number;
}

/** A `bosun … --json` process whose events can be awaited while it runs (to signal it at a chosen moment). */
export class LiveRun {
  readonly child: ChildProcess;
  readonly events: LiveEvent[] = [];
  readonly startedAt = Date.now();
  readonly done: Promise<LiveEnd>;
  private waiters: { pred: (e: LiveEvent) => boolean; resolve: (e: LiveEvent) => void }[] = [];

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [BIN, ...args, "--json"], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1", ...env } });
    let buf = "";
    let stderr = "";
    this.child.stdout?.on("data", (d) => {
      buf += d;
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith("{")) this.push(JSON.parse(line) as LiveEvent);
        nl = buf.indexOf("\n");
      }
    });
    this.child.stderr?.on("data", (d) => (stderr += d));
    this.done = new Promise((resolve) =>
      this.child.on("close", (code, signal) => resolve({ code, signal, events: this.events, stderr, endedAt: Date.now() })),
    );
  }

  private push(e: LiveEvent): void {
    this.events.push(e);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(e)) return true;
      w.resolve(e);
      return false;
    });
  }

  /** Resolves with the first event (seen or to come) that matches; rejects if the run ends first. */
  waitFor(pred: (e: LiveEvent) => boolean): Promise<LiveEvent> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return Promise.race([
      new Promise<LiveEvent>((resolve) => this.waiters.push({ pred, resolve })),
      this.done.then((end) => {
        throw new Error(`the run ended (code ${end.code}) before the awaited event: ${end.stderr}`);
      }),
    ]);
  }

  signal(sig: NodeJS.Signals = "SIGINT"): void {
    this.child.kill(sig);
  }
}

/** Returns the records of runs.jl in a state dir. */
export function runsIn(stateDir: string): Record<string, unknown>[] {
  const f = path.join(stateDir, "runs.jl");
  if (!existsSync(f)) return [];
  return readFileSync(f, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
