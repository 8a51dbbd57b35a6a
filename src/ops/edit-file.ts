/**
 * Operations that edit part of a file (lineInFile, blockInFile, hostname's /etc/hosts line) share this:
 * the planner runs a pure TypeScript model of the edit on the file fact's content, and the host runs
 * the same edit (grep + awk, both in the Debian base) on the file as it is when apply runs, because an
 * earlier operation of the run may have changed it. Text is handled byte-wise on both sides: the model
 * sees latin1 strings (one char per byte), the host runs in the C locale.
 */
import { type CommonOptions, commonFields, type FactRequest, type Operation, type OpPlan } from "../core/operation.js";
import { type FileFact, fileFact } from "../facts/file.js";
import { quote } from "../util/shell.js";
import { type Attrs, attrArgs, attrChanges, normalizeAttrs, requireAbsolute } from "./attrs.js";
import { contentDiff } from "./diff.js";

/** An edit of a text, modelled in TypeScript and scripted for the host. */
export interface TextEdit {
  /** Returns the edited text (latin1: one char per byte), exactly what `script` writes. */
  edit(text: string): string;
  /** sh that reads "$__src" (its final newline missing when $__nonl is 1) and writes the edited text to "$__new". */
  script: string;
}

export interface EditedFile extends Attrs {
  kind: string;
  path: string;
  edit: TextEdit;
  /** What a missing file means: start from `seed` and create it, fail, or nothing to do. */
  missing: "create" | "fail" | "skip";
  /** Content (UTF-8) a created file starts from; default empty. */
  seed?: string;
}

/** A line of edited output: its text and the 1-based line of the input it is, or 0 for a line the edit wrote. */
export interface OutLine {
  text: string;
  from: number;
}

/** Returns the lines of a text and whether it ends with a newline (an empty text has no lines and counts as ending with one). */
export function splitText(text: string): { lines: string[]; eol: boolean } {
  if (text === "") return { lines: [], eol: true };
  const eol = text.endsWith("\n");
  return { lines: (eol ? text.slice(0, -1) : text).split("\n"), eol };
}

/**
 * Returns the text of edited lines. Every line ends with a newline, except the input's last line when
 * it had none and is still last and untouched: an edit never adds a newline nobody asked for.
 */
export function joinText(out: OutLine[], inputLines: number, eol: boolean): string {
  if (out.length === 0) return "";
  const last = out[out.length - 1] as OutLine;
  const keepMissing = !eol && inputLines > 0 && last.from === inputLines;
  return out.map((l) => l.text).join("\n") + (keepMissing ? "" : "\n");
}

/** awk functions and END-block printing with the same newline rule as joinText (needs -v nonl=…). */
export const AWK_OUT = String.raw`function out(s, from) { o[++k] = s; of[k] = from }
function flush(  i) { for (i = 1; i <= k; i++) printf "%s%s", o[i], (i == k && nonl && NR > 0 && of[i] == NR) ? "" : "\n" }`;

/** Returns the 1-based number of the last line re matches, 0 when none does. */
export function lastMatching(lines: string[], re: RegExp): number {
  for (let i = lines.length - 1; i >= 0; i--) if (re.test(lines[i] as string)) return i + 1;
  return 0;
}

/** Returns a latin1 string of UTF-8 text: how the model sees a user's line. */
export function bytesOf(s: string): string {
  return Buffer.from(s, "utf8").toString("latin1");
}

/** Returns sh that sets var to the numbers of the lines of "$__src" that match ere (space-separated; "last": only the last one). */
export function grepLines(ere: string, variable: string, which: "all" | "last" = "all"): string {
  const pick = which === "last" ? "tail -n 1" : "tr '\\n' ' '";
  return [
    `{ LC_ALL=C grep -a -n -E -e ${quote(ere)} "$__src" || [ $? -eq 1 ]; } > "$__d/edit.m"`,
    `${variable}=$(cut -d: -f1 < "$__d/edit.m" | ${pick})`,
  ].join("\n");
}

/** Returns the fact an edited file needs. */
export function editedFileFact(f: EditedFile): FactRequest<FileFact> {
  return fileFact(f.path);
}

/** Returns what editing the file would change, from its fact (pure). */
export function planEditedFile(f: EditedFile, cur: FileFact): OpPlan {
  const attrs = normalizeAttrs(f);
  if (cur.type !== "file" && cur.type !== "absent") {
    throw new Error(`${f.path} is a ${cur.type === "link" ? "symlink" : cur.type}; ${f.kind} edits regular files only`);
  }
  if (cur.type === "absent") {
    if (f.missing === "skip") return { changed: false, summary: "file absent" };
    if (f.missing === "fail") return { changed: true, summary: "file does not exist (create: false): fails unless created earlier" };
    const after = Buffer.from(f.edit.edit(bytesOf(f.seed ?? "")), "latin1");
    return {
      changed: true,
      summary: `create (${lineCount(after)} lines${attrs.mode ? `, mode ${attrs.mode}` : ""})`,
      diff: contentDiff(f.path, undefined, after),
    };
  }
  const changes = attrChanges(cur, attrs);
  if (cur.content === undefined) {
    return { changed: true, summary: "file too large to read back: the edit is decided on the host" };
  }
  const after = Buffer.from(f.edit.edit(cur.content.toString("latin1")), "latin1");
  if (!after.equals(cur.content)) {
    const diff = contentDiff(f.path, cur.content, after);
    changes.unshift(`edit ${diffCounts(diff)}`);
    return { changed: true, summary: changes.join(", "), diff };
  }
  return changes.length > 0 ? { changed: true, summary: changes.join(", ") } : { changed: false, summary: "up to date" };
}

