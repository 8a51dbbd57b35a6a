/**
 * Ansible tasks → TypeScript statements in a role body: the module call through its converter, with
 * `when` as an if, `loop`/`with_items` as a for-of, `notify` and `tags` as the op's options, blocks
 * inlined. What cannot be expressed becomes a `// TODO(import)` with the task's original YAML.
 */
import path from "node:path";
import { stringify } from "yaml";
import { condExpr, type Scope, valueExpr } from "./expr.js";
import { type Call, MODULES, type ModuleInput, Todo } from "./modules.js";
import { readYaml, type Yaml } from "./source.js";

/** Per-module counts for the import report. */
export type Tally = Map<string, { converted: number; todo: number; reasons: string[] }>;

export interface TaskContext {
  scope: Scope;
  tally: Tally;
  roleFile: ModuleInput["roleFile"];
  /** Where the tasks came from, for TODO reasons in the report ("roles/web/tasks/main.yml"). */
  source: string;
  /** Registered result names: a later condition on one of them cannot be converted. */
  registered: Set<string>;
  /** Where include_tasks/import_tasks files are looked up (a role's tasks/ dir, or the playbook's dir). */
  dir: string;
}

/** Modules that pull in another task file: inlined at their place (Ansible's static import and dynamic include alike). */
const INCLUDES = new Set(["include_tasks", "import_tasks", "include"]);

/** Task keywords that are not the module. */
const KEYWORDS = new Set([
  "name",
  "when",
  "loop",
  "with_items",
  "with_list",
  "loop_control",
  "notify",
  "tags",
  "register",
  "become",
  "become_user",
  "changed_when",
  "failed_when",
  "ignore_errors",
  "environment",
  "no_log",
  "vars",
  "listen",
  "block",
  "rescue",
  "always",
  "delegate_to",
  "run_once",
  "retries",
  "until",
  "delay",
  "check_mode",
  "diff",
  "args",
]);
/** Keywords the converted code carries (the rest make the task a TODO). */
const HANDLED = new Set([
  "name",
  "when",
  "loop",
  "with_items",
  "with_list",
  "loop_control",
  "notify",
  "tags",
  "register",
  "no_log",
  "become",
  "args",
  "listen",
]);

