import { Collector, collectInto, type Handler } from "../core/collector.js";
import type { Operation } from "../core/operation.js";
import { BosunError } from "../errors.js";
import type { HostFacts } from "../facts/host.js";
import type { Inventory, Vars } from "../inventory/model.js";
import type { Play, RoleContext, RoleUse } from "./declare.js";

/** Thrown when a role reads host facts that are not known yet; the engine gathers them and evaluates again. */
export class NeedHostFacts extends Error {}

/** A role failed while declaring operations for a host (bad params, missing var, template error). */
export class RoleError extends BosunError {}

export interface Evaluated {
  ops: Operation[];
  handlers: Handler[];
}

export interface TagFilter {
  tags?: string[];
  skipTags?: string[];
}

/** Returns true when an op with these tags runs under the filter ("always" runs unless skipped by name). */
export function selectedByTags(opTags: string[], f: TagFilter): boolean {
  if (f.skipTags?.some((t) => opTags.includes(t))) return false;
  if (!f.tags || f.tags.length === 0 || f.tags.includes("all")) return true;
  return opTags.includes("always") || f.tags.some((t) => opTags.includes(t));
}

/** Returns a facts object that throws NeedHostFacts when read: roles that never look at facts cost no extra exec. */
export function lazyFacts(): HostFacts {
  return new Proxy({} as HostFacts, {
    get(_t, prop) {
      if (typeof prop === "symbol" || prop === "then" || prop === "toJSON") return undefined;
      throw new NeedHostFacts(String(prop));
    },
  });
}

export interface EvaluateInput {
  play: Play;
  host: string;
  inventory: Inventory;
  vars: Vars;
  facts: HostFacts;
  filter: TagFilter;
}

/**
 * Runs the play's role functions for one host and returns the operations (tag-filtered) and handlers
 * they declare. A role used twice with the same params (e.g. as a dependency) runs once.
 */
export function evaluatePlay(input: EvaluateInput): Evaluated {
  const { play, host, inventory, vars, facts } = input;
  const ctx: RoleContext = {
    host,
    vars,
    facts,
    groupHosts: (g) => (inventory.groups.has(g) ? inventory.groupHosts(g) : []),
    hostVars: (h) => inventory.varsFor(h),
    var<T>(name: string, fallback?: T): T {
      if (vars[name] !== undefined) return vars[name] as T;
      if (fallback !== undefined) return fallback;
      throw new RoleError(`${host}: missing var "${name}" (define it in the inventory, play vars or -e)`);
    },
  };
  const c = new Collector();
  const seen = new Set<string>();
  const visit = (use: RoleUse) => {
    const def = use.role;
    if (!def || typeof def.body !== "function")
      throw new RoleError(`play "${play.name ?? play.hosts}": roles must be role(...) calls, got ${typeof use}`);
    const key = `${def.roleName}:${JSON.stringify(use.params ?? null)}`;
    if (seen.has(key)) return;
    seen.add(key);
    c.withTags([...def.tags, `role:${def.roleName}`], () => {
      try {
        for (const dep of def.deps?.(use.params as never, ctx) ?? []) visit(dep);
        c.withOwner(def.roleName, () => def.body(use.params as never, ctx));
      } catch (err) {
        if (err instanceof NeedHostFacts || err instanceof RoleError) throw err;
        throw new RoleError(`${host}: role ${def.roleName}: ${(err as Error).message}${userFrame(err as Error)}`, { cause: err });
      }
    });
  };
  collectInto(c, () => c.withTags(play.tags ?? [], () => play.roles.forEach(visit)));
  const ops = c.ops.filter((op) => selectedByTags(op.tags, input.filter));
  const names = new Set(c.handlers.map((h) => h.name));
  // Every declared op, not only the tag-selected ones: a typo must not hide behind -t.
  for (const op of c.ops) {
    for (const n of op.notify) {
      if (!names.has(n))
        throw new RoleError(`${host}: ${op.kind} ${op.name}${op.location ? ` (${op.location})` : ""} notifies unknown handler "${n}"`);
    }
  }
  return { ops, handlers: c.handlers };
}

/** Returns " (at file:line)" for the first stack frame in a user's file, or "". */
function userFrame(err: Error): string {
  for (const line of err.stack?.split("\n").slice(1) ?? []) {
    const m = /((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?$/.exec(line.trim());
    if (m && !/node_modules|\/src\/(engine|ops)\/|node:internal/.test(m[1] as string))
      return ` (at ${(m[1] as string).replace("file://", "")}:${m[2]})`;
  }
  return "";
}
