/**
 * The contract between operations and the engine (DESIGN: "an operation is data + pure functions").
 * An operation declares the facts it needs, plans from them (pure), and renders a guarded POSIX sh
 * fragment that checks-then-changes on the host, so the apply script is right even when an earlier
 * operation of the same run changed what this one looks at.
 */

/** One fact: the sh command that prints it and the pure parser of that output. Same key → gathered once. */
export interface FactRequest<T = unknown> {
  key: string;
  command: string;
  parse(output: string, rc: number): T;
  /**
   * Set when facts of this request's kind can be gathered together: the engine runs ONE
   * kind.command for every request of the kind in an exec, and kind.split gives each its output as
   * its own `command` would print it, so `parse` runs unchanged. `command` stays the fallback.
   */
  batch?: { kind: FactBatchKind; arg: string };
}

/** A kind of fact that gathers many requests (one arg each) with one command. */
export interface FactBatchKind {
  /** Requests with the same kind id share one command. */
  id: string;
  /** Returns the sh that prints the facts of every arg (run in the facts script's shell, not a subshell: it must not exit or cd). */
  command(args: string[]): string;
  /**
   * Returns each arg's output (and rc) in the format of its request's own command. An arg left
   * out (a file changed while it was read) is gathered again by its own command.
   */
  split(output: string, rc: number, args: string[]): Map<string, { output: string; rc: number }>;
}

/** Returns parsed facts during planning. */
export interface FactLookup {
  get<T>(req: FactRequest<T>): T;
}

/** What an operation would do on a host, from its facts. */
export interface OpPlan {
  changed: boolean;
  /** Short human description: "create", "install nginx curl", "mode 0644 → 0600". */
  summary: string;
  /** Unified diff of file content (secrets masked), when content changes. */
  diff?: string;
}

export interface Operation {
  /** "file", "apt", "service", … */
  kind: string;
  /** What it acts on: a path, a unit, package names. With kind, the op's display id. */
  name: string;
  tags: string[];
  /** Handler names notified when this operation changes something. */
  notify: string[];
  /** Where the op was declared (file:line in the user's role), for errors. */
  location?: string;
  /**
   * Set on a check (an HTTP probe): it never changes anything, and its apply runs on every apply of
   * its host, so a host whose only op is a check is still applied (checked) when nothing changes.
   */
  check?: boolean;
  facts(): FactRequest[];
  plan(facts: FactLookup): OpPlan;
  /**
   * Returns the sh fragment that makes it so. It runs under `set -e` with stdin from /dev/null,
   * must be idempotent on its own, and calls `__changed` when it changed anything.
   */
  apply(): string;
  /**
   * Values this op sends back from the host to be kept in a local vault file (the fragment calls
   * `__secret KEY HOSTFILE`). The engine wraps each as a Secret at once, stores it atomically and
   * records only that it stored one. See docs/vault.md, "Values a run writes back".
   */
  vaultOutputs?: VaultOutput[];
  /**
   * When set and the op changed, the engine checks after the apply exec that a NEW SSH connection to
   * the host still works; if not, it runs `rollback` through the still-open connection and fails the host.
   */
  connectionGuard?: ConnectionGuard;
}

/** A value that comes back from the host into the vault. */
export interface VaultOutput {
  /** Vault file (YAML, encrypted): absolute, or relative to the site file's directory. */
  file: string;
  /** Top-level key the value is stored under (letters, digits, `_`); the name the fragment's `__secret` uses. */
  key: string;
}

/** What the engine does when a fresh connection fails after this op changed. */
export interface ConnectionGuard {
  /** sh run (as the play's user) through the connection that is still open, to undo the change. */
  rollback: string;
  /** Says what was undone, for the error: "ufw was disabled again". */
  undone: string;
}

/** Options every operation takes. */
export interface CommonOptions {
  tags?: string[];
  notify?: string | string[];
}

/** Returns the tags and notify list every operation takes from its common options. */
export function commonFields(o: CommonOptions): { tags: string[]; notify: string[] } {
  return { tags: o.tags ?? [], notify: notifyList(o) };
}

/** Returns the notify list of common options. */
export function notifyList(o: CommonOptions): string[] {
  return o.notify === undefined ? [] : Array.isArray(o.notify) ? o.notify : [o.notify];
}

/** Returns the id shown for an op: "file /etc/motd". */
export function opId(op: Pick<Operation, "kind" | "name">): string {
  return `${op.kind} ${op.name}`;
}
