import { type Document, isAlias, isMap, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import { InventoryError, type SourceLocation } from "../errors.js";
import { quoted } from "./escape.js";
import type { GroupDecl, InventoryDecl, Vars } from "./model.js";
import { expandHostPattern, RangeError_ } from "./ranges.js";
import { pyyamlTags } from "./yaml11.js";

/** The most alias expansions one inventory may make: YAML's "billion laughs" is an error, not a hang. */
export const MAX_YAML_ALIASES = 10_000;

interface Entry {
  key: unknown;
  keyNode: Node | undefined;
  value: Node | null;
}

/**
 * Returns the declarations of a YAML inventory, read as Ansible's yaml plugin reads it (YAML 1.1:
 * `yes` is true, anchors, aliases and `<<` merge keys resolved): top-level keys are groups, each
 * with `hosts` (name → vars; `host:port` and ranges allowed), `vars` and `children`. Unknown keys
 * are warnings (as in Ansible); a host name that is not a string (`1234:`) is an error.
 */
export function parseYamlInventory(text: string, file: string): InventoryDecl {
  const lc = new LineCounter();
  // Ansible's `!vault |` tag: the value is the vaulted text; the loader decrypts it.
  const vaultTag = { tag: "!vault", resolve: (str: string) => str };
  const doc = parseDocument(text, {
    lineCounter: lc,
    prettyErrors: false,
    customTags: (tags) => [vaultTag, ...pyyamlTags(tags)],
    version: "1.1",
    uniqueKeys: false,
  });
  const at = (node: Node | null | undefined): SourceLocation => {
    const offset = node?.range?.[0];
    if (offset === undefined) return { file };
    const pos = lc.linePos(offset);
    return { file, line: pos.line, column: pos.col };
  };
  const firstError = doc.errors[0];
  if (firstError) {
    const pos = lc.linePos(firstError.pos[0]);
    throw new InventoryError({ file, line: pos.line, column: pos.col }, `bad YAML: ${firstError.message.split("\n")[0]}`);
  }
  const decl: InventoryDecl = { source: file, vars: {}, hosts: [], groups: [], warnings: [] };
  const warn = (loc: SourceLocation, msg: string) => decl.warnings?.push(`${loc.file}${loc.line ? `:${loc.line}` : ""}: ${msg}`);
  const aliases = { left: MAX_YAML_ALIASES };
  const deref = (node: unknown): Node | null => resolveAlias(doc, node, aliases, at);
  const root = deref(doc.contents);
  if (root === null || (isScalar(root) && (root.value === null || root.value === "")))
    throw new InventoryError({ file }, "empty YAML inventory");
  if (!isMap(root)) throw new InventoryError(at(root), "expected a mapping of groups at the top (e.g. all: {hosts: …})");
  const toJS = (node: Node | null): unknown => {
    if (node === null) return null;
    try {
      return node.toJS(doc as Document, { maxAliasCount: 100, reviver: (_k, v) => (v instanceof Date ? dateText(v) : v) });
    } catch (err) {
      throw new InventoryError(at(node), `cannot read value: ${(err as Error).message}`);
    }
  };
  const entries = (node: Node): Entry[] => mapEntries(node, deref, at, warn);
  const kind = (node: Node | null) =>
    node === null || (isScalar(node) && node.value === null)
      ? "null"
      : isMap(node)
        ? "map"
        : isScalar(node) && typeof node.value === "string"
          ? "string"
          : "other";
  const groups = new Map<string, GroupDecl>();

  // An explicit stack instead of recursion (thousands of nested children are fine), visiting in
  // Ansible's order: a group's keys in order, each child group wholly where `children` stands.
  interface Frame {
    name: unknown;
    node: Node | null;
    loc: SourceLocation;
    parent?: string;
    group?: GroupDecl;
    items?: Entry[];
    next: number;
    children: Entry[];
  }
  const frame = (e: Entry, parent?: string): Frame => ({ name: e.key, node: e.value, loc: at(e.keyNode), parent, next: 0, children: [] });
  const stack: Frame[] = entries(root)
    .reverse()
    .map((e) => frame(e));
  while (stack.length > 0) {
    const f = stack[stack.length - 1] as Frame;
    if (!f.items) {
      f.items = [];
      if (!startGroup(f)) {
        stack.pop();
        continue;
      }
    }
    const child = f.children.shift();
    if (child) {
      stack.push(frame(child, f.group?.name));
      continue;
    }
    const item = f.items[f.next++];
    if (item) {
      f.children = section(f.group as GroupDecl, item);
      continue;
    }
    stack.pop();
    const parent = f.parent === undefined ? undefined : groups.get(f.parent);
    if (parent && f.group && !parent.children.includes(f.group.name)) parent.children.push(f.group.name);
  }
  return decl;

  /** Declares the group of f; false when Ansible would skip it. */
  function startGroup(f: Frame): boolean {
    const { name, node, loc, parent } = f;
    if (typeof name !== "string") throw new InventoryError(loc, `group name ${quoted(String(name))} must be a string: quote it`);
    if (name === "plugin" && parent === undefined && node !== null)
      throw new InventoryError(loc, "this is an inventory plugin configuration, not a YAML inventory");
    const k = kind(node);
    if (k !== "map" && k !== "null") {
      warn(loc, `skipping ${quoted(name)}: not a valid group definition (expected a mapping)`);
      return false;
    }
    let group = groups.get(name);
    if (!group) {
      group = { name, hosts: [], children: [], vars: {}, varLines: {}, location: loc };
      groups.set(name, group);
      decl.groups.push(group);
    }
    f.group = group;
    f.items = k === "map" ? entries(node as Node) : [];
    return true;
  }

  /** Applies one key of a group (vars, hosts); returns the child groups a `children` key lists. */
  function section(group: GroupDecl, e: Entry): Entry[] {
    const key = String(e.key);
    const keyLoc = at(e.keyNode);
    const vk = kind(e.value);
    let items: Entry[] = [];
    if (["vars", "children", "hosts"].includes(key)) {
      if (vk === "string") items = [{ key: (e.value as { value: string }).value, keyNode: e.value ?? undefined, value: null }];
      else if (vk === "map") items = entries(e.value as Node);
      else if (vk !== "null")
        throw new InventoryError(keyLoc, `${key} of group ${quoted(group.name)} must be a mapping, found ${describe(e.value)}`);
    } else if (vk !== "null") {
      warn(keyLoc, `skipping unexpected key ${quoted(key)} in group ${quoted(group.name)} (only vars, children and hosts are valid)`);
    }
    if (key === "children") return items;
    if (key === "vars") {
      for (const v of items) {
        group.vars[String(v.key)] = toJS(v.value);
        (group.varLines ??= {})[String(v.key)] = at(v.keyNode).line as number;
      }
    } else if (key === "hosts") for (const h of items) addHosts(group, h);
    return [];
  }

  function addHosts(group: GroupDecl, h: Entry): void {
    const loc = at(h.keyNode);
    if (typeof h.key !== "string") throw new InventoryError(loc, `host name ${quoted(String(h.key))} must be a string: quote it`);
    let expanded: { names: string[]; port?: number };
    try {
      expanded = expandHostPattern(h.key);
    } catch (err) {
      if (err instanceof RangeError_) throw new InventoryError(loc, err.message);
      throw err;
    }
    const body = h.value;
    const vars: Vars = {};
    const varLines: Record<string, number> = {};
    if (expanded.port !== undefined) {
      vars.ansible_port = expanded.port;
      varLines.ansible_port = loc.line as number;
    }
    if (isMap(body)) {
      for (const v of entries(body)) {
        vars[String(v.key)] = toJS(v.value);
        varLines[String(v.key)] = at(v.keyNode).line as number;
      }
    } else if (body !== null && !(isScalar(body) && !body.value)) {
      throw new InventoryError(loc, `host ${quoted(h.key)}: expected a mapping of vars, found ${describe(body)}`);
    }
    for (const name of expanded.names) {
      decl.hosts.push({ name, vars: { ...vars }, varLines, location: loc });
      group.hosts.push(name);
    }
  }
}

/** Returns node with aliases followed, counting each against the cap. */
function resolveAlias(doc: Document, node: unknown, left: { left: number }, at: (n: Node) => SourceLocation): Node | null {
  let n = node as Node | null | undefined;
  while (n && isAlias(n)) {
    if (--left.left < 0)
      throw new InventoryError(at(n), `more than ${MAX_YAML_ALIASES} alias expansions: refusing (a YAML "billion laughs"?)`);
    const target = n.resolve(doc);
    if (!target) throw new InventoryError(at(n), `unknown alias *${n.source}`);
    n = target as Node;
  }
  return n ?? null;
}

/**
 * Returns a mapping's entries as PyYAML builds them: `<<` merges first (explicit keys win; among
 * several merged maps the first wins), and a repeated key keeps its first place and its last value.
 */
function mapEntries(
  node: Node,
  deref: (n: unknown) => Node | null,
  at: (n: Node) => SourceLocation,
  warn: (loc: SourceLocation, msg: string) => void,
): Entry[] {
  if (!isMap(node)) return [];
  const merged: Entry[] = [];
  const own: Entry[] = [];
  for (const pair of node.items) {
    const keyNode = deref(pair.key);
    const key = isScalar(keyNode) ? keyNode.value : keyNode;
    if (typeof key === "symbol") {
      const v = deref(pair.value);
      const sources = v && !isMap(v) && "items" in v ? (v.items as unknown[]).map(deref) : [v];
      for (const src of sources.reverse()) {
        if (!src || !isMap(src)) throw new InventoryError(at(pair.key as Node), "a << merge key needs a mapping or a list of mappings");
        merged.push(...mapEntries(src, deref, at, warn));
      }
      continue;
    }
    own.push({ key, keyNode: (keyNode ?? undefined) as Node | undefined, value: deref(pair.value) });
  }
  const out = new Map<unknown, Entry>();
  for (const e of [...merged, ...own]) {
    const prev = out.get(e.key);
    if (prev && own.includes(prev) && own.includes(e) && e.keyNode)
      warn(at(e.keyNode), `duplicate key ${quoted(String(e.key))}: the last value is used`);
    out.set(e.key, prev ? { ...prev, value: e.value, keyNode: e.keyNode ?? prev.keyNode } : e);
  }
  return [...out.values()];
}

function describe(node: Node | null): string {
  if (node === null) return "nothing";
  if (isScalar(node)) return `${typeof node.value} ${quoted(String(node.value))}`;
  return isMap(node) ? "a mapping" : "a list";
}

/** Dates print as Ansible prints them (2024-01-31, or with the time when there is one). */
function dateText(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso.replace(".000Z", "").replace("Z", "");
}
