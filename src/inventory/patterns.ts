import { readFileSync, statSync } from "node:fs";
import { UsageError } from "../errors.js";
import { parseAddress } from "./address.js";
import { quoted } from "./escape.js";
import type { Inventory } from "./model.js";

/**
 * What to do with a pattern term that matches no host and no group. Ansible warns and skips it;
 * Bosun's commands refuse ("error"), because a mistyped exclusion (`all:!prd-db`) would
 * otherwise widen the run. "warn" gives Ansible's behaviour (for the parity suite and tools).
 */
export type NoMatchPolicy = "error" | "warn";

export interface SelectOptions {
  onNoMatch?: NoMatchPolicy;
  /** Receives Ansible-style warnings (skipped terms) when onNoMatch is "warn". */
  warnings?: string[];
  /** Reads a `@file` limit term (default: the file system). */
  readFile?: (file: string) => string;
}

/**
 * Returns the hosts selected by an Ansible host pattern, in Ansible's order: by term, and within a
 * group its own hosts first, then each child group's. Terms (see splitPattern) are unioned, then
 * `&term` intersects, then `!term` excludes; a pattern of only `&`/`!` terms starts from all.
 * A term is `all`/`*`, a host, a group (a name that is both means the host, except after & or !),
 * a glob over group and host names (`web*`), `~regex` (matched from the start of the name),
 * any of them with a subscript (`web[0]`, `web[-1]`, `web[1:3]`, `web[2:]`), or `@file` (one term
 * per line: a retry file). localhost, 127.0.0.1 and ::1 name an implicit local host when absent.
 */
export function selectHosts(inv: Inventory, pattern: string | readonly string[], opts: SelectOptions = {}): string[] {
  const terms = expandFiles(typeof pattern === "string" ? splitPattern(pattern) : pattern.flatMap(splitPattern), opts);
  if (terms.length === 0) throw new UsageError(`empty host pattern ${quoted(String(pattern))}: name hosts or groups (or "all")`);
  const cache = new Map<string, string[]>();
  let hosts: string[] = [];
  for (const p of orderTerms(terms)) {
    if (inv.hosts.has(p)) {
      hosts.push(p);
      continue;
    }
    const key = p[0] === "&" || p[0] === "!" ? p.slice(1) : p;
    let that = cache.get(key);
    if (!that) cache.set(key, (that = matchTerm(inv, key, opts)));
    if (p[0] === "!") {
      const drop = new Set(that);
      hosts = hosts.filter((h) => !drop.has(h));
    } else if (p[0] === "&") {
      const keep = new Set(that);
      hosts = hosts.filter((h) => keep.has(h));
    } else hosts.push(...that);
  }
  return [...new Set(hosts)];
}

/** Returns the hosts of pattern that --limit also selects (in pattern order), or all of them without a limit. */
export function selectWithLimit(inv: Inventory, pattern: string, limit: string | undefined, opts: SelectOptions = {}): string[] {
  const hosts = selectHosts(inv, pattern, opts);
  if (limit === undefined) return hosts;
  const keep = new Set(selectHosts(inv, limit, opts));
  return hosts.filter((h) => keep.has(h));
}

/**
 * Returns the hosts a command works on (pattern, then --limit). An empty selection is an error,
 * where Ansible says "nothing to do" and exits 0: a run that was meant to do something never
 * silently does nothing, and an empty pattern or limit never means all.
 */
export function selectTargets(inv: Inventory, pattern: string, limit: string | undefined, opts: SelectOptions = {}): string[] {
  const hosts = selectWithLimit(inv, pattern, limit, opts);
  if (hosts.length === 0)
    throw new UsageError(
      `no hosts match ${quoted(pattern)}${limit !== undefined ? ` with --limit ${quoted(limit)}` : ""} in ${inv.source}`,
    );
  return hosts;
}

/**
 * Splits a pattern into terms as Ansible does: on "," when there is one; else a whole host
 * identifier (an IPv6 address, `host[1:3]`) stays one term; else on ":" and whitespace outside
 * brackets (a `~regex` with ":" is split too: use "," there).
 */
export function splitPattern(pattern: string): string[] {
  let parts: string[];
  if (pattern.includes(",")) parts = pattern.split(",");
  else if (parseAddress(pattern)) parts = [pattern];
  else parts = pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? [];
  return parts.map((p) => p.trim()).filter(Boolean);
}

function orderTerms(terms: readonly string[]): string[] {
  const regular = terms.filter((t) => t[0] !== "&" && t[0] !== "!");
  const inter = terms.filter((t) => t[0] === "&");
  const excl = terms.filter((t) => t[0] === "!");
  return [...(regular.length > 0 ? regular : ["all"]), ...inter, ...excl];
}

