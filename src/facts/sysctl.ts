import type { FactBatchKind, FactRequest } from "../core/operation.js";
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
    batch: { kind: SYSCTLS, arg: key },
  };
}

/**
 * The batch kind of sysctlFact: ONE `sysctl KEY…`, which prints "KEY = value" for each key it can
 * read. A key it cannot (unknown, unreadable) is left out and gathered alone, so its error stays the
 * single command's.
 */
export const SYSCTLS: FactBatchKind = {
  id: "sysctl",
  command: (keys) => `sysctl ${keys.map(quote).join(" ")}; true`,
  split: (output, _rc, keys) => {
    const values = new Map<string, string>();
    let last: string | undefined;
    for (const line of output.split("\n")) {
      const m = /^(\S+) = (.*)$/.exec(line);
      if (m) values.set((last = m[1] as string), m[2] as string);
      else if (last !== undefined) values.set(last, `${values.get(last)}\n${line}`);
    }
    const out = new Map<string, { output: string; rc: number }>();
    for (const k of keys) {
      const v = values.get(k);
      if (v !== undefined) out.set(k, { output: v, rc: 0 });
    }
    return out;
  },
};

/** Parses `sysctl -n` output and exit status. */
export function parseSysctlValue(output: string, rc: number): SysctlValue {
  if (rc !== 0) return { exists: false };
  return { exists: true, value: normalizeSysctlValue(output) };
}

/** Returns a sysctl value as compared: trimmed, whitespace runs as one space. */
export function normalizeSysctlValue(v: string | number): string {
  return String(v).trim().split(/\s+/).join(" ");
}
