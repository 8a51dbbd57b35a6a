/**
 * A credential made on the host (an API token, a generated password) and kept in the vault: the
 * `create` command runs once, when the host file is missing, and its stdout becomes the file (0600).
 * Whenever the op runs, the fragment sends the file's content back (`__secret`, on the apply's own
 * stdout, never in a log) and the engine stores it in the vault file under `vault.key`. The engine
 * plans the op as a change while the vault lacks the key, so a value created by a run that could not
 * store it is brought back by the next one. The value never appears in a plan, a log or a run record.
 */
import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type FactRequest, type Operation, type OpPlan } from "../core/operation.js";
import { quote } from "../util/shell.js";
import { revealString } from "../vault/vars.js";

export interface HostSecretOptions extends CommonOptions {
  /** Host file that keeps the value; its existence is what makes the op idempotent. */
  path: string;
  /**
   * sh that prints the new value on stdout (a final newline is dropped), run only when `path` is missing
   * or empty. Its stderr goes to the op's log; its stdout never does.
   */
  create: string;
  /** Where the value is kept: a YAML vault file (absolute, or relative to the site file's directory) and a top-level key. */
  vault: { file: string; key: string };
  /** Environment of `create`; values may be Secrets (they travel inside the script, on stdin). */
  env?: Record<string, unknown>;
  /** Mode of the host file. Default "0600". */
  mode?: string;
  /** Owner. Default "root". */
  owner?: string;
  /** Group. Default "root". */
  group?: string;
}

interface Present {
  present: boolean;
  attrs?: string;
}

/** Returns the fact: whether path holds a value, and its "mode owner group" (never its content). */
function presentFact(path: string): FactRequest<Present> {
  const p = quote(path);
  return {
    key: `host-secret:${path}`,
    command: `if [ -s ${p} ] && [ ! -L ${p} ]; then stat -c '%a %U %G' ${p}; else echo absent; fi`,
    parse: (out) => {
      const line = out.trim();
      return line === "absent" || line === "" ? { present: false } : { present: true, attrs: line };
    },
  };
}

/** Returns the op that creates a credential on the host once and keeps it in the vault (see the file's header). */
export function hostSecret(name: string, o: HostSecretOptions): Operation {
  if (!o.path.startsWith("/")) throw new Error(`host_secret ${name}: path must be absolute, got "${o.path}"`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.vault.key))
    throw new Error(`host_secret ${name}: vault key "${o.vault.key}" must be letters, digits and "_"`);
  if (!o.create.trim()) throw new Error(`host_secret ${name}: create must be a command that prints the value`);
  const mode = o.mode ?? "0600";
  if (!/^0?[0-7]{3}$/.test(mode)) throw new Error(`host_secret ${name}: bad mode "${mode}"`);
  const owner = o.owner ?? "root";
  const group = o.group ?? "root";
  const want = `${mode.replace(/^0/, "")} ${owner} ${group}`;
  const fact = presentFact(o.path);
  const env = Object.entries(o.env ?? {}).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`host_secret ${name}: bad environment variable name "${k}"`);
    return `export ${k}=${quote(revealString(v))}`;
  });
  const p = quote(o.path);
  return declareOp({
    kind: "host_secret",
    name,
    ...commonFields(o),
    vaultOutputs: [{ file: o.vault.file, key: o.vault.key }],
    facts: () => [fact],
    plan(facts): OpPlan {
      const cur = facts.get(fact);
      if (!cur.present) return { changed: true, summary: `create ${o.path}` };
      if (cur.attrs !== want) return { changed: true, summary: `${o.path}: ${cur.attrs} → ${want}` };
      return { changed: false, summary: `kept in ${o.path}` };
    },
    apply: () =>
      [
        `if [ ! -s ${p} ] || [ -L ${p} ]; then`,
        ...env,
        // stdout into the work dir (0700, removed with the script), never into the op's log.
        `  ( ${o.create}\n  ) > "$__d/hs"`,
        `  __v=$(cat "$__d/hs"); rm -f "$__d/hs"`,
        `  [ -n "$__v" ] || { echo ${quote(`host_secret ${name}: the create command printed no value`)} >&2; exit 1; }`,
        `  (umask 077; mkdir -p "$(dirname ${p})")`,
        `  __put ${p} "$(printf '%s' "$__v" | base64 -w0)" ${mode} ${owner} ${group}`,
        "  __v=",
        "fi",
        `__attrs ${p} ${mode} ${owner} ${group}`,
        `__secret ${o.vault.key} ${p}`,
      ].join("\n"),
  });
}
