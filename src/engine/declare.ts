import type { HostFacts } from "../facts/host.js";
import type { Vars } from "../inventory/model.js";
import type { Operation } from "./types.js";

/** What a role sees about the host it is declaring operations for. */
export interface RoleContext {
  /** Inventory name of the host. */
  host: string;
  /** Merged vars (inventory precedence, then play vars, then -e). */
  vars: Vars;
  /** Host facts (OS, memory, addresses, …). Reading them is free when cached from an earlier run. */
  facts: HostFacts;
  /** Host names of a group (e.g. all db hosts), in inventory order. */
  groupHosts(group: string): string[];
  /** Vars of another host (e.g. its address). */
  hostVars(host: string): Vars;
  /** Returns var name, or fallback; throws "missing var" naming the host when neither exists. */
  var<T = unknown>(name: string, fallback?: T): T;
}

export interface Handler {
  name: string;
  ops: Operation[];
}

/** A role applied with its parameters, as listed in a play. */
export interface RoleUse {
  readonly role: RoleDef<never>;
  readonly params: unknown;
}

export interface RoleDef<P> {
  readonly roleName: string;
  readonly tags: string[];
  readonly body: (params: P, ctx: RoleContext) => void;
  readonly deps?: (params: P, ctx: RoleContext) => RoleUse[];
}

export interface RoleOptions<P> {
  /** Tags every operation of the role carries. */
  tags?: string[];
  /** Roles that run before this one (once per host per play, however many roles depend on them). */
  deps?: RoleUse[] | ((params: P, ctx: RoleContext) => RoleUse[]);
}

/** A role: call it with its parameters to use it in a play. */
export type Role<P> = ((...params: P extends void ? [] | [P] : [P]) => RoleUse) & { roleName: string };

/**
 * Defines a role: a typed function that declares operations for one host.
 * `const nginx = role("nginx", (p: NginxParams, ctx) => { apt(["nginx"]); … })`
 */
export function role<P = void>(name: string, body: (params: P, ctx: RoleContext) => void, opts: RoleOptions<P> = {}): Role<P> {
  const deps = opts.deps;
  const def: RoleDef<P> = {
    roleName: name,
    tags: opts.tags ?? [],
    body,
    deps: deps === undefined ? undefined : typeof deps === "function" ? deps : () => deps,
  };
  const use = (...params: unknown[]) => ({ role: def as unknown as RoleDef<never>, params: params[0] }) as RoleUse;
  return Object.assign(use, { roleName: name }) as Role<P>;
}

export interface Play {
  name?: string;
  /** Host pattern (Ansible syntax): "web", "all:!db", "web*". */
  hosts: string;
  roles: RoleUse[];
  vars?: Vars;
  tags?: string[];
  /** Rolling batches: a host count or a percentage ("30%"). */
  serial?: number | `${number}%`;
  /** Stop the play when more than this percentage of a batch's hosts failed. */
  maxFailPercentage?: number;
  /** Any host failing stops the play for all hosts after the current batch. */
  anyErrorsFatal?: boolean;
  /** Run operations with privilege escalation (sudo). */
  become?: boolean;
}

const DEPLOYMENT = Symbol.for("bosun.deployment");

export interface Deployment {
  readonly [DEPLOYMENT]: true;
  name: string;
  plays: Play[];
}

/** Declares a deployment (export it as the site file's default): named, ordered plays. */
export function deploy(name: string, plays: Play[]): Deployment {
  return { [DEPLOYMENT]: true, name, plays };
}

export function isDeployment(x: unknown): x is Deployment {
  return typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[DEPLOYMENT] === true;
}

/** Collects what role bodies declare for one host. Role bodies run synchronously, so one active collector suffices. */
export class Collector {
  readonly ops: Operation[] = [];
  readonly handlers: Handler[] = [];
  private tagStack: string[][] = [];
  private handlerTarget: Operation[] | undefined;

  add(op: Operation): void {
    op.tags = [...new Set([...this.tagStack.flat(), ...op.tags])];
    if (this.handlerTarget) this.handlerTarget.push(op);
    else this.ops.push(op);
  }

  withTags<T>(tags: string[], fn: () => T): T {
    this.tagStack.push(tags);
    try {
      return fn();
    } finally {
      this.tagStack.pop();
    }
  }

  addHandler(name: string, body: () => void): void {
    if (this.handlers.some((h) => h.name === name)) return; // same role used twice: one handler
    const ops: Operation[] = [];
    const prev = this.handlerTarget;
    this.handlerTarget = ops;
    try {
      body();
    } finally {
      this.handlerTarget = prev;
    }
    this.handlers.push({ name, ops });
  }
}

let active: Collector | undefined;

/** Runs fn with c as the collector operations are declared into. */
export function collectInto<T>(c: Collector, fn: () => T): T {
  const prev = active;
  active = c;
  try {
    return fn();
  } finally {
    active = prev;
  }
}

/** Adds an operation to the role being declared; throws outside a role. */
export function declareOp<T extends Operation>(op: T): T {
  if (!active) throw new Error(`${op.kind} ${op.name}: operations can only be declared inside a role`);
  op.location ??= callerLocation();
  active.add(op);
  return op;
}

/** Declares a handler: ops that run once at the end of the play on hosts where an op notified `name`. */
export function handler(name: string, body: () => void): void {
  if (!active) throw new Error(`handler "${name}": handlers can only be declared inside a role`);
  active.addHandler(name, body);
}

/** Returns the first stack frame outside Bosun's own engine/ops code: where the user declared the op. */
export function callerLocation(): string | undefined {
  const stack = new Error().stack?.split("\n").slice(2) ?? [];
  for (const frame of stack) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?$/.exec(frame.trim());
    if (!m) continue;
    const file = (m[1] as string).replace(/^file:\/\//, "");
    if (/\/src\/(engine|ops)\//.test(file) || file.includes("/node_modules/")) continue;
    return `${file}:${m[2]}`;
  }
  return undefined;
}
