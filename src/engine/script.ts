import { randomBytes } from "node:crypto";
import { FLUSH_HANDLERS } from "../core/collector.js";
import type { Operation } from "../core/operation.js";
import { quote } from "../util/shell.js";
import { PRELUDE } from "./prelude.js";
import { markerOf, type StepId, stepKey } from "./script-output.js";

export type { ApplyOutcome, HandlerRun, StepId, StepResult } from "./script-output.js";
export { opResult, parseApplyOutput } from "./script-output.js";

/** A handler as the apply script sees it: its name and the operations it runs. */
export interface ScriptHandler {
  name: string;
  ops: Operation[];
}

export interface ApplyScript {
  script: string;
  token: string;
}

export interface ApplyScriptOptions {
  token?: string;
  /**
   * Names the host file (pendingFile) that holds the handlers notified but not yet run: written
   * before an op that may notify runs, so a run cut off at any point leaves them for the next run.
   * Unset: not kept.
   */
  pendingKey?: string;
  /** Handlers (indexes) left pending by an earlier run: notified from the start, run at the end. */
  resume?: number[];
}

/** Returns the host work directory of the apply with this token (its `stop` file stops the script between operations). */
export const workDir = (token: string) => `/tmp/bosun-run.${token}`;

/**
 * The host directory (sh text, expanded on the host) of the pending-handlers files: per user (the
 * one the script runs as), in /var/tmp, which survives a reboot.
 */
export const PENDING_DIR = "/var/tmp/bosun-pending-$(id -u)";

/** Returns the host path (sh text) of the pending-handlers file for key, in PENDING_DIR. */
export function pendingFile(key: string): string {
  if (!/^[0-9a-f]+$/.test(key)) throw new Error(`pending key must be hex, got ${key}`);
  return `${PENDING_DIR}/${key}`;
}

/** Returns a shell variable name for handler i (names are free text). */
const notifyVar = (i: number) => `__n${i}`;

/**
 * Returns ONE sh script that applies ops in order on a host, then the notified handlers.
 * Each op runs in a subshell under `set -e`, stdin from /dev/null (the script itself is on stdin),
 * its output in a log; marker lines on stdout tell the engine which op changed or failed (with the
 * log tail). After a failure no further op runs, but handlers notified by ops that changed before
 * it still run (like Ansible's force_handlers). Between operations the script checks for a `stop`
 * file in its work dir (the engine creates it on abort): it then runs nothing more, handlers
 * included; they stay in the pending file for the next run. Exit status: 0 all ran, 1 an op failed.
 */
