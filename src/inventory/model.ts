import { InventoryError, type SourceLocation } from "../errors.js";
import { quoted } from "./escape.js";

export type Vars = Record<string, unknown>;

/** Where each var of a scope was written (its line), for errors that name the key as written. */
export type VarLines = Record<string, number>;

/** A host as declared by a loader, before groups are resolved. */
export interface HostDecl {
  name: string;
  vars: Vars;
  location: SourceLocation;
  varLines?: VarLines;
}

/** A group as declared by a loader; children name other groups. `all` may be declared too. */
export interface GroupDecl {
  name: string;
  hosts: string[];
  children: string[];
  vars: Vars;
  location: SourceLocation;
  varLines?: VarLines;
}

/** What every loader (ts, yaml, ini) produces: declarations in the order Ansible creates them. */
export interface InventoryDecl {
  source: string;
  /** Vars of the `all` group. */
  vars: Vars;
  varLines?: VarLines;
  hosts: HostDecl[];
  groups: GroupDecl[];
  /** Loader warnings (Ansible prints them and goes on), e.g. an unknown key in a YAML group. */
  warnings?: string[];
}

export interface Group {
  name: string;
  /** Hosts listed directly in this group, in the order they were added. */
  hosts: string[];
  children: string[];
  parents: string[];
  vars: Vars;
  /** Longest distance from `all`: groups apply in (depth, name) order so children override parents. */
  depth: number;
  location: SourceLocation;
}

export interface Host {
  name: string;
  vars: Vars;
  location: SourceLocation;
  /** An implicit localhost: used by a pattern naming it, never part of `all`. */
  implicit?: boolean;
}

/** Names that give an implicit local host when the inventory has none of them (as Ansible). */
export const LOCALHOST_NAMES: readonly string[] = ["localhost", "127.0.0.1", "::1"];

/**
 * A resolved inventory: hosts in declaration order, groups with depth, membership and vars.
 * Built only through build(), which checks references and cycles. Group walks are iterative,
 * so thousands of nested groups are fine.
 */
export class Inventory {
  readonly source: string;
  readonly hosts: ReadonlyMap<string, Host>;
  /** Groups in the order they were created (`all`, `ungrouped`, then as declared). */
  readonly groups: ReadonlyMap<string, Group>;
  readonly warnings: readonly string[];
  private readonly memberOf = new Map<string, Set<string>>();
  private readonly hostsCache = new Map<string, string[]>();
  private readonly implicit = new Map<string, Host>();

  private constructor(source: string, hosts: Map<string, Host>, groups: Map<string, Group>, warnings: string[]) {
    this.source = source;
    this.hosts = hosts;
    this.groups = groups;
    this.warnings = warnings;
    const ancestors = new Map<string, string[]>();
    for (const g of groups.values()) {
      for (const h of g.hosts) {
        let set = this.memberOf.get(h);
        if (!set) this.memberOf.set(h, (set = new Set(["all"])));
        let up = ancestors.get(g.name);
        if (!up) ancestors.set(g.name, (up = walk(g.name, (n) => groups.get(n)?.parents ?? [], true)));
        for (const a of up) set.add(a);
      }
    }
    for (const h of hosts.keys()) if (!this.memberOf.has(h)) this.memberOf.set(h, new Set(["all"]));
  }

  /** Returns the resolved inventory; throws InventoryError (file:line) on unknown groups or hosts and cycles. */
  static build(decl: InventoryDecl): Inventory {
    const hosts = new Map<string, Host>();
    for (const h of decl.hosts) {
      const prev = hosts.get(h.name);
      if (prev) Object.assign(prev.vars, h.vars);
      else hosts.set(h.name, { name: h.name, vars: { ...h.vars }, location: h.location });
    }
    const groups = new Map<string, Group>();
    const rootLoc = { file: decl.source };
    const newGroup = (name: string, location: SourceLocation): Group => ({
      name,
      hosts: [],
      children: [],
      parents: [],
      vars: {},
      depth: -1,
      location,
    });
    groups.set("all", { ...newGroup("all", rootLoc), children: ["ungrouped"], vars: { ...decl.vars }, depth: 0 });
    groups.set("ungrouped", newGroup("ungrouped", rootLoc));
    for (const g of decl.groups) {
      let to = groups.get(g.name);
      if (!to) groups.set(g.name, (to = newGroup(g.name, g.location)));
      mergeUnique(to.hosts, g.hosts);
      mergeUnique(to.children, g.children);
      Object.assign(to.vars, g.vars);
    }
    const all = groups.get("all") as Group;
    for (const g of groups.values()) {
      for (const h of g.hosts) {
        if (!hosts.has(h)) throw new InventoryError(g.location, `group ${quoted(g.name)} lists unknown host ${quoted(h)}`);
      }
      for (const c of g.children) {
        const child = groups.get(c);
        if (!child) throw new InventoryError(g.location, `group ${quoted(g.name)} has unknown child group ${quoted(c)}`);
        if (c === "all") throw new InventoryError(g.location, `group ${quoted(g.name)} cannot have all as a child group`);
        if (!child.parents.includes(g.name)) child.parents.push(g.name);
      }
    }
    // As Ansible's reconcile: a group without parents is a child of all, in creation order.
    for (const g of groups.values()) {
      if (g.name !== "all" && g.parents.length === 0) {
        g.parents.push("all");
        all.children.push(g.name);
      }
    }
    setDepths(groups);
    reconcileUngrouped(hosts, groups);
    return new Inventory(decl.source, hosts, groups, decl.warnings ?? []);
  }