/** Returns the text of a `@file` limit (a retry file); a missing file or a directory is a usage error. */
export function readLimitFile(file: string): string {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(file);
  } catch {
    throw new UsageError(`limit file ${quoted(file)} not found`);
  }
  if (!st.isFile()) throw new UsageError(`limit ${quoted(`@${file}`)} must name a file, not a directory`);
  return readFileSync(file, "utf8");
}

function expandFiles(terms: readonly string[], opts: SelectOptions): string[] {
  const read = opts.readFile ?? readLimitFile;
  return terms.flatMap((t) =>
    t.startsWith("@")
      ? read(t.slice(1))
          .split("\n")
          .map((l) => l.trim())
          .filter(Boolean)
      : [t],
  );
}

const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/s;

function matchTerm(inv: Inventory, term: string, opts: SelectOptions): string[] {
  let expr = term;
  let sub: { start: number; end?: number } | undefined;
  const m = term.startsWith("~") ? null : SUBSCRIPT.exec(term);
  if (m) {
    expr = m[1] as string;
    sub = m[2] !== undefined ? { start: Number(m[2]) } : { start: Number(m[3]), end: m[5] ? Number(m[5]) : -1 };
  }
  const hosts = enumerate(inv, expr, opts);
  if (!sub) return hosts;
  // Ansible's arithmetic: [a:b] is inclusive, [a:] runs to the end, and an end of 0 means one host.
  if (sub.end) {
    const end = sub.end === -1 ? hosts.length - 1 : sub.end;
    return hosts.slice(sub.start, end + 1);
  }
  const one = hosts.at(sub.start);
  if (one === undefined)
    throw new UsageError(`no hosts match the subscripted pattern ${quoted(term)} (${hosts.length} before the subscript)`);
  return [one];
}

function enumerate(inv: Inventory, expr: string, opts: SelectOptions): string[] {
  const test = matcher(expr);
  const groups = [...inv.groups.keys()].filter(test);
  const out: string[] = [];
  for (const g of groups) out.push(...inv.groupHosts(g));
  if (groups.length === 0 || expr.startsWith("~") || /[.?*[]/.test(expr)) {
    for (const h of inv.hosts.keys()) if (test(h)) out.push(h);
  }
  if (out.length === 0) {
    const local = inv.implicitHost(expr);
    if (local) return [local.name];
  }
  if (out.length === 0 && groups.length === 0 && expr !== "all") {
    if ((opts.onNoMatch ?? "error") === "error")
      throw new UsageError(
        `host pattern term ${quoted(expr)} matches no host and no group in ${inv.source} (Bosun refuses what Ansible would skip with a warning)`,
      );
    opts.warnings?.push(`Could not match supplied host pattern, ignoring: ${expr}`);
  }
  return out;
}

/** Returns a test of a whole name against a glob, or of its start against a `~regex`. */
function matcher(expr: string): (name: string) => boolean {
  let re: RegExp;
  try {
    re = expr.startsWith("~") ? new RegExp(`^(?:${pythonRegex(expr.slice(1))})`) : globToRegExp(expr);
  } catch (err) {
    throw new UsageError(`invalid host pattern ${quoted(expr)}: ${(err as Error).message}`);
  }
  return (name) => re.test(name);
}

/** Python's named-group syntax in JS spelling; the rest of the common syntax is shared. */
function pythonRegex(re: string): string {
  return re.replaceAll("(?P<", "(?<").replace(/\(\?P=(\w+)\)/g, "\\k<$1>");
}

/** Returns a RegExp matching a whole name against a shell glob as Python's fnmatch: *, ?, [abc], [!abc]. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") re += "[^]*";
    else if (c === "?") re += "[^]";
    else if (c === "[") {
      let j = i + 1;
      if (glob[j] === "!") j++;
      if (glob[j] === "]") j++;
      while (j < glob.length && glob[j] !== "]") j++;
      if (j >= glob.length) re += "\\[";
      else {
        let cls = glob.slice(i + 1, j).replaceAll("\\", "\\\\");
        if (cls.startsWith("!")) cls = `^${cls.slice(1)}`;
        else if (cls.startsWith("^")) cls = `\\${cls}`;
        re += `[${cls.replace(/^(\^?)\]/, "$1\\]").replaceAll("[", "\\[")}]`;
        i = j;
      }
    } else re += c.replace(/[.+^${}()|\\\]/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "u");
}