/** Returns the module name of a task (without `ansible.builtin.`) and its args (free-form k=v parsed). */
export function moduleOf(task: Yaml): { module: string; args: Yaml } | undefined {
  const key = Object.keys(task).find((k) => !KEYWORDS.has(k));
  if (!key) return undefined;
  const module = key.replace(/^ansible\.(builtin|posix)\./, "").replace(/^community\.general\./, "");
  let raw = task[key];
  if (typeof raw === "string") {
    // `apt: name=nginx state=present`, `command: echo hi creates=/x`
    const kv: Yaml = {};
    const free: string[] = [];
    for (const word of raw.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? []) {
      const m = /^([a-z_]+)=(.*)$/s.exec(word);
      if (m) kv[m[1] as string] = (m[2] as string).replace(/^(["'])(.*)\1$/s, "$2");
      else free.push(word);
    }
    raw = { ...kv, ...(free.length > 0 ? { _raw_params: free.join(" ") } : {}) };
    if (["command", "shell", "meta"].includes(module) && free.length > 0) {
      (raw as Yaml)._raw_params = String(task[key])
        .replace(/\s+\b(creates|removes|chdir)=\S+/g, "")
        .trim();
    }
  }
  const args: Yaml = { ...((raw as Yaml | null) ?? {}), ...((task.args as Yaml | undefined) ?? {}) };
  return { module, args };
}

function count(t: Tally, module: string, ok: boolean, reason?: string): void {
  const e = t.get(module) ?? { converted: 0, todo: 0, reasons: [] };
  if (ok) e.converted++;
  else {
    e.todo++;
    if (reason) e.reasons.push(reason);
  }
  t.set(module, e);
}

/** Returns the TODO block for a task: the reason and its YAML, commented. */
function todo(task: Yaml, reason: string): string[] {
  const yaml = stringify([task], { lineWidth: 0 }).trimEnd().split("\n");
  return [`// TODO(import): ${reason}`, ...yaml.map((l) => `// ${l}`)];
}

function render(call: Call, extra: [string, string][]): string[] {
  if (call.statements) return call.statements;
  const opts = [...call.opts, ...extra];
  const args = [...call.args];
  if (opts.length > 0) args.push(`{ ${opts.map(([k, v]) => (k === v ? k : `${k}: ${v}`)).join(", ")} }`);
  return [...(call.notes ?? []).map((n) => `// ${n}`), `${call.fn}(${args.join(", ")});`];
}

/** Returns the statements of a task list. */
export function convertTasks(tasks: Yaml[], c: TaskContext): string[] {
  return tasks.flatMap((t) => convertTask(t, c));
}

function refsRegistered(task: Yaml, registered: Set<string>): string | undefined {
  const text = JSON.stringify([task.when, task.loop, task.with_items]);
  return [...registered].find((r) => new RegExp(`\\b${r}\\b`).test(text));
}

function convertTask(task: Yaml, c: TaskContext): string[] {
  const found = moduleOf(task);
  const label = String(task.name ?? found?.module ?? "block");
  const unhandled = Object.keys(task).filter((k) => KEYWORDS.has(k) && !HANDLED.has(k) && k !== "block");
  const reg = refsRegistered(task, c.registered);
  if (typeof task.register === "string") c.registered.add(task.register);
  const fail = (module: string, reason: string) => {
    count(c.tally, module, false, `${c.source}: "${label}": ${reason}`);
    return ["", ...todo(task, reason)];
  };
  if (reg)
    return fail(
      found?.module ?? "block",
      `uses the result of "${reg}" (register): results are not known while a role declares its operations`,
    );
  if (unhandled.length > 0 && !keywordsHandledBy(found?.module, unhandled)) {
    return fail(found?.module ?? "block", `${unhandled.join(", ")} not converted`);
  }
  if (task.block) {
    if (task.rescue || task.always) return fail("block", "rescue/always not converted");
    return wrap(task, c, (scope) => convertTasks(task.block as Yaml[], { ...c, scope }), label);
  }
  if (!found) return fail("unknown", "no module");
  if (INCLUDES.has(found.module)) return includeTasks(task, found.args, c, label, fail);
  const conv = MODULES[found.module];
  if (!conv) return fail(found.module, `module ${found.module} has no bosun equivalent yet`);
  try {
    const lines = wrap(
      task,
      c,
      (scope) => {
        const call = conv({ args: found.args, scope, roleFile: c.roleFile, task });
        const extra: [string, string][] = [];
        if (found.module === "command" || found.module === "shell") {
          if (task.environment) extra.push(["env", valueExpr(task.environment, scope)]);
          if (task.name !== undefined) extra.push(["name", JSON.stringify(label)]);
        }
        if (task.tags) extra.push(["tags", valueExpr(Array.isArray(task.tags) ? task.tags : [task.tags], scope)]);
        if (task.notify) extra.push(["notify", valueExpr(task.notify, scope)]);
        return render(call, extra);
      },
      label,
    );
    count(c.tally, found.module, true);
    return lines;
  } catch (err) {
    if (err instanceof Todo) return fail(found.module, err.message);
    throw err;
  }
}

/** Returns the statements of an included task file, under the include's `when`/loop, its tags on every op. */
function includeTasks(task: Yaml, args: Yaml, c: TaskContext, label: string, fail: (module: string, reason: string) => string[]): string[] {
  const module = String(moduleOf(task)?.module);
  const file = String(args.file ?? args._raw_params ?? "");
  if (file === "" || /\{\{|\{%/.test(file)) return fail(module, "a task file named by a variable (convert it by hand)");
  const abs = path.resolve(c.dir, file);
  let tasks: unknown;
  try {
    tasks = readYaml(abs);
  } catch {
    return fail(module, `task file ${file} not found or not YAML`);
  }
  if (!Array.isArray(tasks)) return fail(module, `task file ${file} is not a list of tasks`);
  count(c.tally, module, true);
  const source = path.join(path.dirname(c.source), file);
  const tags = task.tags === undefined ? [] : Array.isArray(task.tags) ? task.tags : [task.tags];
  const inner = (tasks as Yaml[]).map((t) =>
    tags.length > 0
      ? { ...t, tags: [...new Set([...tags, ...((Array.isArray(t.tags) ? t.tags : t.tags ? [t.tags] : []) as unknown[])])] }
      : t,
  );
  return wrap(task, c, (scope) => convertTasks(inner, { ...c, scope, dir: path.dirname(abs), source }), `${label}: ${file}`);
}

/** Keywords a module's converter carries itself: command/shell `environment` and `changed_when: false`, uri `until`/`retries`/`delay`. */
const MODULE_KEYWORDS: Record<string, string[]> = {
  command: ["environment", "changed_when"],
  shell: ["environment", "changed_when"],
  uri: ["until", "retries", "delay"],
};

function keywordsHandledBy(module: string | undefined, keys: string[]): boolean {
  const own = MODULE_KEYWORDS[module ?? ""] ?? [];
  return keys.every((k) => own.includes(k));
}

/** Returns body's statements under the task's `when` (an if) and loop (a for-of), with the task's name as a comment. */
function wrap(task: Yaml, c: TaskContext, body: (s: Scope) => string[], label: string): string[] {
  let scope = c.scope;
  const loop = task.loop ?? task.with_items ?? task.with_list;
  const loopVar = String(((task.loop_control as Yaml | undefined)?.loop_var as string | undefined) ?? "item");
  const out: string[] = ["", `// ${label}`];
  let close = 0;
  if (loop !== undefined) {
    const list = valueExpr(loop, scope);
    const locals = new Set([...scope.locals, loopVar]);
    scope = { ...scope, locals, varsExpr: `{ ...v, ${[...locals].join(", ")} }` };
    // In Ansible `when` is evaluated per item: the if goes inside the loop.
    out.push(`for (const ${loopVar} of ${task.with_items ? `[${list}].flat()` : list}) {`);
    close++;
  }
  if (task.when !== undefined) {
    out.push(`if (${condExpr(task.when, scope)}) {`);
    close++;
  }
  out.push(...body(scope));
  for (let i = 0; i < close; i++) out.push("}");
  return out;
}