export function buildApplyScript(ops: Operation[], handlers: ScriptHandler[], o: ApplyScriptOptions = {}): ApplyScript {
  const token = o.token ?? randomBytes(6).toString("hex");
  const m = markerOf(token);
  const handlerIndex = new Map(handlers.map((h, i) => [h.name, i]));
  const lines: string[] = [
    "exec 3>&1",
    `__m='${m}'`,
    // Work dirs of applies whose shell is gone (a hard exit skipped their trap) go first.
    `for __o in /tmp/bosun-run.*; do [ -d "$__o" ] || continue; __op=$(cat "$__o/pid" 2>/dev/null) || __op=; if [ -n "$__op" ] && ! kill -0 "$__op" 2>/dev/null; then rm -rf "$__o"; fi; done`,
    `__d=${workDir(token)}`,
    `mkdir -m 700 "$__d" || exit 90`,
    `echo $$ > "$__d/pid"`,
    `trap 'rm -rf "$__d"' EXIT`,
    "__fail=; __stop=",
    PRELUDE,
    pendingSaver(handlers, o.pendingKey),
  ];
  for (const hi of o.resume ?? []) lines.push(`${notifyVar(hi)}=1`);
  let steps = 0;
  const block = (id: StepId, op: Operation, onChange: string[]) => {
    const key = stepKey(id);
    const body = op.apply();
    lines.push(
      // An empty function body is a syntax error that would break the whole script.
      `__op() {\n${body.trim() === "" ? ":" : body}\n}`,
      // Each step has its own "changed" marker file ($__cf), so none has to be removed (a process) after it.
      `__cf="$__d/c${steps++}"; (set -e; __op) </dev/null >"$__d/log" 2>&1; __rc=$?`,
      `if [ -e "$__cf" ]; then echo '${m} changed ${key}'; [ $__rc -ne 0 ] || { ${onChange.join(" ")} :; }; fi`,
      `if [ $__rc -ne 0 ]; then echo "${m} failed ${key} $__rc"; tail -n 40 "$__d/log"; echo '${m} end'; __fail=1; else echo '${m} done ${key}'; fi`,
    );
  };
  // Runs the notified handlers in declaration order and clears their notifications.
  const runHandlers = (flushAt: number | null) => {
    handlers.forEach((h, hi) => {
      lines.push(`if [ -z "$__stop" ] && [ -n "\${${notifyVar(hi)}:-}" ]; then echo '${m} handler ${hi} ${flushAt ?? "-"}'; __hfail=`);
      h.ops.forEach((op, oi) => {
        lines.push('if [ -z "$__hfail" ]; then');
        block({ handler: hi, op: oi, flushAt }, op, []);
        lines.push("[ $__rc -eq 0 ] || __hfail=1", "fi");
      });
      // Cleared once it ran (a failed handler is reported, not retried by the next run).
      lines.push(`${notifyVar(hi)}=; __psave`, "fi");
    });
  };
  ops.forEach((op, i) => {
    const notifies = op.notify.filter((n) => handlerIndex.has(n)).map((n) => handlerIndex.get(n) as number);
    const sets = notifies.map((hi) => `${notifyVar(hi)}=1;`);
    lines.push(`if [ -z "$__fail" ] && [ -z "$__stop" ] && [ -e "$__d/stop" ]; then __stop=1; echo '${m} stopped ${i}'; fi`);
    lines.push('if [ -z "$__fail$__stop" ]; then');
    if (op.kind === FLUSH_HANDLERS) {
      lines.push(`echo '${m} done ${stepKey({ op: i })}'`);
      runHandlers(i);
    } else {
      // Before an op that may notify: its handlers are saved as pending, so a cut-off run cannot lose them.
      // Set, saved and set back in this shell (not a subshell), so __psave knows what the file holds.
      if (notifies.length > 0)
        lines.push(
          [
            ...notifies.map((hi) => `__b${hi}=\${${notifyVar(hi)}:-}; ${notifyVar(hi)}=1;`),
            "__psave;",
            ...notifies.map((hi) => `${notifyVar(hi)}=$__b${hi};`),
          ].join(" "),
        );
      block({ op: i }, op, sets);
      if (notifies.length > 0) lines.push("__psave");
    }
    lines.push("fi");
  });
  runHandlers(null);
  lines.push(`echo '${m} finished'`, '[ -z "$__fail" ] || exit 1', "exit 0");
  return { script: `${lines.join("\n")}\n`, token };
}

/**
 * Returns the sh function __psave: writes the names of notified handlers to the pending file (none:
 * removes it). It writes only when they differ from what it last wrote (__plast; unknown at the
 * start, when a file from an earlier run may be there), so a run of ops that notify the same
 * handler writes the file once, not twice per op.
 */
function pendingSaver(handlers: ScriptHandler[], key: string | undefined): string {
  if (!key || handlers.length === 0) return "__psave() { :; }";
  const names = handlers.map((h, hi) => `[ -z "\${${notifyVar(hi)}:-}" ] || __s="$__s"${quote(`${h.name}\n`)}`);
  return [
    `__pf=${pendingFile(key)}; __plast='-'`,
    "__psave() {",
    `  __s=; ${names.join("; ")}`,
    '  [ "$__s" != "$__plast" ] || return 0',
    '  if [ -z "$__s" ]; then [ ! -e "$__pf" ] || rm -f "$__pf"',
    '  else { [ -d "${__pf%/*}" ] || mkdir -p -m 700 "${__pf%/*}"; } && printf %s "$__s" > "$__pf.tmp" && mv -f "$__pf.tmp" "$__pf" || return 1; fi',
    "  __plast=$__s",
    "}",
  ].join("\n");
}
