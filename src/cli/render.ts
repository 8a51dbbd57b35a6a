import pc from "picocolors";
import type { HostOutcome, HostStatus } from "../engine/adhoc.js";
import { redact, redactDeep } from "../vault/redact.js";

const COLOR: Record<HostStatus, (s: string) => string> = { ok: pc.green, failed: pc.red, unreachable: pc.magenta };

export function statusText(s: HostStatus): string {
  return COLOR[s](s.toUpperCase());
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}

/** Returns the closing summary line: "3 hosts: 2 ok, 1 failed, 0 unreachable in 0.41s". */
export function summaryLine(outcomes: HostOutcome<unknown>[], totalMs: number): string {
  const count = (s: HostStatus) => outcomes.filter((o) => o.status === s).length;
  const parts = [pc.green(`${count("ok")} ok`), count("failed") ? pc.red(`${count("failed")} failed`) : "0 failed"];
  parts.push(count("unreachable") ? pc.magenta(`${count("unreachable")} unreachable`) : "0 unreachable");
  return `${outcomes.length} host${outcomes.length === 1 ? "" : "s"}: ${parts.join(", ")} in ${seconds(totalMs)}`;
}

/** Writes a line to stdout: the CLI's only printing path for results, so every secret plaintext known to the process is masked here. */
export function out(line = ""): void {
  process.stdout.write(`${redact(line)}\n`);
}

/**
 * Writes value as one JSON line on stdout, secrets masked BEFORE serializing: masking the JSON text
 * would miss a secret whose `"` or `\\` JSON escapes.
 */
export function outJson(value: unknown, indent?: number): void {
  out(JSON.stringify(redactDeep(value), null, indent));
}
