import { z } from "zod";
import { InventoryError } from "../errors.js";
import { type ConnectionField, connectionValueProblem } from "../transport/spec.js";
import { quoted } from "./escape.js";
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

const connection = <T extends z.ZodType>(field: ConnectionField, type: T) =>
  type.superRefine((v, ctx) => {
    const problem = connectionValueProblem(field, v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
const varsSchema = z.record(z.string(), z.unknown());
const hostSchema = z.strictObject({
  address: connection("address", z.string()).optional(),
  user: connection("user", z.string()).optional(),
  port: connection("port", z.number()).optional(),
  vars: varsSchema.optional(),
});
const groupSchema = z.strictObject({
  hosts: z.union([z.array(z.string()), z.record(z.string(), hostSchema)]).optional(),
  children: z.array(z.string()).optional(),
  vars: varsSchema.optional(),
});
/** The shape an InventorySpec must have at run time (a .js inventory or a cast can break the types). */
const specSchema = z.strictObject({
  vars: varsSchema.optional(),
  hosts: z.record(z.string(), hostSchema).optional(),
  groups: z.record(z.string(), groupSchema).optional(),
});

/**
 * Throws InventoryError naming the file, the line (found in source, when given) and the path of
 * the first thing wrong with spec: `hosts.web1: unknown key "adress"`, `groups.web: expected an
 * object, found null`.
 */
export function checkInventorySpec(spec: unknown, file: string, source?: string): void {
  const r = specSchema.safeParse(spec);
  if (r.success) return;
  const issue = r.error.issues[0] as z.core.$ZodIssue;
  const where = issue.path.map(String).join(".") || "the inventory";
  let what = issue.message;
  let needle = String(issue.path.at(-1) ?? "");
  if (issue.code === "unrecognized_keys") {
    needle = issue.keys[0] as string;
    what = `unknown key ${quoted(needle)} (expected ${expectedKeys(issue.path)})`;
  } else if (issue.code === "invalid_type") {
    const input = issue.path.reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey], spec);
    what = `expected ${issue.expected === "object" ? "an object" : issue.expected}, found ${input === null ? "null" : Array.isArray(input) ? "a list" : typeof input}`;
  }
  throw new InventoryError({ file, line: lineOf(source, needle) }, `${where}: ${what}`);
}

function expectedKeys(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "vars, hosts, groups";
  if (path[0] === "groups" && path.length === 2) return "hosts, children, vars";
  return "address, user, port, vars";
}

/** Returns the first line of source where word appears as a key, if any. */
function lineOf(source: string | undefined, word: string): number | undefined {
  if (!source || !word) return undefined;
  const re = new RegExp(`(^|[^\\w$])["']?${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']?\\s*:`);
  const idx = source.split("\n").findIndex((l) => re.test(l));
  return idx >= 0 ? idx + 1 : undefined;
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

/**
 * Returns the declarations of a TypeScript inventory after checking its shape; file is where it
 * was loaded from and source its text (for the line of an error).
 */
export function typedToDecl(inv: TypedInventory, file: string, source?: string): InventoryDecl {
  checkInventorySpec(inv.spec, file, source);
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
