import { declareOp } from "../core/collector.js";
import type { CommonOptions, Operation } from "../core/operation.js";
import { quote } from "../util/shell.js";
import type { Attrs } from "./attrs.js";
import { AWK_OUT, bytesOf, editedFileOp, grepLines, joinText, lastMatching, type OutLine, splitText, type TextEdit } from "./edit-file.js";
import { linePattern } from "./line-regex.js";

export interface BlockInFileOptions extends CommonOptions, Attrs {
  /** The block's lines (one final newline is not a line of its own). Required for state "present". */
  block?: string;
  /** Names the block in the default marker, so a file can hold several blocks. */
  name?: string;
  /** Marker line; {mark} becomes BEGIN and END. Default "# {mark} BOSUN MANAGED BLOCK" + " <name>" when named. */
  marker?: string;
  state?: "present" | "absent";
  /** Where a new block goes: "EOF" (default) or after the last line matching this pattern (EOF when none does). */
  insertAfter?: string;
  /** Create the file when it does not exist (state present). Default false: a missing file fails the op. */
  create?: boolean;
}

export interface BlockSpec {
  block: string;
  begin: string;
  end: string;
  state: "present" | "absent";
  insertAfter?: string;
}

/** Returns the marker lines of a block: [begin, end]; throws on a marker without {mark} or spanning lines. */
export function blockMarkers(kind: string, o: { marker?: string; name?: string }): [string, string] {
  if (o.name !== undefined && !/^[^\s\n\0][^\n\0]*$/.test(o.name)) throw new Error(`${kind}: bad block name "${o.name}"`);
  const marker = o.marker ?? `# {mark} BOSUN MANAGED BLOCK${o.name ? ` ${o.name}` : ""}`;
  if (!marker.includes("{mark}")) throw new Error(`${kind}: marker must contain {mark}, got "${marker}"`);
  if (/[\n\0]/.test(marker)) throw new Error(`${kind}: marker must be one line`);
  return [marker.replaceAll("{mark}", "BEGIN"), marker.replaceAll("{mark}", "END")];
}

/**
 * Returns the edit that ensures a marked block (Ansible blockinfile semantics): when both markers are
 * there, the lines from one to the other (inclusive) are replaced by the block (or removed, for
 * absent); otherwise a present block is inserted with its markers. Throws on invalid options.
 */
export function blockEdit(kind: string, s: BlockSpec): TextEdit {
  if (s.state !== "present" && s.state !== "absent") throw new Error(`${kind}: state must be "present" or "absent", got "${s.state}"`);
  if (s.block.includes("\0")) throw new Error(`${kind}: block contains NUL`);
  if (s.state === "absent" && s.insertAfter !== undefined) throw new Error(`${kind}: insertAfter only applies to state present`);
  const body = s.block === "" ? [] : s.block.replace(/\n$/, "").split("\n");
  if (body.some((l) => l === s.begin || l === s.end)) throw new Error(`${kind}: the block contains its own marker line`);
  const after = s.insertAfter === undefined || s.insertAfter === "EOF" ? undefined : linePattern(`${kind} insertAfter`, s.insertAfter);
  const [b0, b1] = [bytesOf(s.begin), bytesOf(s.end)];
  const want = [b0, ...body.map(bytesOf), b1];

  const edit = (text: string): string => {
    const { lines, eol } = splitText(text);
    const out: OutLine[] = [];
    const keep = (from: number, to: number) => {
      for (let i = from; i <= to; i++) out.push({ text: lines[i - 1] as string, from: i });
    };
    const put = () => {
      for (const l of want) out.push({ text: l, from: 0 });
    };
    const s0 = lines.lastIndexOf(b0) + 1;
    const s1 = lines.lastIndexOf(b1) + 1;
    if (s0 > 0 && s1 > 0) {
      const [lo, hi] = s0 < s1 ? [s0, s1] : [s1, s0];
      keep(1, lo - 1);
      const same = hi - lo + 1 === want.length && want.every((l, j) => lines[lo - 1 + j] === l);
      if (same && s.state === "present") keep(lo, hi);
      else if (s.state === "present") put();
      keep(hi + 1, lines.length);
    } else if (s.state === "present") {
      const a = after ? lastMatching(lines, after.js) : 0;
      const pos = a > 0 ? a : lines.length;
      keep(1, pos);
      put();
      keep(pos + 1, lines.length);
    } else keep(1, lines.length);
    return joinText(out, lines.length, eol);
  };

  const awk = String.raw`${AWK_OUT}
function put(  j) { out(b0, 0); for (j = 1; j <= bn; j++) out(bl[j] "", 0); out(b1, 0) }
function keep(from, to,  i) { for (i = from; i <= to; i++) out(l[i], i) }
BEGIN { b0 = ENVIRON["__B0"] ""; b1 = ENVIRON["__B1"] ""; split(ENVIRON["__B"], bl, "\n"); after = ENVIRON["__A"] + 0 }
{ l[NR] = $0 "" }
END {
  n = NR; s0 = 0; s1 = 0
  for (i = 1; i <= n; i++) { if (l[i] == b0) s0 = i; if (l[i] == b1) s1 = i }
  if (s0 > 0 && s1 > 0) {
    lo = s0 < s1 ? s0 : s1; hi = s0 < s1 ? s1 : s0
    keep(1, lo - 1)
    same = (hi - lo + 1 == bn + 2) && l[lo] == b0 && l[hi] == b1
    for (j = 1; same && j <= bn; j++) if (l[lo + j] != bl[j] "") same = 0
    if (same && state == "present") keep(lo, hi); else if (state == "present") put()
    keep(hi + 1, n)
  } else if (state == "present") {
    pos = after > 0 ? after : n
    keep(1, pos); put(); keep(pos + 1, n)
  } else keep(1, n)
  flush()
}`;
  const script = [
    "__a=",
    after ? grepLines(after.ere, "__a", "last") : "",
    `__B0=${quote(s.begin)} __B1=${quote(s.end)} __B=${quote(body.join("\n"))} __A="$__a" awk -v state=${s.state} -v bn=${body.length} -v nonl="$__nonl" ${quote(awk)} "$__src" > "$__new"`,
  ]
    .filter(Boolean)
    .join("\n");
  return { edit, script };
}

/**
 * Ensures a block of lines between marker lines in a file, replaced in place when the markers are
 * there and inserted otherwise (or, with state "absent", removed with its markers).
 * `blockInFile("/etc/ssh/sshd_config", { name: "sftp", block: "Match Group sftp\n  ChrootDirectory %h\n" })`
 */
export function blockInFile(path: string, o: BlockInFileOptions): Operation {
  const state = o.state ?? "present";
  if (state === "present" && o.block === undefined) throw new Error("block_in_file: state present needs a block");
  const [begin, end] = blockMarkers("block_in_file", o);
  const edit = blockEdit("block_in_file", { block: o.block ?? "", begin, end, state, insertAfter: o.insertAfter });
  const missing = state === "absent" ? "skip" : o.create ? "create" : "fail";
  return declareOp(editedFileOp({ kind: "block_in_file", path, edit, missing, mode: o.mode, owner: o.owner, group: o.group }, o));
}
