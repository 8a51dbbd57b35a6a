import type { FactBatchKind, FactRequest } from "../core/operation.js";
import { PENDING_DIR, pendingFile } from "./script.js";

/** Returns the fact request for the handlers an earlier run of this play left pending on the host. */
export function pendingRequest(key: string): FactRequest<string[]> {
  return {
    key: `pending-handlers:${key}`,
    command: `cat ${pendingFile(key)} 2>/dev/null; true`,
    parse: (out) => out.split("\n").filter((l) => l !== ""),
    batch: { kind: PENDING, arg: key },
  };
}

const MARK = "@@bosun-pending";

/**
 * The batch kind of pendingRequest (a run asks one per play): the files are read with shell
 * builtins, under one marker line each, so all of them cost the host one `id -u` (in PENDING_DIR).
 */
const PENDING: FactBatchKind = {
  id: "pending",
  command: (keys) =>
    [
      `__bd=${PENDING_DIR}`,
      `for __bk in ${keys.join(" ")}; do echo "${MARK} $__bk"`,
      `  [ -r "$__bd/$__bk" ] || continue`,
      `  while IFS= read -r __bl || [ -n "$__bl" ]; do printf '%s\\n' "$__bl"; done < "$__bd/$__bk"`,
      "done",
    ].join("\n"),
  split: (output) => {
    const out = new Map<string, { output: string; rc: number }>();
    let key: string | undefined;
    let lines: string[] = [];
    const flush = () => key !== undefined && out.set(key, { output: lines.join("\n"), rc: 0 });
    for (const line of output.split("\n")) {
      if (!line.startsWith(`${MARK} `)) {
        lines.push(line);
        continue;
      }
      flush();
      key = line.slice(MARK.length + 1);
      lines = [];
    }
    flush();
    return out;
  },
};
