/**
 * One converter per Ansible module: its arguments → a call of the Bosun operation with the same effect.
 * A converter throws Todo (with the reason) for arguments it cannot carry over with the same meaning;
 * the task then becomes a marked TODO with its original YAML, never a silently different operation.
 */
import { contentExpr, type Scope, strExpr, valueExpr } from "./expr.js";
import type { Yaml } from "./source.js";

/** An argument or a whole task that cannot be converted with the same meaning. */
export class Todo extends Error {}

/** A converted call: `fn(args…, { opts })`; notes become comments above it. */
export interface Call {
  fn: string;
  args: string[];
  opts: [string, string][];
  /** Statements instead of a call (set_fact, debug). */
  statements?: string[];
  notes?: string[];
}

export interface ModuleInput {
  args: Yaml;
  scope: Scope;
  /** The whole task, for keywords a module's conversion depends on (uri: register/until/retries/delay). */
  task?: Yaml;
  /** TS expression of a file under the role's templates/ or files/ dir. */
  roleFile(kind: "templates" | "files", rel: string): string;
}

type Converter = (m: ModuleInput) => Call;

/** Throws Todo for any argument outside `known`. */
function only(args: Yaml, known: string[], mod: string): void {
  const extra = Object.keys(args).filter((k) => !known.includes(k));
  if (extra.length > 0) throw new Todo(`${mod}: argument${extra.length > 1 ? "s" : ""} ${extra.join(", ")} not converted`);
}

/** Returns [name, expr] pairs for the args present, renamed (ansible name → bosun name). */
function pick(m: ModuleInput, names: Record<string, string>, as: "str" | "value" = "value"): [string, string][] {
  const out: [string, string][] = [];
  for (const [a, b] of Object.entries(names)) {
    const v = m.args[a];
    if (v === undefined || v === null) continue;
    out.push([b, as === "str" ? strExpr(v, m.scope) : valueExpr(v, m.scope)]);
  }
  return out;
}

const ATTRS = { owner: "owner", group: "group", mode: "mode" };
const attrs = (m: ModuleInput) => pick(m, ATTRS, "str");
const req = (m: ModuleInput, name: string, mod: string): unknown => {
  const v = m.args[name];
  if (v === undefined || v === null) throw new Todo(`${mod}: no ${name}`);
  return v;
};

const STATES: Record<string, string> = { present: "present", installed: "present", absent: "absent", removed: "absent", latest: "latest" };

const apt: Converter = (m) => {
  only(m.args, ["name", "pkg", "state", "update_cache", "cache_valid_time", "install_recommends"], "apt");
  const names = m.args.name ?? m.args.pkg;
  if (names === undefined) throw new Todo("apt: only a cache update (no name): bosun refreshes package lists when it installs");
  const state = String(m.args.state ?? "present");
  if (!STATES[state]) throw new Todo(`apt: state ${state}`);
  const opts: [string, string][] = [];
  if (state !== "present") opts.push(["state", JSON.stringify(STATES[state])]);
  // Bosun refreshes lists older than the validity window before installing; an explicit window is kept.
  opts.push(...pick(m, { cache_valid_time: "cacheValidTime", install_recommends: "installRecommends" }));
  return { fn: "apt", args: [valueExpr(names, m.scope)], opts };
};

