import { UsageError } from "../errors.js";
import type { Inventory } from "./model.js";

/**
 * Returns the hosts selected by an Ansible host pattern, in inventory order.
 * Terms are separated by "," or ":"; plain terms are unioned, "&term" intersects,
 * "!term" excludes (applied in that order, as Ansible does). A term is `all`/`*`,
 * a host or group name, a glob (`web*`, `db[12]`) over host and group names, or `~regex`.
 * A plain name that is neither a host nor a group is an error, so a typo never means "no hosts".
 */
export function selectHosts(inv: Inventory, pattern: string): string[] {
  const terms = splitPattern(pattern);
  if (terms.length === 0) throw new UsageError(`empty host pattern`);
  const plain = terms.filter((t) => !t.startsWith("&") && !t.startsWith("!"));
  const inter = terms.filter((t) => t.startsWith("&")).map((t) => t.slice(1));
  const excl = terms.filter((t) => t.startsWith("!")).map((t) => t.slice(1));
  let selected = new Set<string>();
  if (plain.length === 0) selected = new Set(inv.hosts.keys());
  for (const t of plain) for (const h of matchTerm(inv, t, pattern)) selected.add(h);
  for (const t of inter) {
    const m = new Set(matchTerm(inv, t, pattern));
    selected = new Set([...selected].filter((h) => m.has(h)));
  }
  for (const t of excl) for (const h of matchTerm(inv, t, pattern)) selected.delete(h);
  return [...inv.hosts.keys()].filter((h) => selected.has(h));
}

/** Splits a pattern on "," and ":" (but not inside a ~regex term or brackets). */
export function splitPattern(pattern: string): string[] {
  const out: string[] = [];
  let cur = "";
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    const inRegex = /^[!&]?~/.test(cur);
    if (c === "[") depth++;
    if (c === "]") depth = Math.max(0, depth - 1);
    if ((c === "," || (c === ":" && !inRegex)) && depth === 0) {
      if (cur.trim()) out.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function matchTerm(inv: Inventory, term: string, pattern: string): string[] {
  if (term === "all" || term === "*") return [...inv.hosts.keys()];
  if (term.startsWith("~")) {
    let re: RegExp;
    try {
      re = new RegExp(term.slice(1));
    } catch (err) {
      throw new UsageError(`host pattern "${pattern}": bad regular expression ${term}: ${(err as Error).message}`);
    }
    return matchNames(inv, (n) => re.test(n));
  }
  if (/[*?[]/.test(term)) {
    const re = globToRegExp(term);
    return matchNames(inv, (n) => re.test(n));
  }
  if (inv.hosts.has(term)) return [term];
  if (inv.groups.has(term)) return inv.groupHosts(term);
  throw new UsageError(`host pattern "${pattern}": "${term}" is neither a host nor a group in ${inv.source}`);
}

function matchNames(inv: Inventory, test: (name: string) => boolean): string[] {
  const out = new Set<string>();
  for (const h of inv.hosts.keys()) if (test(h)) out.add(h);
  for (const g of inv.groups.keys()) if (test(g)) for (const h of inv.groupHosts(g)) out.add(h);
  return [...out];
}

/** Returns a RegExp matching a whole name against a shell glob (*, ?, [abc]). */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        let cls = glob.slice(i + 1, end);
        if (cls.startsWith("!")) cls = `^${cls.slice(1)}`;
        re += `[${cls.replaceAll("\\", "\\\\")}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
