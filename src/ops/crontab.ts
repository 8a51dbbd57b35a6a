import { createHash } from "node:crypto";
import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type FactRequest, type Operation, type OpPlan } from "../core/operation.js";
import { quote } from "../util/shell.js";
import { cronSchedule } from "./cron.js";
import { CRONTAB_AWK, type CrontabSpec, editCrontab } from "./crontab-edit.js";
import { contentDiff } from "./diff.js";

export interface CrontabOptions extends CommonOptions {
  /** Whose crontab. Default root. */
  user?: string;
  /** Five fields ("*\/5 * * * *") or a keyword (@reboot, @daily, …). Required for state "present". */
  schedule?: string;
  /** The command line. Required for state "present". */
  job?: string;
  state?: "present" | "absent";
  /** Keep the job in the crontab commented out (its line starts with #). */
  disabled?: boolean;
}

export interface CrontabEnvOptions extends CommonOptions {
  user?: string;
  /** The value (written as NAME="value"). Required for state "present". */
  value?: string;
  state?: "present" | "absent";
}

/** A user's crontab as `crontab -l` prints it ("" when there is none). */
export interface CrontabFact {
  state: "ok" | "no-user" | "no-crontab-command";
  text: string;
}

const USER = /^[a-z_][a-z0-9_.-]*\$?$/i;

/** Returns the fact of a user's crontab. */
export function crontabFact(user: string): FactRequest<CrontabFact> {
  const u = quote(user);
  return {
    key: `crontab:${user}`,
    command: [
      `if ! id -u ${u} >/dev/null 2>&1; then echo no-user`,
      "elif ! command -v crontab >/dev/null 2>&1; then echo no-crontab-command",
      `else echo ok; crontab -l -u ${u} 2>/dev/null | base64 -w0; echo; fi`,
    ].join("\n"),
    parse: (out) => {
      const [state = "", b64 = ""] = out.split("\n");
      return { state: state as CrontabFact["state"], text: Buffer.from(b64, "base64").toString("latin1") };
    },
  };
}

/** Returns the operation that ensures one crontab edit (a job or a variable) for a user. */
function crontabOp(kind: string, name: string, user: string, spec: CrontabSpec, o: CommonOptions): Operation {
  if (!USER.test(user)) throw new Error(`${kind} ${name}: bad user "${user}"`);
  const fact = crontabFact(user);
  const where = `crontab of ${user}`;
  // The plan's edit, kept for this host's apply (compare-and-swap, as for the other file edits).
  let planned: { saw: string; text: string } | undefined;
  const plan = (cur: CrontabFact): OpPlan => {
    planned = undefined;
    if (cur.state !== "ok") {
      if (spec.state === "absent") return { changed: false, summary: cur.state === "no-user" ? "no such user" : "no crontab command" };
      const why = cur.state === "no-user" ? `user ${user} does not exist` : "the crontab command is not installed (package cron)";
      return { changed: true, summary: `${why} yet: it must be created earlier in this run, or the apply fails` };
    }
    const after = editCrontab(cur.text, spec);
    planned = { saw: createHash("sha256").update(cur.text, "latin1").digest("hex"), text: after };
    if (after === cur.text) return { changed: false, summary: "up to date" };
    const diff = contentDiff(where, Buffer.from(cur.text, "latin1"), Buffer.from(after, "latin1"));
    const what =
      spec.state === "absent" ? "remove" : cur.text.includes(spec.kind === "job" ? `#Ansible: ${name}\n` : `${name}=`) ? "update" : "add";
    return { changed: true, summary: `${what} in ${where}`, diff };
  };
  const apply = () => {
    const u = quote(user);
    const lines = [
      spec.state === "absent"
        ? `command -v crontab >/dev/null 2>&1 && id -u ${u} >/dev/null 2>&1 || exit 0`
        : `command -v crontab >/dev/null 2>&1 || { echo 'crontab: command not found (install the cron package first)' >&2; exit 1; }`,
      `__src="$__d/crontab.cur"; __new="$__d/crontab.new"; rm -f "$__new"`,
      `crontab -l -u ${u} > "$__src" 2>/dev/null || [ $? -eq 1 ]`,
      `if [ -s "$__src" ] && [ -n "$(tail -c 1 "$__src")" ]; then __nonl=1; else __nonl=0; fi`,
    ];
    const derive = `__OUT="$__new" __K=${spec.kind} __S=${spec.state} __N=${quote(name)} __L=${quote("line" in spec ? spec.line : "decl" in spec ? spec.decl : "")} awk -v nonl="$__nonl" ${quote(CRONTAB_AWK)} "$__src"`;
    if (planned) {
      const put = `printf %s ${quote(Buffer.from(planned.text, "latin1").toString("base64"))} | base64 -d > "$__new"`;
      lines.push(`if [ "$(sha256sum < "$__src" | cut -d' ' -f1)" = ${quote(planned.saw)} ]; then ${put}; else`, derive, "fi");
    } else lines.push(derive);
    lines.push(`if [ -e "$__new" ] && ! cmp -s "$__new" "$__src"; then crontab -u ${u} "$__new"; __changed; fi`);
    return lines.join("\n");
  };
  return {
    kind,
    name: `${user}: ${name}`,
    ...commonFields(o),
    facts: () => [fact],
    plan: (facts) => plan(facts.get(fact)),
    apply,
  };
}

/**
 * Ensures a job in a user's crontab, written exactly as Ansible's `cron` module writes it (a
 * `#Ansible: NAME` line, then the job line), so a crontab Ansible manages stays as it is.
 * `crontab("backup", { user: "alice", schedule: "15 3 * * *", job: "/usr/local/bin/backup" })`
 */
export function crontab(name: string, o: CrontabOptions): Operation {
  const state = o.state ?? "present";
  if (state !== "present" && state !== "absent") throw new Error(`crontab ${name}: state must be "present" or "absent"`);
  if (/[\n\0]/.test(name)) throw new Error(`crontab: job name must be one line, got ${JSON.stringify(name)}`);
  if (state === "absent") return declareOp(crontabOp("crontab", name, o.user ?? "root", { kind: "job", name, state }, o));
  if (o.schedule === undefined || o.job === undefined) throw new Error(`crontab ${name}: state present needs schedule and job`);
  const job = o.job.replace(/^[\r\n]+|[\r\n]+$/g, "");
  if (job === "" || /[\n\r\0]/.test(job)) throw new Error(`crontab ${name}: job must be one non-empty line`);
  const line = `${o.disabled ? "#" : ""}${cronSchedule(o.schedule)} ${job}`;
  return declareOp(crontabOp("crontab", name, o.user ?? "root", { kind: "job", name, state, line }, o));
}

/**
 * Ensures a variable at the top of a user's crontab (`NAME="value"`), as Ansible's `cron` with `env: true`.
 * `crontabEnv("MAILTO", { user: "alice", value: "ops@example.com" })`
 */
export function crontabEnv(name: string, o: CrontabEnvOptions): Operation {
  const state = o.state ?? "present";
  if (state !== "present" && state !== "absent") throw new Error(`crontab_env ${name}: state must be "present" or "absent"`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`crontab_env: bad variable name "${name}"`);
  if (state === "absent") return declareOp(crontabOp("crontab_env", name, o.user ?? "root", { kind: "env", name, state }, o));
  if (o.value === undefined || /[\n\r\0]/.test(o.value)) throw new Error(`crontab_env ${name}: state present needs a one-line value`);
  return declareOp(crontabOp("crontab_env", name, o.user ?? "root", { kind: "env", name, state, decl: `${name}="${o.value}"` }, o));
}
