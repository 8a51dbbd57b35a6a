import { declareOp } from "../core/collector.js";
import type { CommonOptions, Operation } from "../core/operation.js";
import { quote } from "../util/shell.js";
import type { Attrs } from "./attrs.js";
import { AWK_OUT, bytesOf, editedFileOp, grepLines, joinText, lastMatching, type OutLine, splitText, type TextEdit } from "./edit-file.js";
import { type LinePattern, linePattern } from "./line-regex.js";

export interface LineInFileOptions extends CommonOptions, Attrs {
  /** The line (without newline). Required for state "present". */
  line?: string;
  /**
   * A pattern (JavaScript syntax, the subset `grep -E` reads the same way; see line-regex.ts).
   * present: the LAST matching line is replaced by `line`; absent: every matching line is removed.
   */
  regexp?: string;
  state?: "present" | "absent";
  /** Where a missing line goes: "EOF" (default) or after the last line matching this pattern (EOF when none does). */
  insertAfter?: string;
  /** Create the file when it does not exist (state present). Default false: a missing file fails the op. */
  create?: boolean;
}

/** What lineEdit needs: the validated options of one line. */
export interface LineSpec {
  line?: string;
  regexp?: string;
  state: "present" | "absent";
  insertAfter?: string;
}

/**
 * Returns the edit that ensures one line (Ansible lineinfile semantics):
 * present with regexp: the last matching line becomes `line`; when none matches and `line` is not
 * already there, it is inserted. present without regexp: inserted unless an equal line exists.
 * absent: lines matching regexp (or equal to line) are removed. Throws on invalid options.
 */
export function lineEdit(kind: string, s: LineSpec): TextEdit {
  if (s.state !== "present" && s.state !== "absent") throw new Error(`${kind}: state must be "present" or "absent", got "${s.state}"`);
  if (s.line !== undefined && /[\n\0]/.test(s.line)) throw new Error(`${kind}: line must be one line (no newline or NUL)`);
  if (s.state === "present" && s.line === undefined) throw new Error(`${kind}: state present needs a line`);
  if (s.state === "absent" && s.line === undefined && s.regexp === undefined)
    throw new Error(`${kind}: state absent needs a regexp or a line`);
  if (s.state === "absent" && s.insertAfter !== undefined) throw new Error(`${kind}: insertAfter only applies to state present`);
  const re = s.regexp === undefined ? undefined : linePattern(`${kind} regexp`, s.regexp);
  const after: LinePattern | undefined =
    s.insertAfter === undefined || s.insertAfter === "EOF" ? undefined : linePattern(`${kind} insertAfter`, s.insertAfter);
  const line = s.line ?? "";
  const model = bytesOf(line);

  const edit = (text: string): string => {
    const { lines, eol } = splitText(text);
    const out: OutLine[] = [];
    if (s.state === "absent") {
      lines.forEach((l, i) => {
        if (!(re ? re.js.test(l) : l === model)) out.push({ text: l, from: i + 1 });
      });
      return joinText(out, lines.length, eol);
    }
    const last = re ? lastMatching(lines, re.js) : 0;
    const mine = new Set<number>();
    let done = false;
    if (last > 0) {
      done = true;
      if (lines[last - 1] !== model) {
        lines[last - 1] = model;
        mine.add(last);
      }
    }
    if (!done) done = lines.includes(model);
    let pos = -1;
    if (!done) {
      const a = after ? lastMatching(lines, after.js) : 0;
      pos = a > 0 ? a : lines.length;
    }
    if (pos === 0) out.push({ text: model, from: 0 });
    lines.forEach((l, i) => {
      out.push({ text: l, from: mine.has(i + 1) ? 0 : i + 1 });
      if (i + 1 === pos) out.push({ text: model, from: 0 });
    });
    return joinText(out, lines.length, eol);
  };

  const awk = `${AWK_OUT}
BEGIN { L = ENVIRON["__L"] ""; c = split(ENVIRON["__M"], t, " "); for (x = 1; x <= c; x++) { hit[t[x] + 0] = 1; if (t[x] + 0 > last) last = t[x] + 0 }; after = ENVIRON["__A"] + 0 }
{ l[NR] = $0 "" }
END {
  n = NR
  if (state == "absent") { for (i = 1; i <= n; i++) if (!(useRe ? (i in hit) : l[i] == L)) out(l[i], i); flush(); exit }
  done = 0
  if (last > 0) { done = 1; if (l[last] != L) { l[last] = L; mine[last] = 1 } }
  for (i = 1; !done && i <= n; i++) if (l[i] == L) done = 1
  pos = done ? -1 : (after > 0 ? after : n)
  if (pos == 0) out(L, 0)
  for (i = 1; i <= n; i++) { out(l[i], (i in mine) ? 0 : i); if (i == pos) out(L, 0) }
  flush()
}`;
  const script = [
    "__m=; __a=",
    re ? grepLines(re.ere, "__m", s.state === "absent" ? "all" : "last") : "",
    after ? grepLines(after.ere, "__a", "last") : "",
    `__L=${quote(line)} __M="$__m" __A="$__a" awk -v state=${s.state} -v useRe=${re ? 1 : 0} -v nonl="$__nonl" ${quote(awk)} "$__src" > "$__new"`,
  ]
    .filter(Boolean)
    .join("\n");
  return { edit, script };
}

/**
 * Ensures a line is in a file (or, with state "absent", that no line matches). The plan shows a
 * unified diff; the host re-reads the file at apply time and rewrites it atomically only when it differs.
 * `lineInFile("/etc/ssh/sshd_config", { regexp: "^#?PermitRootLogin\\s", line: "PermitRootLogin no" })`
 */
export function lineInFile(path: string, o: LineInFileOptions): Operation {
  const state = o.state ?? "present";
  const edit = lineEdit("line_in_file", { line: o.line, regexp: o.regexp, state, insertAfter: o.insertAfter });
  const missing = state === "absent" ? "skip" : o.create ? "create" : "fail";
  return declareOp(editedFileOp({ kind: "line_in_file", path, edit, missing, mode: o.mode, owner: o.owner, group: o.group }, o));
}
