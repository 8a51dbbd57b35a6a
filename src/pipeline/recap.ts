/**
 * The markdown recap of pipeline runs (GitHub's step summary, the merge job of a sharded run): read
 * from the NDJSON events `bosun pipeline run --json` prints, one file per job or shard.
 */
import type { PipelineEvent } from "./context.js";

type Finished = Extract<PipelineEvent, { type: "stage_finished" }>;
type Started = Extract<PipelineEvent, { type: "stage_started" }>;

/** Returns the events of NDJSON text; lines that are not events (logs, torn lines) are skipped. */
export function parseEvents(text: string): PipelineEvent[] {
  const out: PipelineEvent[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      out.push(JSON.parse(line) as PipelineEvent);
    } catch {
      /* torn line */
    }
  }
  return out;
}

const cell = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");

/** Returns a markdown summary of one or more runs' events (shards of one run merge into one table). */
export function recapMarkdown(runs: PipelineEvent[][]): string {
  const events = runs.flat();
  const started = events.filter((e): e is Started => e.type === "stage_started");
  const finished = events.filter((e): e is Finished => e.type === "stage_finished");
  const hosts = new Map<string, { status: string; stage: string; version: string }>();
  let current: Started | undefined;
  for (const e of events) {
    if (e.type === "stage_started") current = e;
    if (e.type === "host_finished" && current) {
      const prev = hosts.get(e.host);
      if (!prev || e.status === "failed" || e.status === "unreachable" || prev.status === "ok")
        hosts.set(e.host, { status: e.status, stage: current.stage, version: current.version });
    }
  }
  const failedChecks = events.filter((e) => e.type === "check_result" && !e.ok) as Extract<PipelineEvent, { type: "check_result" }>[];
  const ok = finished.length > 0 && finished.every((f) => f.exit_code === 0);
  const lines = [
    `## Bosun pipeline ${ok ? "✅ passed" : "❌ failed"}`,
    "",
    "| stage | env | version | result | note |",
    "|---|---|---|---|---|",
    ...finished.map((f) => {
      const s = started.find((x) => x.stage === f.stage && x.env === f.env);
      return `| ${f.stage} | ${f.env} | ${s?.version ?? ""} | ${f.result} | ${cell(f.note ?? "")} |`;
    }),
  ];
  if (runs.length > 1) lines.push("", `${runs.length} shards merged.`);
  if (hosts.size) {
    lines.push("", "| host | stage | version | status |", "|---|---|---|---|");
    for (const [h, v] of [...hosts].sort(([a], [b]) => a.localeCompare(b)))
      lines.push(`| ${h} | ${v.stage} | ${v.version} | ${v.status} |`);
  }
  if (failedChecks.length) {
    lines.push("", "### Failed checks", "");
    for (const c of failedChecks) lines.push(`- ${c.host}: ${cell(c.check)}: ${cell(c.error ?? "")}`);
  }
  return `${lines.join("\n")}\n`;
}
