import type { HostFacts } from "../facts/host.js";
import type { Vars } from "../inventory/model.js";

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
