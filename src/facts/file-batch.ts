/**
 * The file facts of many paths in a few processes: ONE `stat` for every path (lstat, as fileFact),
 * the content of the small regular files as ONE `cat | base64` cut by the sizes stat gave, and ONE
 * `sha256sum` of every regular file: the hashes of the big ones, and the proof that each cut piece
 * is that file (a file that changed between stat and read fails it, and is gathered again alone).
 * Any path works: stat quotes names C-style (LC_ALL=C, so one line per path even with a newline)
 * and sha256sum escapes them; the shell passes paths as "$@", never as text.
 */
import { createHash } from "node:crypto";
import type { FactBatchKind } from "../core/operation.js";
import { quote } from "../util/shell.js";

/** Largest file whose content the facts phase brings back (for diffs); bigger files are compared by hash. */
export const MAX_FACT_CONTENT = 256 * 1024;

export interface StatLine {
  kind: string;
  size: number;
  mode: string;
  owner: string;
  group: string;
  target?: string;
}

/**
 * The sh that prints stat lines, @content and @sha256 parts for the paths in "$@" (read back by
 * readFileBatch). Runs in the facts script's shell: its variables start with __b.
 */
export const FILE_BATCH_BODY = [
  `__bs=$(LC_ALL=C QUOTING_STYLE=c stat --printf '%F\\t%s\\t%a\\t%U\\t%G\\t%N\\n' -- "$@")`,
  `printf '%s\\n' "$__bs"`,
  // Walk stat's lines in step with the paths that exist, to pick the regular files (R) and the
  // small ones (C) as "\${n}" references for eval. A path that vanished meanwhile only makes the
  // picks wrong, which the hashes then show.
  `__bn='\n'; __br=$__bs$__bn; __bk=0; __bR=; __bC=`,
  `for __bp do __bk=$((__bk + 1))`,
  `  [ -e "$__bp" ] || [ -L "$__bp" ] || continue`,
  `  __bl=\${__br%%"$__bn"*}; __br=\${__br#*"$__bn"}`,
  `  case $__bl in "regular "*) ;; *) continue ;; esac`,
  `  __bz=\${__bl#*"\t"}; __bz=\${__bz%%"\t"*}; __bR="$__bR \\"\\\${$__bk}\\""`,
  `  [ "$__bz" -le ${MAX_FACT_CONTENT} ] && __bC="$__bC \\"\\\${$__bk}\\""`,
  "done",
  `echo @content; [ -z "$__bC" ] || eval "cat -- $__bC | base64 -w0"; echo`,
  `echo @sha256; [ -z "$__bR" ] || eval "sha256sum -- $__bR"`,
  "true",
].join("\n");

/** The batch kind of fileFact: args are paths. */
export const FILE_BATCH: FactBatchKind = {
  id: "file",
  command: (paths) => `set -- ${paths.map(quote).join(" ")}\n${FILE_BATCH_BODY}`,
  split: splitFileBatch,
};

/** What FILE_BATCH_BODY printed: each path's stat line, the sha256 of the regular files, the small files' proven contents. */
export interface FileBatch {
  stats: Map<string, StatLine>;
  hashes: Map<string, string>;
  /** The small files whose content is proven (see cutContents). */
  contents: Map<string, Buffer>;
}

/** Returns what FILE_BATCH_BODY printed for paths (given in the order of "$@"). */
export function readFileBatch(output: string, paths: string[]): FileBatch {
  const lines = output.split("\n");
  const at = lines.indexOf("@content");
  const shaAt = lines.indexOf("@sha256");
  if (at < 0 || shaAt !== at + 2) throw new Error("file batch: output without its @content/@sha256 parts");
  const stats = new Map<string, StatLine>();
  for (const line of lines.slice(0, at)) {
    const st = parseStatLine(line);
    if (st) stats.set(st.name, st);
  }
  const hashes = new Map<string, string>();
  for (const line of lines.slice(shaAt + 1)) {
    const h = parseShaLine(line);
    if (h) hashes.set(h.name, h.sha256);
  }
  return { stats, hashes, contents: cutContents(Buffer.from(lines[at + 1] ?? "", "base64"), paths, stats, hashes) };
}

