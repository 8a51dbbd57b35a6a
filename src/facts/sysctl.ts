import type { FactRequest } from "../core/operation.js";
import { quote } from "../util/shell.js";

export interface SysctlValue {
  /** False when the kernel has no such key (module not loaded, wrong name). */
  exists: boolean;
  /** The live value, whitespace runs collapsed to one space ("32768\t60999" → "32768 60999"). */
  value?: string;
}

/** Returns the fact of a kernel parameter's live value (`sysctl -n KEY`). */
export function sysctlFact(key: string): FactRequest<SysctlValue> {
  return {
    key: `sysctl:${key}`,
    command: `sysctl -n ${quote(key)}`,
    parse: parseSysctlValue,
  };
}

/** Parses `sysctl -n` output and exit status. */
export function parseSysctlValue(output: string, rc: number): SysctlValue {
  if (rc !== 0) return { exists: false };
  return { exists: true, value: normalizeSysctlValue(output) };
}

/** Returns a sysctl value as compared: trimmed, whitespace runs as one space. */
export function normalizeSysctlValue(v: string | number): string {
  return String(v).trim().split(/\s+/).join(" ");
}
