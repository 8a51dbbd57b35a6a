import { InventoryError } from "../errors.js";
import type { GroupDecl, HostDecl, InventoryDecl, Vars } from "./model.js";
import { expandHostRange } from "./ranges.js";

/**
 * Returns the declarations of an Ansible INI inventory: `[group]` host lines with inline
 * key=value vars, `[group:vars]`, `[group:children]`, host ranges (`web[01:20]`), comments (# ;).
 * Hosts before any section are ungrouped.
 */
export function parseIniInventory(text: string, file: string): InventoryDecl {
  const decl: InventoryDecl = { source: file, vars: {}, hosts: [], groups: [] };
  const groups = new Map<string, GroupDecl>();
  const referenced: { name: string; line: number }[] = [];
  const pending = new Map<string, Vars>();
  const childLinks: { parent: string; child: string; line: number }[] = [];
  const group = (name: string, line: number): GroupDecl => {
    let g = groups.get(name);
    if (!g) {
      g = { name, hosts: [], children: [], vars: {}, location: { file, line } };
      groups.set(name, g);
      decl.groups.push(g);
    }
    return g;
  };
  let section: { name: string; kind: "hosts" | "vars" | "children" } = { name: "ungrouped", kind: "hosts" };
  const lines = text.split(/\r?\n/);
  lines.forEach((rawLine, idx) => {
    const line = idx + 1;
    const at = { file, line };
    const text = rawLine.trim();
    if (text === "" || text.startsWith("#") || text.startsWith(";")) return;
    const header = /^\[([^\]:]+)(?::(vars|children))?\]$/.exec(text);
    if (text.startsWith("[")) {
      if (!header) throw new InventoryError(at, `bad section header ${text} (expected [group], [group:vars] or [group:children])`);
      const [, name = "", kind] = header;
      section = { name, kind: (kind as "vars" | "children" | undefined) ?? "hosts" };
      // [g] and [g:children] declare g (as Ansible does); [g:vars] needs g declared somewhere.
      if (section.kind === "vars") referenced.push({ name, line });
      else group(name, line);
      return;
    }
    if (section.kind === "vars") {
      const kv = /^([A-Za-z_][\w.-]*)\s*[=:]\s*(.*)$/.exec(text);
      if (!kv) throw new InventoryError(at, `expected key=value in [${section.name}:vars], found "${text}"`);
      const target = section.name === "all" ? decl.vars : (groups.get(section.name)?.vars ?? pendingVars(section.name));
      target[kv[1] as string] = parseValue(kv[2] as string);
      return;
    }
    if (section.kind === "children") {
      const child = text.split(/\s+/)[0] as string;
      referenced.push({ name: child, line });
      childLinks.push({ parent: section.name, child, line });
      return;
    }
    const words = splitWords(text, at);
    const pattern = words.shift() as string;
    const vars: Vars = {};
    for (const w of words) {
      const eq = w.indexOf("=");
      if (eq <= 0) throw new InventoryError(at, `expected key=value after host "${pattern}", found "${w}"`);
      vars[w.slice(0, eq)] = parseValue(w.slice(eq + 1));
    }
    let names: string[];
    try {
      names = expandHostRange(pattern);
    } catch (err) {
      throw new InventoryError(at, (err as Error).message);
    }
    for (const name of names) {
      const h: HostDecl = { name, vars: { ...vars }, location: at };
      decl.hosts.push(h);
      if (section.name !== "ungrouped" || groups.has("ungrouped")) group(section.name, line).hosts.push(name);
    }
  });
  // [g:vars] or [g:children] of a group never given a [g] section: it must exist as a child somewhere.
  for (const [name, vars] of pending) {
    const g = groups.get(name);
    if (g) Object.assign(g.vars, vars);
  }
  for (const link of childLinks) {
    const parent = group(link.parent, link.line);
    if (!groups.has(link.child)) {
      throw new InventoryError({ file, line: link.line }, `[${link.parent}:children] names unknown group "${link.child}"`);
    }
    parent.children.push(link.child);
  }
  for (const ref of referenced) {
    if (ref.name !== "all" && !groups.has(ref.name)) {
      throw new InventoryError({ file, line: ref.line }, `section refers to unknown group "${ref.name}"`);
    }
  }
  return decl;

  function pendingVars(name: string): Vars {
    let v = pending.get(name);
    if (!v) pending.set(name, (v = {}));
    return v;
  }
}

/** Splits a host line into words, keeping quoted values ("a b" or 'a b') together. */
function splitWords(text: string, at: { file: string; line: number }): string[] {
  const out: string[] = [];
  const re = /([^\s"']+(?:"[^"]*"|'[^']*')?[^\s"']*)|("[^"]*")|('[^']*')/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(text))) {
    if (text.slice(consumed, m.index).trim() !== "") break;
    out.push(m[0]);
    consumed = m.index + m[0].length;
  }
  if (text.slice(consumed).trim() !== "") throw new InventoryError(at, `unbalanced quotes in "${text}"`);
  return out;
}

/** Returns an INI value as Ansible reads it: quoted → string, numbers, true/false, else the raw string. */
export function parseValue(raw: string): unknown {
  const v = raw.trim();
  const q = /^(["'])(.*)\1$/.exec(v);
  if (q) return q[2];
  // A leading zero (mode=0644, id=007) keeps the text, as Ansible does: it is not the decimal number.
  if (/^-?(0|[1-9]\d*)$/.test(v)) return Number(v);
  if (/^-?(0|[1-9]\d*)\.\d+$/.test(v)) return Number(v);
  if (/^(true|yes)$/i.test(v)) return true;
  if (/^(false|no)$/i.test(v)) return false;
  return v;
}