/** Returns each path's output in fileFact's format; small files whose cut piece is not proven are left out. */
export function splitFileBatch(output: string, _rc: number, paths: string[]): Map<string, { output: string; rc: number }> {
  const { stats, hashes, contents } = readFileBatch(output, paths);
  const out = new Map<string, { output: string; rc: number }>();
  for (const p of paths) {
    const text = fileOutput(stats.get(p), hashes.get(p), contents.get(p));
    if (text !== undefined) out.set(p, { output: text, rc: 0 });
  }
  return out;
}

/** Returns the output fileFact's command prints for a path, or undefined when it cannot be told here. */
function fileOutput(st: StatLine | undefined, sha256: string | undefined, content: Buffer | undefined): string | undefined {
  if (!st) return "type=absent";
  const who = `owner=${st.owner} group=${st.group}`;
  if (st.kind === "symbolic link") return `type=link\ntarget=${st.target ?? ""}\n${who}`;
  if (st.kind === "directory") return `type=directory\nmode=${st.mode} ${who}`;
  if (!st.kind.startsWith("regular ")) return "type=other";
  const head = `type=file\nmode=${st.mode} ${who} size=${st.size}`;
  if (st.size > MAX_FACT_CONTENT) return sha256 === undefined ? undefined : `${head}\nsha256=${sha256}`;
  return content === undefined ? undefined : `${head}\ncontent=${content.toString("base64")}`;
}

/**
 * Returns the small files' contents cut from the concatenation by the sizes stat gave, each proven
 * by the hash sha256sum gave. The first piece that does not hash right (its file changed since stat,
 * or stat's size was not what reads give, as in /proc) ends the cut: it and the files after it are
 * left out, to be gathered alone.
 */
function cutContents(all: Buffer, paths: string[], stats: Map<string, StatLine>, hashes: Map<string, string>): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  for (const p of paths) {
    const st = stats.get(p);
    // cat read the same files sha256sum could read; one it could not is gathered alone.
    if (!st?.kind.startsWith("regular ") || st.size > MAX_FACT_CONTENT || !hashes.has(p)) continue;
    const piece = all.subarray(off, off + st.size);
    off += st.size;
    if (createHash("sha256").update(piece).digest("hex") !== hashes.get(p)) break;
    out.set(p, piece);
  }
  return out;
}

/** Returns a line of the stat --printf format above, or undefined for a line that is not one. */
export function parseStatLine(line: string): (StatLine & { name: string }) | undefined {
  const f = line.split("\t");
  if (f.length < 6) return undefined;
  const [kind, size, mode, owner, group] = f as [string, string, string, string, string];
  const quoted = f.slice(5).join("\t");
  const name = readCString(quoted, 0);
  if (!name) return undefined;
  const rest = quoted.slice(name.end);
  const target = rest.startsWith(" -> ") ? readCString(rest, 4)?.value : undefined;
  return { name: name.value, kind, size: Number(size), mode, owner, group, target };
}

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

/** Returns the string of a C-quoted ("…", octal bytes, \n …) name starting at i, and where it ends. */
function readCString(s: string, i: number): { value: string; end: number } | undefined {
  if (s[i] !== '"') return undefined;
  const bytes: number[] = [];
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j] as string;
    if (c === '"') return { value: Buffer.from(bytes).toString("utf8"), end: j + 1 };
    if (c !== "\\") {
      bytes.push(...Buffer.from(c, "utf8"));
      continue;
    }
    const e = s[++j] as string;
    const oct = /^[0-7]{1,3}/.exec(s.slice(j, j + 3));
    if (oct) {
      bytes.push(Number.parseInt(oct[0], 8));
      j += oct[0].length - 1;
    } else bytes.push(C_ESCAPES[e] ?? e.charCodeAt(0));
  }
  return undefined;
}

/** Returns the hash and name of a sha256sum line (a leading \ means the name is escaped: \\ and \n). */
export function parseShaLine(line: string): { sha256: string; name: string } | undefined {
  const m = /^(\\?)([0-9a-f]{64}) {2}(.*)$/.exec(line);
  if (!m) return undefined;
  const raw = m[3] as string;
  const name = m[1] ? raw.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : c)) : raw;
  return { sha256: m[2] as string, name };
}
