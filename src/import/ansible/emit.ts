/**
 * The files of a converted site: one TypeScript role per Ansible role, site.ts with the plays, an
 * inventory.yml carrying group_vars/host_vars (vaulted values kept as vault text), and the report.
 */
import path from "node:path";
import { stringify } from "yaml";
import type { InventoryDecl, Vars } from "../../inventory/model.js";
import type { Scope } from "./expr.js";
import { condExpr, valueExpr } from "./expr.js";
import { type AnsibleRole, roleRef, type Yaml } from "./source.js";
import { convertTasks, type Tally } from "./tasks.js";

/** Returns a TS identifier for an Ansible name ("my-role" → "myRole"). */
export function ident(name: string): string {
  const id = name.replace(/[^A-Za-z0-9]+(.)?/g, (_a, c: string | undefined) => (c ? c.toUpperCase() : "")).replace(/^[^A-Za-z_]/, "_$&");
  return ["delete", "new", "function", "default", "import", "export", "class", "const", "let"].includes(id) ? `${id}Role` : id;
}

const typeName = (name: string) => ident(name).replace(/^./, (c) => c.toUpperCase());

/** Returns the TS type of a YAML value (for role params). */
function tsType(v: unknown): string {
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "number";
  if (typeof v === "boolean") return "boolean";
  if (Array.isArray(v)) {
    const types = [...new Set(v.map(tsType))];
    return types.length === 1 ? `${types[0]}[]` : "unknown[]";
  }
  if (v && typeof v === "object") return "Record<string, unknown>";
  return "unknown";
}

const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));
const literal = (v: unknown) => JSON.stringify(v, null, 2);

/** The ops a file may import from bosun, by the names the converters use. */
const API = [
  "absent",
  "apt",
  "authorizedKeys",
  "blockInFile",
  "command",
  "copy",
  "cron",
  "crontab",
  "crontabEnv",
  "directory",
  "download",
  "file",
  "flushHandlers",
  "git",
  "group",
  "hostname",
  "httpCheck",
  "jinja",
  "jinjaContent",
  "jinjaTest",
  "jinjaValue",
  "lineInFile",
  "link",
  "sensitive",
  "service",
  "sysctl",
  "template",
  "timezone",
  "touch",
  "unarchive",
  "user",
  "validatedFile",
];

