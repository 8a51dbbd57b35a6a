import { randomBytes } from "node:crypto";
import { FLUSH_HANDLERS } from "../core/collector.js";
import type { Operation } from "../core/operation.js";
import { PRELUDE } from "./prelude.js";

/** A handler as the apply script sees it: its name and the operations it runs. */
export interface ScriptHandler {
  name: string;
  ops: Operation[];
}

export interface ApplyScript {
  script: string;
  token: string;
}

/** The kind of the op that runs the handlers notified so far, at its place in the play (flushHandlers()). */

/** Returns a shell variable name for handler i (names are free text). */
const notifyVar = (i: number) => `__n${i}`;

/**
 * Returns ONE sh script that applies ops in order on a host, then the notified handlers.
 * Each op runs in a subshell under `set -e`, stdin from /dev/null (the script itself is on stdin),
 * its output in a log; marker lines on stdout tell the engine which op changed or failed (with the
 * log tail). After a failure no further op runs, but handlers notified by ops that changed before
 * it still run (like Ansible's force_handlers). Exit status: 0 all ran, 1 an op failed.
 */
export function buildApplyScript(ops: Operation[], handlers: ScriptHandler[], token = randomBytes(6).toString("hex")): ApplyScript {
  const m = `@@bosun-${token}`;
  const handlerIndex = new Map(handlers.map((h, i) => [h.name, i]));
  const lines: string[] = [
    "exec 3>&1",
    `__d=$(mktemp -d 2>/dev/null || { mkdir -m 700 /tmp/bosun.$$ && echo /tmp/bosun.$$; }) || exit 90`,
    `trap 'rm -rf "$__d"' EXIT`,
    "__fail=",
    PRELUDE,
  ];
  const block = (id: string, op: Operation, onChange: string[]) => {
    const body = op.apply();
    lines.push(
      // An empty function body is a syntax error that would break the whole script.
      `__op() {\n${body.trim() === "" ? ":" : body}\n}`,
      `(set -e; __op) </dev/null >"$__d/log" 2>&1; __rc=$?`,
      `if [ -e "$__d/c" ]; then rm -f "$__d/c"; echo '${m} changed ${id}'; [ $__rc -ne 0 ] || { ${onChange.join(" ")} :; }; fi`,
      `if [ $__rc -ne 0 ]; then echo "${m} failed ${id} $__rc"; tail -n 40 "$__d/log"; echo '${m} end'; __fail=1; else echo '${m} done ${id}'; fi`,
    );
  };
  // Runs the notified handlers in declaration order and clears their notifications; suffix tells runs apart.
  const runHandlers = (suffix: string) => {
    handlers.forEach((h, hi) => {
      lines.push(`if [ -n "\${${notifyVar(hi)}:-}" ]; then ${notifyVar(hi)}=; echo '${m} handler ${hi}${suffix}'; __hfail=`);
      h.ops.forEach((op, oi) => {
        lines.push('if [ -z "$__hfail" ]; then');
        block(`h${hi}.${oi}${suffix}`, op, []);
        lines.push("[ $__rc -eq 0 ] || __hfail=1", "fi");
      });
      lines.push("fi");
    });
  };
  ops.forEach((op, i) => {
    const sets = op.notify.filter((n) => handlerIndex.has(n)).map((n) => `${notifyVar(handlerIndex.get(n) as number)}=1;`);
    lines.push('if [ -z "$__fail" ]; then');
    if (op.kind === FLUSH_HANDLERS) {
      lines.push(`echo '${m} done ${i}'`);
      runHandlers(`@${i}`);
    } else block(String(i), op, sets);
    lines.push("fi");
  });
  runHandlers("");
  lines.push('[ -z "$__fail" ] || exit 1', "exit 0");
  return { script: `${lines.join("\n")}\n`, token };
}

export interface OpOutcome {
  /** "3" for op 3, "h1.0" for handler 1's first op. */
  id: string;
  status: "changed" | "ok" | "failed";
  rc?: number;
  /** Last lines of the op's output, when it failed. */
  output?: string;
}

export interface ApplyOutcome {
  ops: Map<string, OpOutcome>;
  /** Handler runs, in order: "2" for handler 2 at the end of the play, "2@5" for its run at the flush that is op 5. */
  handlersRun: string[];
}

/** Returns what the apply script's stdout says happened to each op. */
export function parseApplyOutput(stdout: string, token: string): ApplyOutcome {
  const m = `@@bosun-${token}`;
  const ops = new Map<string, OpOutcome>();
  const handlersRun: string[] = [];
  const lines = stdout.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!line.startsWith(`${m} `)) continue;
    const [verb, id = "", rc] = line.slice(m.length + 1).split(" ");
    if (verb === "changed") ops.set(id, { id, status: "changed" });
    else if (verb === "done") {
      if (!ops.has(id)) ops.set(id, { id, status: "ok" });
    } else if (verb === "failed") {
      const out: string[] = [];
      const end = `${m} end`;
      while (i + 1 < lines.length) {
        const next = lines[++i] as string;
        // When the op's output did not end with a newline, the end marker follows its last line on the same line.
        if (next.endsWith(end)) {
          if (next.length > end.length) out.push(next.slice(0, -end.length));
          break;
        }
        out.push(next);
      }
      ops.set(id, { id, status: "failed", rc: Number(rc), output: out.join("\n") });
    } else if (verb === "handler") handlersRun.push(id);
  }
  return { ops, handlersRun };
}
