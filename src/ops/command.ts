import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type FactRequest, type Operation } from "../core/operation.js";
import { fileFact, rcFact } from "../facts/file.js";
import { quote } from "../util/shell.js";
import { revealString } from "../vault/vars.js";
import { isSensitive, maskedText, type SensitiveContent } from "./content.js";

export interface CommandOptions extends CommonOptions {
  /** Skip when this path exists (the command creates it). */
  creates?: string;
  /** Skip when this path does not exist (the command removes it). */
  removes?: string;
  /** Skip when this command succeeds. */
  unless?: string;
  /** Run only when this command succeeds. */
  onlyIf?: string;
  /** Working directory. */
  cwd?: string;
  /** Environment for the command; values may be Secrets (they travel inside the script, on stdin). */
  env?: Record<string, unknown>;
  /** A short name for output instead of the command text. */
  name?: string;
  /**
   * false: a read-only command (Ansible's `changed_when: false`): it runs on every apply of the host, as a
   * check does, and never reports a change. Default true: running it is a change.
   */
  changed?: boolean;
}

/**
 * Runs a shell command, made idempotent by its guards (creates, removes, unless, onlyIf).
 * Without guards it runs, and reports a change, every time.
 */
export function command(command: string | SensitiveContent, o: CommandOptions = {}): Operation {
  const cmd = isSensitive(command) ? String(command.reveal()) : command;
  const shown = isSensitive(command) ? maskedText(command) : command;
  const facts: { req: FactRequest<unknown>; skip: (v: unknown) => string | undefined }[] = [];
  if (o.creates)
    facts.push({ req: fileFact(o.creates), skip: (v) => ((v as { type: string }).type !== "absent" ? `${o.creates} exists` : undefined) });
  if (o.removes)
    facts.push({
      req: fileFact(o.removes),
      skip: (v) => ((v as { type: string }).type === "absent" ? `${o.removes} is absent` : undefined),
    });
  if (o.unless) facts.push({ req: rcFact(o.unless), skip: (v) => (v === 0 ? "unless-command succeeded" : undefined) });
  if (o.onlyIf) facts.push({ req: rcFact(o.onlyIf), skip: (v) => (v !== 0 ? "onlyIf-command failed" : undefined) });
  const guards: string[] = [];
  if (o.creates) guards.push(`[ ! -e ${quote(o.creates)} ]`);
  if (o.removes) guards.push(`[ -e ${quote(o.removes)} ]`);
  if (o.unless) guards.push(`! ( ${o.unless} ) >/dev/null 2>&1`);
  if (o.onlyIf) guards.push(`( ${o.onlyIf} ) >/dev/null 2>&1`);
  const env = Object.entries(o.env ?? {}).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`command: bad environment variable name "${k}"`);
    return `export ${k}=${quote(revealString(v))}`;
  });
  const body = [...env, o.cwd ? `cd ${quote(o.cwd)}` : "", cmd].filter(Boolean).join("\n");
  const quiet = o.changed === false;
  return declareOp({
    kind: "command",
    name: o.name ?? (shown.length > 60 ? `${shown.slice(0, 57)}...` : shown),
    ...commonFields(o),
    ...(quiet ? { check: true } : {}),
    facts: () => facts.map((f) => f.req),
    plan(lookup) {
      for (const f of facts) {
        const why = f.skip(lookup.get(f.req));
        if (why) return { changed: false, summary: `skip: ${why}` };
      }
      return quiet ? { changed: false, summary: "runs at apply, never a change (changed: false)" } : { changed: true, summary: "run" };
    },
    apply: () => {
      const run = quiet ? body : `${body}\n__changed`;
      return guards.length ? `if ${guards.join(" && ")}; then\n${run}\nfi` : run;
    },
  });
}
