import type { GroupDecl, HostDecl, InventoryDecl, Vars } from "./model.js";

/** A host in a TypeScript inventory: connection shorthands plus vars. */
export interface HostSpec {
  /** Address to connect to (bosun_host); defaults to the host's name. */
  address?: string;
  user?: string;
  port?: number;
  vars?: Vars;
}

export interface GroupSpec {
  /** Host names (declared under `hosts`) or hosts declared here. */
  hosts?: string[] | Record<string, HostSpec>;
  children?: string[];
  vars?: Vars;
}

export interface InventorySpec {
  /** Vars of the `all` group. */
  vars?: Vars;
  hosts?: Record<string, HostSpec>;
  groups?: Record<string, GroupSpec>;
}

const DEFINED = Symbol.for("bosun.inventory");

/** A TypeScript inventory: what `export default inventory({...})` returns. */
export interface TypedInventory {
  readonly [DEFINED]: true;
  readonly spec: InventorySpec;
}

/** Declares an inventory in TypeScript (export it as the module's default). */
export function inventory(spec: InventorySpec): TypedInventory {
  return { [DEFINED]: true, spec };
}

export function isTypedInventory(x: unknown): x is TypedInventory {
  return typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[DEFINED] === true;
}

function hostVars(h: HostSpec): Vars {
  const v: Vars = { ...(h.vars ?? {}) };
  if (h.address !== undefined) v.bosun_host = h.address;
  if (h.user !== undefined) v.bosun_user = h.user;
  if (h.port !== undefined) v.bosun_port = h.port;
  return v;
}

/** Returns the declarations of a TypeScript inventory; file is where it was loaded from (for errors). */
export function typedToDecl(inv: TypedInventory, file: string): InventoryDecl {
  const loc = { file };
  const hosts: HostDecl[] = Object.entries(inv.spec.hosts ?? {}).map(([name, h]) => ({ name, vars: hostVars(h), location: loc }));
  const groups: GroupDecl[] = [];
  for (const [name, g] of Object.entries(inv.spec.groups ?? {})) {
    let members: string[] = [];
    if (Array.isArray(g.hosts)) members = g.hosts;
    else if (g.hosts) {
      for (const [h, spec] of Object.entries(g.hosts)) hosts.push({ name: h, vars: hostVars(spec), location: loc });
      members = Object.keys(g.hosts);
    }
    groups.push({ name, hosts: members, children: g.children ?? [], vars: g.vars ?? {}, location: { file: `${file} (group ${name})` } });
  }
  return { source: file, vars: inv.spec.vars ?? {}, hosts, groups };
}