/** Returns the source of roles/NAME.ts. */
export function roleFile(r: AnsibleRole, tally: Tally, source = `roles/${r.name}`): string {
  const scope: Scope = { locals: new Set(), varsExpr: "v", used: new Set() };
  const roleAsset = (kind: "templates" | "files", rel: string) =>
    `new URL(${JSON.stringify(`./${r.name}/${kind}/${rel.replace(/^(\.\.\/)*(templates|files)\//, "")}`)}, import.meta.url).pathname`;
  const base = { scope, tally, roleFile: roleAsset, registered: new Set<string>() };
  const body = convertTasks(r.tasks, { ...base, dir: r.tasksDir, source: `${source}/tasks/main.yml` });
  const handlers = r.handlers.flatMap((h) => {
    const lines = convertTasks([{ ...h, name: undefined, listen: undefined }], {
      ...base,
      dir: path.join(r.dir, "handlers"),
      source: `${source}/handlers/main.yml`,
    });
    return [
      "",
      `handler(${JSON.stringify(String(h.listen ?? h.name))}, () => {`,
      ...(lines[1]?.startsWith("// TODO") ? lines.slice(1) : lines.slice(2)),
      "});",
    ];
  });
  const T = typeName(r.name);
  const text = [...body, ...handlers].join("\n");
  const used = API.filter((f) => new RegExp(`(^|[^.\\w])${f}[(\x60]`, "m").test(text));
  const imports = ["ansibleVars", ...used, ...(handlers.length > 0 ? ["handler"] : []), "role", "type Vars"].sort((a, b) =>
    a.replace("type ", "").localeCompare(b.replace("type ", "")),
  );
  const deps = r.deps.map((d) => `${ident(d)}({})`);
  const depImports = r.deps.map((d) => `import { ${ident(d)} } from "./${d}.js";`);
  const params = Object.entries(r.defaults).map(([k, v]) => `  ${key(k)}?: ${tsType(v)};`);
  return [
    `// Converted from ${source} by \`bosun import ansible\`.`,
    `import { ${imports.join(", ")} } from "bosun";`,
    ...depImports,
    "",
    `/** Parameters of role ${r.name}: its defaults/main.yml, each optional with the Ansible default. */`,
    `export interface ${T}Params extends Vars {`,
    ...params,
    "}",
    "",
    `const DEFAULTS = ${literal(r.defaults)} satisfies ${T}Params;`,
    ...(Object.keys(r.vars).length > 0
      ? ["", `/** ${source}/vars/main.yml: above inventory vars, below role params. */`, `const VARS: Vars = ${literal(r.vars)};`]
      : []),
    "",
    `export const ${ident(r.name)} = role(`,
    `  ${JSON.stringify(r.name)},`,
    `  (p: ${T}Params, ctx) => {`,
    `    const v = ansibleVars(ctx, DEFAULTS, ${Object.keys(r.vars).length > 0 ? "VARS" : "{}"}, p);`,
    text,
    "  },",
    ...(deps.length > 0 ? [`  { deps: [${deps.join(", ")}] },`] : []),
    ");",
    "",
  ].join("\n");
}

/** Returns a role entry's params (everything but the keywords), with its `vars:` merged in. */
function roleParams(entry: unknown): Yaml {
  if (!entry || typeof entry !== "object") return {};
  const params = Object.fromEntries(Object.entries(entry as Yaml).filter(([k]) => !["role", "name", "tags", "when", "vars"].includes(k)));
  return { ...(((entry as Yaml).vars as Yaml | undefined) ?? {}), ...params };
}

/**
 * Returns a wrapper role for a `roles:` entry with `tags`/`when`: it has the tags (its deps' operations carry them)
 * and uses the role as a dependency only where the condition holds for the host (its inventory, play and -e vars).
 */
function guardedUse(name: string, entry: Yaml, use: string, scope: Scope): { def: string; use: string } {
  const tags = entry.tags === undefined ? [] : Array.isArray(entry.tags) ? entry.tags : [entry.tags];
  const id = `${ident(name)}${entry.when !== undefined ? "When" : ""}${tags.length > 0 ? "Tagged" : ""}`;
  const opts = tags.length > 0 ? [`tags: ${JSON.stringify(tags.map(String))}`] : [];
  if (entry.when !== undefined) {
    const cond = condExpr(entry.when, scope);
    opts.push(`deps: (_p, ctx) => {\nconst v = ansibleVars(ctx, {});\nreturn ${cond} ? [${use}] : [];\n}`);
  } else opts.push(`deps: [${use}]`);
  const comment = `/** Role ${name} as the play lists it (${[entry.when !== undefined ? `when: ${String(entry.when)}` : "", tags.length > 0 ? `tags: ${tags.join(", ")}` : ""].filter(Boolean).join("; ")}). */`;
  return { def: `${comment}\nconst ${id} = role(${JSON.stringify(name)}, () => {}, { ${opts.join(", ")} });`, use: `${id}()` };
}

/** Returns the source of site.ts: the plays, each with its roles and their params. */
export function siteFile(plays: Yaml[], name: string, playRoles: string[][]): string {
  const scope: Scope = { locals: new Set(), varsExpr: "v", used: new Set() };
  const roles = [...new Set(playRoles.flat())];
  const wrappers: string[] = [];
  const out = plays.map((play, i) => {
    const fields: string[] = [];
    if (play.name) fields.push(`name: ${JSON.stringify(play.name)}`);
    fields.push(`hosts: ${JSON.stringify(Array.isArray(play.hosts) ? play.hosts.join(",") : String(play.hosts ?? "all"))}`);
    if (play.become !== undefined) fields.push(`become: ${Boolean(play.become)}`);
    if (play.serial !== undefined)
      fields.push(`serial: ${typeof play.serial === "number" ? play.serial : JSON.stringify(String(play.serial))}`);
    if (play.tags) fields.push(`tags: ${JSON.stringify(Array.isArray(play.tags) ? play.tags : [play.tags])}`);
    if (play.vars) fields.push(`vars: ${JSON.stringify(play.vars)}`);
    if (play.max_fail_percentage !== undefined) fields.push(`maxFailPercentage: ${Number(play.max_fail_percentage)}`);
    if (play.any_errors_fatal !== undefined) fields.push(`anyErrorsFatal: ${Boolean(play.any_errors_fatal)}`);
    const uses = (playRoles[i] ?? []).map((r, j) => {
      const entry = ((play.roles as unknown[]) ?? [])[j];
      const params = roleParams(entry);
      const use = `${ident(r)}(${Object.keys(params).length > 0 ? valueExpr(params, scope) : "{}"})`;
      if (!entry || typeof entry !== "object" || ((entry as Yaml).tags === undefined && (entry as Yaml).when === undefined)) return use;
      const g = guardedUse(r, entry as Yaml, use, scope);
      wrappers.push(g.def);
      return g.use;
    });
    fields.push(`roles: [${uses.join(", ")}]`);
    return `  {\n    ${fields.join(",\n    ")},\n  },`;
  });
  const api = ["deploy", ...(wrappers.length > 0 ? ["role"] : []), ...[...scope.used].filter((f) => f !== "sensitive")];
  if (wrappers.some((w) => w.includes("ansibleVars("))) api.push("ansibleVars");
  return [
    "// Converted by `bosun import ansible`: the plays of the playbook, in order.",
    `import { ${[...new Set(api)].sort().join(", ")} } from "bosun";`,
    ...roles.map((r) => `import { ${ident(r)} } from "./roles/${r}.js";`),
    "",
    ...wrappers.flatMap((w) => [w, ""]),
    `export default deploy(${JSON.stringify(name)}, [`,
    ...out,
    "]);",
    "",
  ].join("\n");
}

/** Returns the roles a play uses (its roles: list), with play tasks/handlers as a role of their own when present. */
export function playRoleNames(play: Yaml, index: number): string[] {
  const roles = ((play.roles as unknown[]) ?? []).map(roleRef);
  const hasTasks = ["pre_tasks", "tasks", "post_tasks", "handlers"].some(
    (k) => Array.isArray(play[k]) && (play[k] as unknown[]).length > 0,
  );
  return hasTasks ? [...roles, `play${index + 1}-tasks`] : roles;
}

/** Returns inventory.yml: the inventory's groups and hosts with group_vars/host_vars folded in. */
export function inventoryFile(decl: InventoryDecl | undefined, groupVars: Map<string, Vars>, hostVars: Map<string, Vars>): string {
  // [all:vars] is the "all" group's vars in the inventory reader (as in Ansible), or top-level vars.
  const allGroupVars = decl?.groups.find((g) => g.name === "all")?.vars ?? {};
  const doc: Record<string, Yaml> = { all: { vars: { ...(decl?.vars ?? {}), ...allGroupVars, ...(groupVars.get("all") ?? {}) } } };
  const all = doc.all as Yaml;
  const children: Yaml = {};
  const hostEntry = (h: string) => {
    const hv = { ...(decl?.hosts.find((x) => x.name === h)?.vars ?? {}), ...(hostVars.get(h) ?? {}) };
    return Object.keys(hv).length > 0 ? hv : null;
  };
  for (const g of decl?.groups ?? []) {
    if (g.name === "all") continue;
    const entry: Yaml = {};
    if (g.hosts.length > 0) entry.hosts = Object.fromEntries(g.hosts.map((h) => [h, hostEntry(h)]));
    if (g.children.length > 0) entry.children = Object.fromEntries(g.children.map((c) => [c, null]));
    const vars = { ...g.vars, ...(groupVars.get(g.name) ?? {}) };
    if (Object.keys(vars).length > 0) entry.vars = vars;
    children[g.name] = entry;
  }
  const grouped = new Set((decl?.groups ?? []).flatMap((g) => g.hosts));
  const loose = (decl?.hosts ?? []).filter((h) => !grouped.has(h.name));
  if (loose.length > 0) all.hosts = Object.fromEntries(loose.map((h) => [h.name, hostEntry(h.name)]));
  if (Object.keys(children).length > 0) all.children = children;
  if (Object.keys(all.vars as Yaml).length === 0) delete all.vars;
  return `# Converted by \`bosun import ansible\`: the inventory with its group_vars and host_vars.\n# Vaulted values stay vaulted: run with --vault-password-file (or BOSUN_VAULT_PASSWORD_FILE).\n${stringify(doc, { lineWidth: 0 })}`;
}

/** Returns the import report (Markdown): per module, converted and TODO counts, then each TODO's reason. */
export function reportFile(tally: Tally, notes: string[]): string {
  const rows = [...tally.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  const total = rows.reduce((acc, [, e]) => ({ c: acc.c + e.converted, t: acc.t + e.todo }), { c: 0, t: 0 });
  return [
    "# Import report",
    "",
    `${total.c} tasks converted, ${total.t} left as TODO (search the code for \`TODO(import)\`).`,
    "",
    "| module | converted | TODO |",
    "|---|---:|---:|",
    ...rows.map(([m, e]) => `| ${m} | ${e.converted} | ${e.todo} |`),
    "",
    ...(total.t > 0 ? ["## TODO", "", ...rows.flatMap(([, e]) => e.reasons.map((r) => `- ${r}`)), ""] : []),
    ...(notes.length > 0 ? ["## Notes", "", ...notes.map((n) => `- ${n}`), ""] : []),
  ].join("\n");
}
