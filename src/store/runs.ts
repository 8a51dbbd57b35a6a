import { appendFile, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { HostCounts, HostRunStatus, RunOrigin } from "../core/events.js";
import { writeFileAtomic } from "../util/fs.js";
import { redact } from "../vault/redact.js";

/** One line of runs.jl: what a plan or apply did. Never holds a secret (ops and errors are already masked). */
export interface RunRecord {
  id: string;
  /** What ran: a site through the engine (the default), or a pipeline's tool or test stage (a command, no hosts). */
  kind?: "site" | "tool" | "test";
  mode: "plan" | "apply";
  user: string;
  started: string;
  ended: string;
  site: string;
  deployment: string;
  inventory: string;
  limit?: string;
  tags?: string[];
  skipTags?: string[];
  shard?: { k: number; n: number };
  /** Who started the run (CLI, pipeline, server, CI) and with what inputs. */
  origin?: RunOrigin;
  /** Git commit of the site's repository, when it is in one. */
  commit?: string;
  /** Per host; `secretsStored`: "KEY in FILE" for each value an op sent back into a vault (never the value). */
  hosts: Record<string, HostCounts & { status: HostRunStatus; changedOps: string[]; secretsStored?: string[] }>;
  exitCode: number;
  interrupted: boolean;
  aborted?: string;
  /** Why a tool or test stage failed (its exit code, a changed plan). */
  note?: string;
}

export interface HostState {
  lastRun: string;
  mode: "plan" | "apply";
  at: string;
  status: HostRunStatus;
  counts: HostCounts;
}

/** The state directory: runs.jl (append-only history), state.json (last result per host, atomic), facts.json. */
export class Store {
  constructor(readonly dir: string) {}

  get runsFile(): string {
    return path.join(this.dir, "runs.jl");
  }
  get stateFile(): string {
    return path.join(this.dir, "state.json");
  }
  get factsFile(): string {
    return path.join(this.dir, "facts.json");
  }

  /** Appends one run as one JSON line (a single write: lines never interleave). */
  async appendRun(r: RunRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await appendFile(this.runsFile, `${redact(JSON.stringify(r))}\n`, { mode: 0o600 });
  }

  /** Returns every recorded run, oldest first; a torn last line (crash mid-write) is ignored. */
  async runs(): Promise<RunRecord[]> {
    let text: string;
    try {
      text = await readFile(this.runsFile, "utf8");
    } catch {
      return [];
    }
    const out: RunRecord[] = [];
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as RunRecord);
      } catch {
        /* torn line */
      }
    }
    return out;
  }

  async readState(): Promise<Record<string, HostState>> {
    return readJson(this.stateFile, {});
  }

  /** Merges the run's per-host results into state.json, written atomically. */
  async updateState(r: RunRecord): Promise<void> {
    const state = await this.readState();
    for (const [h, x] of Object.entries(r.hosts)) {
      state[h] = {
        lastRun: r.id,
        mode: r.mode,
        at: r.ended,
        status: x.status,
        counts: {
          ok: x.ok,
          changed: x.changed,
          failed: x.failed,
          skipped: x.skipped,
          handlers: x.handlers ?? 0,
          unreachable: x.unreachable,
        },
      };
    }
    await writeFileAtomic(this.stateFile, `${redact(JSON.stringify(state, null, 2))}\n`, 0o600);
  }

  async readFacts<T>(): Promise<Record<string, T>> {
    return readJson(this.factsFile, {});
  }

  async writeFacts<T>(facts: Record<string, T>): Promise<void> {
    await writeFileAtomic(this.factsFile, `${redact(JSON.stringify(facts))}\n`, 0o600);
  }
}

async function readJson<T>(file: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch {
    return fallback;
  }
}
