import pc from "picocolors";
import type { HostCounts, RunEvent } from "../core/events.js";
import { out } from "./render.js";

/** Colors a unified diff: + green, - red, @@ cyan. */
export function colorDiff(diff: string): string {
  return diff
    .trimEnd()
    .split("\n")
    .map((l) =>
      l.startsWith("+++") || l.startsWith("---")
        ? pc.bold(l)
        : l.startsWith("+")
          ? pc.green(l)
          : l.startsWith("-")
            ? pc.red(l)
            : l.startsWith("@@")
              ? pc.cyan(l)
              : l,
    )
    .join("\n");
}

/** Returns the recap table lines: one row per host with its counts. */
export function recapTable(hosts: Record<string, HostCounts>, durations: Record<string, number>): string[] {
  const names = Object.keys(hosts);
  const w = Math.max(4, ...names.map((n) => n.length));
  const lines = [
    pc.bold(
      `${"HOST".padEnd(w)}  ${"OK".padStart(4)} ${"CHANGED".padStart(8)} ${"FAILED".padStart(7)} ${"SKIPPED".padStart(8)} ${"HANDLERS".padStart(9)}  UNREACHABLE  TIME`,
    ),
  ];
  for (const n of names) {
    const c = hosts[n] as HostCounts;
    const color = c.unreachable ? pc.magenta : c.failed ? pc.red : c.changed ? pc.yellow : pc.green;
    lines.push(
      `${color(n.padEnd(w))}  ${String(c.ok).padStart(4)} ${(c.changed ? pc.yellow : String)(String(c.changed).padStart(8))} ${(c.failed ? pc.red : String)(String(c.failed).padStart(7))} ${String(c.skipped).padStart(8)} ${String(c.handlers ?? 0).padStart(9)}  ${(c.unreachable ? pc.magenta("yes") : "no").padEnd(11)}  ${((durations[n] ?? 0) / 1000).toFixed(1)}s`,
    );
  }
  return lines;
}

/**
 * Renders run events for people: the plan per host (changes with diffs), a line per host as it
 * finishes, failures with their output, then the recap table.
 */
export class HumanRenderer {
  private durations: Record<string, number> = {};
  private planned = new Map<string, { op: string; summary: string; diff?: string }[]>();
  constructor(private readonly opts: { showDiff: boolean; mode: "plan" | "apply" }) {}

  handle = (e: RunEvent): void => {
    switch (e.type) {
      case "play_started":
        out(
          pc.bold(`\n▶ ${e.play}`) +
            pc.dim(
              `  ${e.hosts.length} host${e.hosts.length === 1 ? "" : "s"}${e.hosts.length ? `: ${e.hosts.join(", ")}` : " (no hosts match)"}`,
            ),
        );
        break;
      case "host_started":
        // Progress while running: applies can take minutes (package installs); say which hosts are at it.
        if (e.phase === "apply") out(pc.dim(`… ${e.host} applying`));
        break;
      case "op_planned":
        if (e.changed) {
          const list = this.planned.get(e.host) ?? [];
          list.push({ op: e.op, summary: e.summary, diff: e.diff });
          this.planned.set(e.host, list);
        }
        break;
      case "op_failed":
        out(`${pc.red("✗")} ${pc.bold(e.host)} ${e.op}: ${pc.red(e.error)}`);
        if (e.output)
          out(
            pc.dim(
              e.output
                .trimEnd()
                .split("\n")
                .map((l) => `    ${l}`)
                .join("\n"),
            ),
          );
        break;
      case "host_finished": {
        this.durations[e.host] = (this.durations[e.host] ?? 0) + e.duration_ms;
        const changes = this.planned.get(e.host) ?? [];
        if (this.opts.mode === "plan" || (this.opts.showDiff && changes.length)) this.printPlan(e.host, changes);
        const mark =
          e.status === "failed"
            ? pc.red("✗")
            : e.status === "unreachable"
              ? pc.magenta("⚠")
              : e.status === "changed"
                ? pc.yellow("~")
                : pc.green("✓");
        // The play's counts for the host: ops to change / changed, ok…; handler runs apart, labelled.
        const what = this.opts.mode === "plan" ? `${e.counts.changed} to change` : `${e.counts.changed} changed`;
        const handlers = e.counts.handlers
          ? `, ${e.counts.handlers} handler${e.counts.handlers === 1 ? "" : "s"}${this.opts.mode === "plan" ? " pending" : " ran"}`
          : "";
        out(
          `${mark} ${pc.bold(e.host)} ${e.status}  ${what}, ${e.counts.ok} ok${e.counts.failed ? `, ${e.counts.failed} failed` : ""}${e.counts.skipped ? `, ${e.counts.skipped} skipped` : ""}${handlers}  ${pc.dim(`${(e.duration_ms / 1000).toFixed(2)}s, ${e.execs} exec${e.execs === 1 ? "" : "s"}`)}${e.error ? `\n    ${pc.red(e.error)}` : ""}`,
        );
        this.planned.delete(e.host);
        break;
      }
      case "secret_stored":
        out(pc.green(`→ ${e.host}: ${e.op}: stored ${e.key} in ${e.file} (vault)`));
        break;
      case "handlers_resumed":
        out(pc.yellow(`↻ ${e.host}: handlers an interrupted run left pending will run first: ${e.handlers.join(", ")}`));
        break;
      case "play_aborted":
        out(pc.red(`■ play stopped: ${e.reason}`));
        break;
      case "interrupted":
        out(
          pc.yellow("■ interrupted: hosts stopped at their next operation boundary; pending handlers stay on the hosts for the next run"),
        );
        break;
      case "recap":
        out(pc.bold("\nRECAP"));
        for (const l of recapTable(e.hosts, this.durations)) out(l);
        break;
      default:
    }
  };

  /** Prints what would change on a host (plan mode, or apply before confirmation). */
  printPlan(host: string, changes: { op: string; summary: string; diff?: string }[]): void {
    if (changes.length === 0) return;
    out(pc.bold(`  ${host}:`));
    for (const c of changes) {
      out(`    ${pc.yellow("~")} ${c.op}  ${pc.dim(c.summary)}`);
      if (c.diff)
        out(
          colorDiff(c.diff)
            .split("\n")
            .map((l) => `      ${l}`)
            .join("\n"),
        );
    }
  }

  /** Returns and forgets the changes planned for hosts (shown before the confirmation prompt). */
  takePlanned(): Map<string, { op: string; summary: string; diff?: string }[]> {
    const p = this.planned;
    this.planned = new Map();
    return p;
  }

  restorePlanned(p: Map<string, { op: string; summary: string; diff?: string }[]>): void {
    this.planned = p;
  }
}