  /**
   * Returns every host of group name in Ansible's order: the group's own hosts, then each child
   * group's, level by level (children in declaration order). This order decides serial batches.
   */
  groupHosts(name: string): string[] {
    const cached = this.hostsCache.get(name);
    if (cached) return cached;
    const out = new Set<string>();
    for (const g of walk(name, (n) => this.groups.get(n)?.children ?? [], true)) {
      for (const h of this.groups.get(g)?.hosts ?? []) out.add(h);
    }
    const list = [...out];
    this.hostsCache.set(name, list);
    return list;
  }

  /** Returns the names of the groups host belongs to (directly or through children), `all` included. */
  groupsOf(host: string): string[] {
    return [...(this.memberOf.get(host) ?? [])];
  }

  /**
   * Returns the host a pattern term names when it is not in the inventory: for localhost,
   * 127.0.0.1 or ::1, the inventory's first localhost-like host, else an implicit local host.
   */
  implicitHost(name: string): Host | undefined {
    if (!LOCALHOST_NAMES.includes(name)) return undefined;
    const declared = [...this.hosts.values()].find((h) => LOCALHOST_NAMES.includes(h.name));
    if (declared) return declared;
    let h = this.implicit.get(name);
    if (!h) {
      h = { name, vars: { ansible_connection: "local" }, location: { file: this.source }, implicit: true };
      this.implicit.set(name, h);
    }
    return h;
  }

  /**
   * Returns host's merged vars. Precedence, lowest first:
   * defaults < all < parent group < child group (by depth, then name) < host < extra (-e).
   * Later levels replace whole top-level keys (no deep merge), as Ansible's default.
   */
  varsFor(host: string, extra: Vars = {}, defaults: Vars = {}): Vars {
    const h = this.hosts.get(host) ?? this.implicit.get(host);
    if (!h) throw new Error(`unknown host "${host}"`);
    const groups = (h.implicit ? ["all"] : this.groupsOf(host))
      .map((n) => this.groups.get(n) as Group)
      .sort((a, b) => a.depth - b.depth || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const out: Vars = { ...defaults };
    for (const g of groups) Object.assign(out, g.vars);
    Object.assign(out, h.vars, extra);
    out.inventory_hostname = host;
    out.group_names = groups.map((g) => g.name).filter((n) => n !== "all" && n !== "ungrouped");
    return out;
  }
}

function mergeUnique(into: string[], add: readonly string[]): void {
  for (const x of add) if (!into.includes(x)) into.push(x);
}

/**
 * Returns the groups reachable from start through next, breadth first, each once, in the order
 * Ansible lists them (start itself first when includeSelf). Iterative: depth is no limit.
 */
function walk(start: string, next: (name: string) => readonly string[], includeSelf = false): string[] {
  const seen = new Set<string>([start]);
  const out: string[] = includeSelf ? [start] : [];
  let level = [start];
  while (level.length > 0) {
    const following: string[] = [];
    for (const g of level) {
      for (const n of next(g)) {
        if (seen.has(n)) continue;
        seen.add(n);
        out.push(n);
        following.push(n);
      }
    }
    level = following;
  }
  return out;
}

/** Sets each group's depth (longest path from all) in topological order; a cycle is an error naming it. */
function setDepths(groups: Map<string, Group>): void {
  const pending = new Map<string, number>();
  for (const g of groups.values()) pending.set(g.name, g.parents.length);
  const ready = ["all"];
  const all = groups.get("all") as Group;
  all.depth = 0;
  while (ready.length > 0) {
    const g = groups.get(ready.pop() as string) as Group;
    pending.delete(g.name);
    for (const c of g.children) {
      const child = groups.get(c) as Group;
      child.depth = Math.max(child.depth, g.depth + 1);
      const left = (pending.get(c) ?? 0) - 1;
      pending.set(c, left);
      if (left === 0) ready.push(c);
    }
  }
  if (pending.size === 0) return;
  // Every group left waits on a parent that is also left: walking parents must come round.
  let at = pending.keys().next().value as string;
  const path: string[] = [];
  while (!path.includes(at)) {
    path.push(at);
    at = (groups.get(at) as Group).parents.find((p) => pending.has(p)) as string;
  }
  const cycle = [...path.slice(path.indexOf(at)), at].reverse();
  throw new InventoryError((groups.get(at) as Group).location, `cycle in group children: ${cycle.join(" -> ")}`);
}

/** As Ansible: a host in no group but all joins ungrouped; a host in ungrouped and another group leaves it. */
function reconcileUngrouped(hosts: Map<string, Host>, groups: Map<string, Group>): void {
  const direct = new Map<string, Set<string>>();
  for (const g of groups.values()) {
    for (const h of g.hosts) {
      let set = direct.get(h);
      if (!set) direct.set(h, (set = new Set()));
      set.add(g.name);
    }
  }
  const ungrouped = groups.get("ungrouped") as Group;
  for (const h of hosts.keys()) {
    const mine = [...(direct.get(h) ?? [])].filter((g) => g !== "all" && g !== "ungrouped");
    if (direct.get(h)?.has("ungrouped")) {
      if (mine.length > 0) ungrouped.hosts.splice(ungrouped.hosts.indexOf(h), 1);
    } else if (mine.length === 0) ungrouped.hosts.push(h);
  }
}