const copy: Converter = (m) => {
  only(m.args, ["src", "content", "dest", "owner", "group", "mode", "validate", "backup", "force"], "copy");
  if (m.args.backup || m.args.force === false) throw new Todo("copy: backup / force: no are not converted");
  const dest = strExpr(req(m, "dest", "copy"), m.scope);
  const validate = m.args.validate === undefined ? undefined : strExpr(m.args.validate, m.scope);
  // Content with validate: validatedFile runs the check (with %s, on a temp file beside dest) before the file goes live.
  if (m.args.content !== undefined && validate)
    return {
      fn: "validatedFile",
      args: [dest],
      opts: [["content", contentExpr(m.args.content, m.scope)], ["validate", validate], ...attrs(m)],
    };
  const notes = m.args.validate ? [`TODO(import): validate "${m.args.validate}" is not run before the file is put in place`] : [];
  if (m.args.content !== undefined)
    return { fn: "file", args: [dest], opts: [["content", contentExpr(m.args.content, m.scope)], ...attrs(m)], notes };
  const src = String(req(m, "src", "copy"));
  if (src.endsWith("/") || /\{\{/.test(src)) throw new Todo("copy: a directory or templated src");
  return { fn: "copy", args: [dest], opts: [["src", m.roleFile("files", src)], ...attrs(m)], notes };
};

const template: Converter = (m) => {
  only(m.args, ["src", "dest", "owner", "group", "mode", "validate", "backup"], "template");
  if (m.args.validate || m.args.backup) throw new Todo("template: validate / backup are not converted");
  const src = String(req(m, "src", "template"));
  if (/\{\{/.test(src)) throw new Todo("template: a templated src");
  const opts: [string, string][] = [["src", m.roleFile("templates", src)], ["context", "ctx"], ["vars", m.scope.varsExpr], ...attrs(m)];
  return { fn: "template", args: [strExpr(req(m, "dest", "template"), m.scope)], opts };
};

const file: Converter = (m) => {
  only(m.args, ["path", "dest", "name", "state", "src", "owner", "group", "mode", "force", "modification_time", "access_time"], "file");
  const p = strExpr(m.args.path ?? m.args.dest ?? m.args.name, m.scope);
  const state = String(m.args.state ?? "file");
  if (state === "directory") return { fn: "directory", args: [p], opts: attrs(m) };
  if (state === "absent") return { fn: "absent", args: [p], opts: [] };
  if (state === "link") return { fn: "link", args: [p], opts: [["target", strExpr(req(m, "src", "file"), m.scope)]] };
  if (state === "touch") {
    // Ansible's default for touch is "now" for both times: a change on every run, as in Ansible.
    const times = pick(m, { modification_time: "modificationTime", access_time: "accessTime" }, "str");
    for (const [k, v] of times)
      if (v !== '"now"' && v !== '"preserve"') throw new Todo(`file: ${k} ${v} (only now and preserve are converted)`);
    return { fn: "touch", args: [p], opts: [...attrs(m), ...times] };
  }
  if (m.args.modification_time !== undefined || m.args.access_time !== undefined)
    throw new Todo("file: modification_time/access_time outside state touch");
  throw new Todo(`file: state ${state} (bosun has no attributes-only operation)`);
};

const lineinfile: Converter = (m) => {
  only(m.args, ["path", "dest", "name", "line", "regexp", "state", "insertafter", "create", "owner", "group", "mode"], "lineinfile");
  const p = strExpr(m.args.path ?? m.args.dest ?? m.args.name, m.scope);
  return {
    fn: "lineInFile",
    args: [p],
    opts: [
      ...pick(m, { line: "line", regexp: "regexp", state: "state", insertafter: "insertAfter" }, "str"),
      ...pick(m, { create: "create" }),
      ...attrs(m),
    ],
  };
};

const blockinfile: Converter = (m) => {
  only(
    m.args,
    ["path", "dest", "name", "block", "content", "marker", "state", "insertafter", "create", "owner", "group", "mode"],
    "blockinfile",
  );
  const p = strExpr(m.args.path ?? m.args.dest ?? m.args.name, m.scope);
  // Ansible's default marker, so a file Ansible edited keeps its block.
  const marker = m.args.marker ?? "# {mark} ANSIBLE MANAGED BLOCK";
  return {
    fn: "blockInFile",
    args: [p],
    opts: [
      ["block", strExpr(m.args.block ?? m.args.content ?? "", m.scope)],
      ["marker", strExpr(marker, m.scope)],
      ...pick(m, { state: "state", insertafter: "insertAfter" }, "str"),
      ...pick(m, { create: "create" }),
      ...attrs(m),
    ],
  };
};

const user: Converter = (m) => {
  only(
    m.args,
    ["name", "uid", "group", "groups", "append", "shell", "home", "system", "comment", "state", "remove", "create_home"],
    "user",
  );
  const groups =
    typeof m.args.groups === "string" && !m.args.groups.includes("{{") ? m.args.groups.split(",").map((g) => g.trim()) : m.args.groups;
  const opts = pick(m, {
    uid: "uid",
    group: "group",
    append: "append",
    shell: "shell",
    home: "home",
    system: "system",
    comment: "comment",
    state: "state",
    remove: "remove",
    create_home: "createHome",
  });
  if (groups !== undefined) opts.splice(2, 0, ["groups", valueExpr(groups, m.scope)]);
  // Ansible's append defaults to no (exactly these groups); Bosun's to true.
  if (groups !== undefined && m.args.append === undefined) opts.push(["append", "false"]);
  return { fn: "user", args: [strExpr(req(m, "name", "user"), m.scope)], opts };
};

const group: Converter = (m) => {
  only(m.args, ["name", "gid", "system", "state"], "group");
  return {
    fn: "group",
    args: [strExpr(req(m, "name", "group"), m.scope)],
    opts: pick(m, { gid: "gid", system: "system", state: "state" }),
  };
};

const authorizedKey: Converter = (m) => {
  only(m.args, ["user", "key", "state", "exclusive"], "authorized_key");
  const key = req(m, "key", "authorized_key");
  const keys =
    typeof key === "string" && !key.includes("{{") ? JSON.stringify(key.split("\n").filter(Boolean)) : `[${valueExpr(key, m.scope)}]`;
  return {
    fn: "authorizedKeys",
    args: [strExpr(req(m, "user", "authorized_key"), m.scope)],
    opts: [["keys", keys], ...pick(m, { exclusive: "exclusive", state: "state" })],
  };
};

const service: Converter = (m) => {
  only(m.args, ["name", "state", "enabled", "daemon_reload", "daemon-reload"], "service");
  if (m.args.name === undefined) throw new Todo("systemd: daemon_reload alone (bosun reloads systemd when a unit file changed)");
  const notes = m.args.daemon_reload ? ["daemon_reload: bosun reloads systemd before this when unit files changed"] : [];
  return { fn: "service", args: [strExpr(m.args.name, m.scope)], opts: pick(m, { state: "state", enabled: "enabled" }), notes };
};

/** Returns the schedule expression of a cron task: "@special" or the five fields (Ansible's defaults are *). */
function cronWhen(m: ModuleInput): string {
  const fields = ["minute", "hour", "day", "month", "weekday"];
  if (m.args.special_time) {
    if (fields.some((f) => m.args[f] !== undefined && String(m.args[f]) !== "*")) throw new Todo("cron: special_time with time fields");
    return strExpr(`@${m.args.special_time}`, m.scope);
  }
  return strExpr(fields.map((f) => String(m.args[f] ?? "*")).join(" "), m.scope);
}

const cron: Converter = (m) => {
  if (m.args.dom !== undefined) m.args.day ??= m.args.dom;
  if (m.args.dow !== undefined) m.args.weekday ??= m.args.dow;
  if (m.args.value !== undefined) m.args.job ??= m.args.value;
  const known = ["name", "minute", "hour", "day", "month", "weekday", "dom", "dow", "special_time", "job", "value", "user", "state"];
  only(m.args, [...known, "cron_file", "disabled", "env"], "cron");
  const name = strExpr(req(m, "name", "cron"), m.scope);
  const absent = m.args.state === "absent";
  if (!m.args.cron_file) {
    // A user's crontab: the op writes Ansible's own "#Ansible: NAME" marker lines, so a converged crontab stays as it is.
    const opts: [string, string][] = pick(m, { user: "user", state: "state" }, "str");
    if (m.args.env) {
      if (!absent) opts.push(["value", strExpr(req(m, "job", "cron"), m.scope)]);
      return { fn: "crontabEnv", args: [name], opts };
    }
    if (!absent)
      opts.push(["schedule", cronWhen(m)], ["job", strExpr(req(m, "job", "cron"), m.scope)], ...pick(m, { disabled: "disabled" }));
    return { fn: "crontab", args: [name], opts };
  }
  if (m.args.disabled || m.args.env) throw new Todo("cron: disabled / env in a cron_file (bosun writes one job per /etc/cron.d file)");
  const opts: [string, string][] = [
    ["schedule", cronWhen(m)],
    ["command", strExpr(m.args.job ?? "", m.scope)],
    ...pick(m, { user: "user", state: "state" }, "str"),
  ];
  return {
    fn: "cron",
    args: [strExpr(m.args.cron_file, m.scope)],
    opts,
    notes: [`cron job "${m.args.name}": same job line in /etc/cron.d/${m.args.cron_file}`],
  };
};

const sysctl: Converter = (m) => {
  only(m.args, ["name", "value", "state", "sysctl_file", "reload", "sysctl_set"], "sysctl");
  if (m.args.state === "absent") throw new Todo("sysctl: state absent");
  const notes = m.args.sysctl_file
    ? []
    : ["persisted in a drop-in under /etc/sysctl.d (Ansible edits /etc/sysctl.conf); the live value is the same"];
  return {
    fn: "sysctl",
    args: [strExpr(req(m, "name", "sysctl"), m.scope), valueExpr(req(m, "value", "sysctl"), m.scope)],
    opts: [...pick(m, { sysctl_file: "file" }, "str"), ...(m.args.reload === false ? ([["apply", "false"]] as [string, string][]) : [])],
    notes,
  };
};

const commandLike =
  (mod: string): Converter =>
  (m) => {
    only(m.args, ["_raw_params", "cmd", "creates", "removes", "chdir", "argv", "executable"], mod);
    if (m.args.argv || m.args.executable) throw new Todo(`${mod}: argv / executable`);
    const cmd = m.args._raw_params ?? m.args.cmd;
    const opts = pick(m, { creates: "creates", removes: "removes", chdir: "cwd" }, "str");
    const changedWhen = m.task?.changed_when;
    if (changedWhen !== undefined) {
      // Only the common read-only form is expressible: a condition on the command's result is not known while declaring.
      if (changedWhen !== false && String(changedWhen).trim().toLowerCase() !== "false")
        throw new Todo(`${mod}: changed_when ${JSON.stringify(changedWhen)} (only changed_when: false is converted)`);
      opts.push(["changed", "false"]);
    }
    return { fn: "command", args: [strExpr(req({ ...m, args: { cmd } }, "cmd", mod), m.scope)], opts };
  };

const getUrl: Converter = (m) => {
  only(m.args, ["url", "dest", "checksum", "owner", "group", "mode"], "get_url");
  const sum = String(m.args.checksum ?? "");
  if (!sum.startsWith("sha256:")) throw new Todo("get_url: without a sha256 checksum (bosun verifies every download)");
  return {
    fn: "download",
    args: [strExpr(req(m, "dest", "get_url"), m.scope)],
    opts: [["url", strExpr(req(m, "url", "get_url"), m.scope)], ["sha256", strExpr(sum.slice(7), m.scope)], ...attrs(m)],
  };
};

const unarchive: Converter = (m) => {
  only(m.args, ["src", "dest", "creates", "remote_src", "copy"], "unarchive");
  if (m.args.remote_src || m.args.copy === false) throw new Todo("unarchive: remote_src (an archive already on the host)");
  const src = String(req(m, "src", "unarchive"));
  return {
    fn: "unarchive",
    args: [strExpr(req(m, "dest", "unarchive"), m.scope)],
    opts: [["src", m.roleFile("files", src)], ...pick(m, { creates: "creates" }, "str")],
  };
};

const git: Converter = (m) => {
  only(m.args, ["repo", "dest", "version", "force"], "git");
  return {
    fn: "git",
    args: [strExpr(req(m, "dest", "git"), m.scope)],
    opts: [
      ["repo", strExpr(req(m, "repo", "git"), m.scope)],
      ["ref", strExpr(m.args.version ?? "HEAD", m.scope)],
      ...pick(m, { force: "force" }),
    ],
  };
};

const single =
  (mod: string, fn: string): Converter =>
  (m) => {
    only(m.args, ["name"], mod);
    return { fn, args: [strExpr(req(m, "name", mod), m.scope)], opts: [] };
  };

const meta: Converter = (m) => {
  if (m.args._raw_params !== "flush_handlers") throw new Todo(`meta: ${m.args._raw_params}`);
  return { fn: "flushHandlers", args: [], opts: [] };
};

const setFact: Converter = (m) => {
  only(Object.fromEntries(Object.entries(m.args).filter(([k]) => k !== "cacheable")), Object.keys(m.args), "set_fact");
  const statements = Object.entries(m.args)
    .filter(([k]) => k !== "cacheable")
    .map(([k, x]) => `v.${k} = ${valueExpr(x, m.scope)};`);
  return { fn: "", args: [], opts: [], statements };
};

const debug: Converter = (m) => ({
  fn: "",
  args: [],
  opts: [],
  statements: [
    `// debug: ${JSON.stringify(m.args.msg ?? m.args.var ?? "")} (no output step in bosun; \`bosun plan\` shows what will change)`,
  ],
});

const uri: Converter = (m) => {
  only(m.args, ["url", "method", "body", "body_format", "headers", "status_code", "return_content", "validate_certs", "timeout"], "uri");
  const task = m.task ?? {};
  const format = String(m.args.body_format ?? "raw");
  if (!["raw", "json"].includes(format)) throw new Todo(`uri: body_format ${format}`);
  const codes = (Array.isArray(m.args.status_code) ? m.args.status_code : [m.args.status_code ?? 200]).map(Number);
  if (codes.some((c) => !Number.isInteger(c))) throw new Todo("uri: status_code from a variable");
  const until = task.until === undefined ? undefined : untilChecks(task.until, String(task.register ?? ""), codes);
  const status = until?.status ?? codes;
  const opts: [string, string][] = [];
  if (m.args.method !== undefined) opts.push(["method", strExpr(m.args.method, m.scope)]);
  const headers: Record<string, unknown> = { ...((m.args.headers as Yaml | undefined) ?? {}) };
  if (m.args.body !== undefined) {
    if (format === "json") {
      if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["Content-Type"] = "application/json";
      opts.push([
        "body",
        typeof m.args.body === "string" ? strExpr(m.args.body, m.scope) : `JSON.stringify(${valueExpr(m.args.body, m.scope)})`,
      ]);
    } else opts.push(["body", strExpr(m.args.body, m.scope)]);
  }
  if (Object.keys(headers).length > 0) opts.push(["headers", valueExpr(headers, m.scope)]);
  if (status.length !== 1 || status[0] !== 200) opts.push(["status", JSON.stringify(status)]);
  if (until?.contains.length) opts.push(["contains", valueExpr(until.contains, m.scope)]);
  // Ansible tries once without until; with it, retries (default 3) more times, delay (default 5) seconds apart.
  if (until) opts.push(["retries", valueExpr(task.retries ?? 3, m.scope)], ["delay", valueExpr(task.delay ?? 5, m.scope)]);
  opts.push(...pick(m, { timeout: "timeout", validate_certs: "validateCerts" }));
  return { fn: "httpCheck", args: [strExpr(req(m, "url", "uri"), m.scope)], opts };
};

/** Returns what an uri task's `until` asks of the result (statuses, body texts); throws Todo for anything else. */
function untilChecks(until: unknown, reg: string, codes: number[]): { status?: number[]; contains: string[] } {
  if (!reg) throw new Todo("uri: until without register");
  const r = reg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  let status: number[] | undefined;
  const contains: string[] = [];
  for (const c of Array.isArray(until) ? until : [until]) {
    const t = String(c)
      .trim()
      .replace(/^\{\{(.*)\}\}$/s, "$1")
      .trim();
    let x = new RegExp(`^${r}\\.status\\s*==\\s*(\\d+)$`).exec(t);
    const list = new RegExp(`^${r}\\.status\\s+in\\s+\\[([\\d,\\s]+)\\]$`).exec(t);
    const want = x ? [Number(x[1])] : list ? (list[1] as string).split(",").map((n) => Number(n.trim())) : undefined;
    if (want) {
      status = (status ?? codes).filter((s) => want.includes(s));
      continue;
    }
    x = new RegExp(`^(?:'([^']*)'|"([^"]*)")\\s+in\\s+${r}\\.content$`).exec(t);
    if (x) {
      contains.push((x[1] ?? x[2]) as string);
      continue;
    }
    if (new RegExp(`^${r}\\s+is\\s+(succeeded|success|not\\s+failed)$`).test(t)) continue;
    throw new Todo(`uri: until ${JSON.stringify(t)} (converted: ${reg}.status == N, ${reg}.status in [..], 'text' in ${reg}.content)`);
  }
  if (status?.length === 0) throw new Todo("uri: until asks for a status outside status_code: the task can never pass");
  return { status, contains };
}

/** The converters by module name (short names; `ansible.builtin.` is removed before lookup). */
export const MODULES: Record<string, Converter> = {
  apt,
  package: apt,
  copy,
  template,
  file,
  lineinfile,
  blockinfile,
  user,
  group,
  authorized_key: authorizedKey,
  service,
  systemd: service,
  cron,
  sysctl,
  command: commandLike("command"),
  shell: commandLike("shell"),
  get_url: getUrl,
  unarchive,
  git,
  timezone: single("timezone", "timezone"),
  hostname: single("hostname", "hostname"),
  meta,
  set_fact: setFact,
  debug,
  uri,
};