/** What the plan computed for a host: the content it saw (its sha256, "absent" for none) and the edited content. */
export interface PlannedEdit {
  sawSha256: string;
  content: Buffer;
}

/** Returns the edit the plan computed from the fact, when the fact carried the content (or the file is absent and created). */
export function plannedEdit(f: EditedFile, cur: FileFact): PlannedEdit | undefined {
  if (cur.type === "absent" && f.missing === "create")
    return { sawSha256: "absent", content: Buffer.from(f.edit.edit(bytesOf(f.seed ?? "")), "latin1") };
  if (cur.type !== "file" || cur.content === undefined || cur.sha256 === undefined) return undefined;
  return { sawSha256: cur.sha256, content: Buffer.from(f.edit.edit(cur.content.toString("latin1")), "latin1") };
}

/**
 * Returns the guarded sh that edits the file on the host (written atomically by __put, only when it differs).
 * With a planned edit, a compare-and-swap: when the file still has the content the plan saw, the
 * content computed in TypeScript is written as is; when it changed since (an earlier op of the run
 * wrote it), the host derives the edit again from what is there (docs/engine.md).
 */
export function applyEditedFile(f: EditedFile, planned?: PlannedEdit): string {
  const host = applyEditedFileOnHost(f);
  if (!planned) return host;
  const p = quote(f.path);
  const now = `$(if [ -e ${p} ]; then sha256sum < ${p} | cut -d' ' -f1; else echo absent; fi)`;
  return [
    `if [ "${now}" = ${quote(planned.sawSha256)} ]; then`,
    `if [ -L ${p} ] || { [ -e ${p} ] && [ ! -f ${p} ]; }; then echo ${quote(`${f.path} is not a regular file; ${f.kind} edits regular files only`)} >&2; exit 1; fi`,
    `__put ${p} ${quote(planned.content.toString("base64"))} ${attrArgs(normalizeAttrs(f))}`,
    "else",
    host,
    "fi",
  ].join("\n");
}

/** Returns the sh that derives the edit on the host from the file as it is (grep + awk) and writes it. */
function applyEditedFileOnHost(f: EditedFile): string {
  const p = quote(f.path);
  const edit = [
    `if [ -s "$__src" ] && [ -n "$(tail -c 1 "$__src")" ]; then __nonl=1; else __nonl=; fi`,
    `__new="$__d/edit.new"`,
    f.edit.script,
    `__put ${p} "$(base64 -w0 "$__new")" ${attrArgs(normalizeAttrs(f))}`,
    `rm -f "$__d/edit.new" "$__d/edit.seed" "$__d/edit.m"`,
  ].join("\n");
  const lines = [
    `if [ -L ${p} ] || { [ -e ${p} ] && [ ! -f ${p} ]; }; then echo ${quote(`${f.path} is not a regular file; ${f.kind} edits regular files only`)} >&2; exit 1; fi`,
    `__src=${p}`,
  ];
  if (f.missing === "skip") return [...lines, `if [ -e ${p} ]; then`, edit, "fi"].join("\n");
  if (f.missing === "fail") {
    lines.push(`[ -e ${p} ] || { echo ${quote(`${f.path} does not exist (create: false)`)} >&2; exit 1; }`);
  } else {
    const seed = Buffer.from(f.seed ?? "", "utf8").toString("base64");
    lines.push(`if [ ! -e ${p} ]; then __src="$__d/edit.seed"; printf %s ${quote(seed)} | base64 -d > "$__src"; fi`);
  }
  return [...lines, edit].join("\n");
}

/** Returns (without declaring) the operation that applies an edit to a file. */
export function editedFileOp(f: EditedFile, o: CommonOptions): Operation {
  requireAbsolute(f.kind, f.path);
  normalizeAttrs(f); // a bad mode fails at declaration
  const fact = editedFileFact(f);
  // The op is declared per host: the plan's edit is kept for this host's apply (compare-and-swap).
  let planned: PlannedEdit | undefined;
  return {
    kind: f.kind,
    name: f.path,
    ...commonFields(o),
    facts: () => [fact],
    plan: (facts) => {
      const cur = facts.get(fact);
      const plan = planEditedFile(f, cur);
      planned = plannedEdit(f, cur);
      return plan;
    },
    apply: () => applyEditedFile(f, planned),
  };
}

function lineCount(b: Buffer): number {
  return splitText(b.toString("latin1")).lines.length;
}

/** Returns "+a −r" from a unified diff's body lines. */
function diffCounts(diff: string): string {
  let add = 0;
  let del = 0;
  for (const l of diff.split("\n")) {
    if (l.startsWith("+++") || l.startsWith("---")) continue;
    if (l.startsWith("+")) add++;
    else if (l.startsWith("-")) del++;
  }
  return `+${add} −${del}`;
}
