/**
 * The declaring collector: role bodies call operations (`apt(…)`, `file(…)`) and `handler(…)`,
 * which land in the collector of the host being declared. Ops import this, never the engine.
 */
import type { Operation } from "./operation.js";

/** The op kind that runs the handlers notified so far at its place in the play. */
export const FLUSH_HANDLERS = "flush_handlers";

export interface Handler {
  name: string;
  ops: Operation[];
  /** The role that declared it, when declared in a role. */
  owner?: string;
}

/** Collects what role bodies declare for one host. Role bodies run synchronously, so one active collector suffices. */
export class Collector {
  readonly ops: Operation[] = [];
  readonly handlers: Handler[] = [];
  private tagStack: string[][] = [];
  private handlerTarget: Operation[] | undefined;
  private owner: string | undefined;

  /** Runs fn with `owner` (a role's name) as the declarer of the handlers it adds. */
  withOwner<T>(owner: string, fn: () => T): T {
    const prev = this.owner;
    this.owner = owner;
    try {
      return fn();
    } finally {
      this.owner = prev;
    }
  }

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
    const prev = this.handlers.find((h) => h.name === name);
    if (prev) {
      // The same role declaring it again (used twice in a play) keeps one handler; another role's
      // handler of that name would otherwise be silently dropped.
      if (prev.owner === this.owner) return;
      throw new Error(
        `handler "${name}" is declared twice: by ${prev.owner ? `role ${prev.owner}` : "the play"} and by ${this.owner ? `role ${this.owner}` : "the play"}; handler names must be unique in a play (rename one, or notify the existing one)`,
      );
    }
    const ops: Operation[] = [];
    const target = this.handlerTarget;
    this.handlerTarget = ops;
    try {
      body();
    } finally {
      this.handlerTarget = target;
    }
    this.handlers.push({ name, ops, ...(this.owner ? { owner: this.owner } : {}) });
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
    if (/\/src\/(core|engine|ops|roles)\//.test(file) || file.includes("/node_modules/")) continue;
    // A fresh copy: the match is a slice of the whole stack text, which every op of every host would keep alive.
    return Buffer.from(`${file}:${m[2]}`).toString();
  }
  return undefined;
}
