import assert from "node:assert/strict";
import { bosun, onHost } from "./helpers.js";

/** One NDJSON event of `bosun plan|apply --json`. */
export interface RunEventLine {
  type: string;
  index?: number;
  op?: string;
  changed?: boolean;
  summary?: string;
  diff?: string;
  error?: string;
  output?: string;
  hosts?: Record<string, { changed: number; failed: number; ok: number }>;
}

export interface SiteRun {
  code: number;
  events: RunEventLine[];
  /** The recap's counts for the host. */
  counts?: { changed: number; failed: number; ok: number };
  /** "kind name" of ops reported changed (apply) or planned to change (plan). */
  changed: string[];
  /** Planned summaries by op id. */
  summaries: Record<string, string>;
  stdout: string;
  stderr: string;
}

/** Returns functions that run a site on one lab host with --json and string vars (-e), and run sh there. */
export function siteRunner(site: string, host: string) {
  async function run(verb: "apply" | "plan", vars: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}): Promise<SiteRun> {
    // One JSON object: every value stays a string (as key=value, YAML would read "1e5" as a number).
    const args = [verb, site, "-i", "lab", "-l", host, "--json", "-e", JSON.stringify(vars)];
    const r = await bosun(verb === "apply" ? [...args, "--yes"] : args, { env });
    const events = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as RunEventLine);
    const recap = events.at(-1);
    assert.equal(recap?.type, "recap", r.stdout + r.stderr);
    const planned = events.filter((e) => e.type === "op_planned");
    const changed =
      verb === "plan"
        ? planned.filter((e) => e.changed).map((e) => e.op as string)
        : events.filter((e) => e.type === "op_changed").map((e) => e.op as string);
    return {
      code: r.code,
      events,
      counts: recap?.hosts?.[host],
      changed,
      summaries: Object.fromEntries(planned.map((e) => [e.op as string, e.summary as string])),
      stdout: r.stdout,
      stderr: r.stderr,
    };
  }
  async function sh(cmd: string): Promise<string> {
    const r = await onHost(host, cmd);
    assert.equal(r.code, 0, `${cmd}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  }
  return { run, sh };
}
