import { InventoryError, type SourceLocation } from "../errors.js";

export type Vars = Record<string, unknown>;

/** A host as declared by a loader, before groups are resolved. */
export interface HostDecl {
  name: string;
  vars: Vars;
  location: SourceLocation;
}

/** A group as declared by a loader; children name other groups. */
export interface GroupDecl {
  name: string;
  hosts: string[];
  children: string[];
  vars: Vars;
  location: SourceLocation;
}

/** What every loader (ts, yaml, ini) produces: declarations in file order. */
export interface InventoryDecl {
  source: string;
  vars: Vars;
  hosts: HostDecl[];
  groups: GroupDecl[];
}

export interface Group {
  name: string;
  /** Hosts listed directly in this group. */
  hosts: string[];
  children: string[];
  parents: string[];
  vars: Vars;
  /** Distance from `all`: groups are applied in (depth, name) order so children override parents. */
  depth: number;
  location: SourceLocation;
}

export interface Host {
  name: string;
  vars: Vars;
  location: SourceLocation;
}

/**
 * A resolved inventory: hosts in declaration order, groups with depth, membership and vars.
 * Built only through build(), which checks references and cycles.
 */
export class Inventory {
  readonly source: string;
  readonly hosts: ReadonlyMap<string, Host>;
  readonly groups: ReadonlyMap<string, Group>;
  private readonly memberOf = new Map<string, Set<string>>();

  private constructor(source: string, hosts: Map<string, Host>, groups: Map<string, Group>) {
    this.source = source;
    this.hosts = hosts;
    this.groups = groups;
    for (const g of groups.values()) {
      for (const h of this.groupHosts(g.name)) {
        let set = this.memberOf.get(h);
        if (!set) this.memberOf.set(h, (set = new Set()));
        set.add(g.name);
      }
    }
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
    groups.set("all", { name: "all", hosts: [], children: [], parents: [], vars: { ...decl.vars }, depth: 0, location: rootLoc });
    for (const g of decl.groups) {
      if (g.name === "all") {
        const all = groups.get("all") as Group;
        Object.assign(all.vars, g.vars);
        continue;
      }
      const prev = groups.get(g.name);
      if (prev) {
        mergeUnique(prev.hosts, g.hosts);
        mergeUnique(prev.children, g.children);
        Object.assign(prev.vars, g.vars);
      } else {
        groups.set(g.name, { ...g, hosts: [...g.hosts], children: [...g.children], vars: { ...g.vars }, parents: [], depth: -1 });
      }
    }
    for (const g of groups.values()) {
      for (const h of g.hosts) {
        if (!hosts.has(h)) throw new InventoryError(g.location, `group "${g.name}" lists unknown host "${h}"`);
      }
      for (const c of g.children) {
        const child = groups.get(c);
        if (!child || c === "all") {
          throw new InventoryError(g.location, `group "${g.name}" has unknown child group "${c}"`);
        }
        child.parents.push(g.name);
      }
    }
    checkCycles(groups);
    const all = groups.get("all") as Group;
    for (const g of groups.values()) {
      if (g.name !== "all" && g.parents.length === 0) {
        g.parents.push("all");
        all.children.push(g.name);
      }
    }
    for (const g of groups.values()) depthOf(g, groups);
    // Hosts in no group other than all belong to "ungrouped", as in Ansible.
    const grouped = new Set<string>();
    for (const g of groups.values()) for (const h of g.hosts) grouped.add(h);
    const ungrouped = [...hosts.keys()].filter((h) => !grouped.has(h));
    const ug = groups.get("ungrouped");
    if (ug) mergeUnique(ug.hosts, ungrouped);
    else if (ungrouped.length > 0) {
      groups.set("ungrouped", {
        name: "ungrouped",
        hosts: ungrouped,
        children: [],
        parents: ["all"],
        vars: {},
        depth: 1,
        location: rootLoc,
      });
      all.children.push("ungrouped");
    }
    all.hosts = [...hosts.keys()];
    return new Inventory(decl.source, hosts, groups);
  }

  /** Returns every host of group name, children included, in inventory order. */
  groupHosts(name: string): string[] {
    const seen = new Set<string>();
    const visit = (g: string) => {
      const group = this.groups.get(g);
      if (!group) return;
      for (const h of group.hosts) seen.add(h);
      for (const c of group.children) visit(c);
    };
    visit(name);
    return [...this.hosts.keys()].filter((h) => seen.has(h));
  }

  /** Returns the names of the groups host belongs to (directly or through children), `all` included. */
  groupsOf(host: string): string[] {
    return [...(this.memberOf.get(host) ?? [])];
  }

  /**
   * Returns host's merged vars. Precedence, lowest first:
   * defaults < all < parent group < child group (by depth, then name) < host < extra (-e).
   * Later levels replace whole top-level keys (no deep merge), as Ansible's default.
   */
  varsFor(host: string, extra: Vars = {}, defaults: Vars = {}): Vars {
    const h = this.hosts.get(host);
    if (!h) throw new Error(`unknown host "${host}"`);
    const groups = this.groupsOf(host)
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

function checkCycles(groups: Map<string, Group>): void {
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]) => {
    const st = state.get(name);
    if (st === "done") return;
    const g = groups.get(name) as Group;
    if (st === "visiting") {
      const cycle = [...path.slice(path.indexOf(name)), name].join(" -> ");
      throw new InventoryError(g.location, `cycle in group children: ${cycle}`);
    }
    state.set(name, "visiting");
    for (const c of g.children) visit(c, [...path, name]);
    state.set(name, "done");
  };
  for (const name of groups.keys()) visit(name, []);
}

function depthOf(g: Group, groups: Map<string, Group>): number {
  if (g.name === "all") return 0;
  if (g.depth >= 0) return g.depth;
  g.depth = 1 + Math.max(...g.parents.map((p) => depthOf(groups.get(p) as Group, groups)));
  return g.depth;
}
