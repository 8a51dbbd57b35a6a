import type { FactRequest } from "../core/operation.js";

/** Returns the fact of the kernel's (live) hostname. */
export function liveHostnameFact(): FactRequest<string> {
  return {
    key: "hostname:live",
    command: "cat /proc/sys/kernel/hostname",
    parse: parseLiveHostname,
  };
}

/** Parses the kernel hostname: the first line, trimmed. */
export function parseLiveHostname(output: string): string {
  return (output.split("\n")[0] ?? "").trim();
}
