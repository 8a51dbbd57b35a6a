import { InventoryError, type SourceLocation } from "../errors.js";
import { quoted } from "./escape.js";
import type { GroupDecl, InventoryDecl } from "./model.js";
import { pythonLiteral } from "./pylit.js";
import { expandHostPattern, RangeError_ } from "./ranges.js";
import { shlexSplit } from "./shlex.js";

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

interface Pending {
  line: number;
  state: "vars" | "children";
  parents: string[];
}

/**
 * Returns the declarations of an Ansible INI inventory, read as Ansible's ini plugin reads it:
 * host lines split like a shell (`#` ends them), `host:port`, ranges (`web[01:20]`, `[1:2].x`),
 * `[g:vars]` (key=value, the value a Python literal or text), `[g:children]` (groups may be
 * declared later), `#`/`;` comment lines, comments after section headers. Hosts before any
 * section are in `ungrouped`.
 */
export function parseIniInventory(text: string, file: string): InventoryDecl {
  const decl: InventoryDecl = { source: file, vars: {}, hosts: [], groups: [] };
  const groups = new Map<string, GroupDecl>();
  const pending = new Map<string, Pending>();
  const seenHosts = new Set<string>();
  const exists = (name: string) => groups.has(name) || name === "all" || name === "ungrouped";
  const group = (name: string, line: number): GroupDecl => {
    let g = groups.get(name);
    if (!g) {
      g = { name, hosts: [], children: [], vars: {}, varLines: {}, location: { file, line } };
      groups.set(name, g);
      decl.groups.push(g);
    }
    return g;
  };
  const addChild = (parent: string, child: string, line: number) => {
    const p = group(parent, line);
    if (!p.children.includes(child)) p.children.push(child);
  };
  // A group named in [p:children] before its own section: linked once the section appears.
  const resolvePending = (name: string, line: number) => {
    const todo = [name];
    while (todo.length > 0) {
      const g = todo.pop() as string;
      const decl = pending.get(g);
      if (!decl) continue;
      pending.delete(g);
      if (decl.state !== "children") continue;
      for (const parent of decl.parents) {
        addChild(parent, g, line);
        if (pending.get(parent)?.state === "children") todo.push(parent);
      }
    }
  };

  let groupname = "ungrouped";
  let state = "hosts";
  text.split(/\r?\n|\r/).forEach((raw, idx) => {
    const line = idx + 1;
    const at: SourceLocation = { file, line };
    const content = raw.trim();
    if (content === "" || content[0] === "#" || content[0] === ";") return;
    const m = SECTION.exec(content);
    if (m) {
      groupname = m[1] as string;
      state = m[2] ?? "hosts";
      if (!["hosts", "vars", "children"].includes(state))
        throw new InventoryError(at, `section ${quoted(content)} has unknown type ${quoted(state)} (expected :vars or :children)`);
      if (!exists(groupname) && state === "vars" && !pending.has(groupname)) pending.set(groupname, { line, state, parents: [] });
      group(groupname, line);
      if (state !== "vars") resolvePending(groupname, line);
      return;
    }
    if (content.startsWith("[") && content.endsWith("]"))
      throw new InventoryError(
        at,
        `invalid section header ${quoted(content)} (expected [group], [group:vars] or [group:children], no spaces)`,
      );
    if (state === "hosts") hostLine(content, at, groupname);
    else if (state === "vars") {
      const eq = content.indexOf("=");
      if (eq < 0) throw new InventoryError(at, `expected key=value in [${groupname}:vars], found ${quoted(content)}`);
      const key = content.slice(0, eq).trim();
      const g = group(groupname, line);
      g.vars[key] = parseIniValue(content.slice(eq + 1).trim());
      (g.varLines ??= {})[key] = line;
    } else {
      const child = GROUP_NAME.exec(content)?.[1];
      if (!child) throw new InventoryError(at, `expected a group name in [${groupname}:children], found ${quoted(content)}`);
      if (exists(child)) addChild(groupname, child, line);
      else {
        const p = pending.get(child);
        if (p) p.parents.push(groupname);
        else pending.set(child, { line, state: "children", parents: [groupname] });
      }
    }
  });
  for (const [name, p] of pending) {
    const loc = { file, line: p.line };
    if (p.state === "vars")
      throw new InventoryError(loc, `[${name}:vars] is for group ${quoted(name)}, which has no [${name}] or [${name}:children] section`);
    throw new InventoryError(loc, `[${p.parents.at(-1)}:children] names group ${quoted(name)}, which has no section of its own`);
  }
  return decl;

  function hostLine(content: string, at: SourceLocation, groupname: string): void {
    let words: string[];
    try {
      words = shlexSplit(content);
    } catch (err) {
      throw new InventoryError(at, `cannot read host line ${quoted(content)}: ${(err as Error).message}`);
    }
    const entry = words[0];
    if (entry === undefined || entry === "") throw new InventoryError(at, `expected a host name, found ${quoted(content)}`);
    let names: string[];
    let port: number | undefined;
    try {
      ({ names, port } = expandHostPattern(entry));
    } catch (err) {
      if (err instanceof RangeError_) throw new InventoryError(at, err.message);
      throw err;
    }
    if (entry.trim().endsWith(":") && port === undefined)
      throw new InventoryError(at, `host ${quoted(entry)} ends in ":" without a port (write host:port)`);
    const vars: Record<string, unknown> = {};
    const varLines: Record<string, number> = {};
    for (const w of words.slice(1)) {
      const eq = w.indexOf("=");
      if (eq < 0) throw new InventoryError(at, `expected key=value after host ${quoted(entry)}, found ${quoted(w)}`);
      vars[w.slice(0, eq)] = parseIniValue(w.slice(eq + 1));
      varLines[w.slice(0, eq)] = at.line as number;
    }
    for (const name of names) {
      // As Ansible: the port of the first mention of a host becomes its ansible_port.
      const first = !seenHosts.has(name);
      seenHosts.add(name);
      const own = first && port ? { ansible_port: port, ...vars } : { ...vars };
      const lines = first && port ? { ansible_port: at.line as number, ...varLines } : { ...varLines };
      decl.hosts.push({ name, vars: own, varLines: lines, location: at });
      group(groupname, at.line as number).hosts.push(name);
    }
  }
}

/** Returns an INI value as Ansible types it: a Python literal (5, True, ['a'], "x") or else the text itself. */
export function parseIniValue(raw: string): unknown {
  const lit = pythonLiteral(raw);
  return lit ? lit.value : raw;
}
