/**
 * Reading an Ansible repository for `bosun import ansible`: the playbook, its roles (tasks, handlers,
 * defaults, vars, meta dependencies, templates, files) and the inventory's group_vars/host_vars.
 * Vaulted values stay as their vault text (`!vault` is resolved to the string, never decrypted).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { ConfigError } from "../../errors.js";
import { parseIniInventory } from "../../inventory/ini.js";
import type { InventoryDecl } from "../../inventory/model.js";
import { parseYamlInventory } from "../../inventory/yaml.js";
import { isAnyVault } from "../../vault/open.js";

export type Yaml = Record<string, unknown>;

export interface AnsibleRole {
  name: string;
  dir: string;
  /** Where its task files are (include_tasks paths are relative to it): DIR/tasks, or the playbook's dir for play tasks. */
  tasksDir: string;
  tasks: Yaml[];
  handlers: Yaml[];
  defaults: Yaml;
  vars: Yaml;
  deps: string[];
  templates: string[];
  files: string[];
}

export interface AnsibleRepo {
  playbook: string;
  plays: Yaml[];
  roles: Map<string, AnsibleRole>;
  inventory?: InventoryDecl;
  /** group name → vars from group_vars/ (files and directories), in file order. */
  groupVars: Map<string, Yaml>;
  hostVars: Map<string, Yaml>;
  /** Wholly vaulted vars files: kept as they are, listed in the report. */
  vaultFiles: string[];
}

const VAULT_TAG = { tag: "!vault", resolve: (s: string) => s };

/** Returns the data of a YAML file (vault-tagged values as their vault text); a parse error names file:line. */
export function readYaml(file: string): unknown {
  const text = readFileSync(file, "utf8");
  const doc = parseDocument(text, { customTags: [VAULT_TAG], prettyErrors: false });
  const err = doc.errors[0];
  if (err) throw new ConfigError({ file, line: err.linePos?.[0].line }, `bad YAML: ${err.message.split("\n")[0]}`);
  return doc.toJS() ?? null;
}

function yamlIn(dir: string, name: string): unknown {
  for (const ext of [".yml", ".yaml", ""]) {
    const f = path.join(dir, name + ext);
    if (existsSync(f) && statSync(f).isFile()) return readYaml(f);
  }
  return undefined;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

function loadRole(name: string, dir: string): AnsibleRole {
  const meta = (yamlIn(path.join(dir, "meta"), "main") ?? {}) as Yaml;
  const deps = ((meta.dependencies as unknown[]) ?? []).map((d) =>
    typeof d === "string" ? d : String((d as Yaml).role ?? (d as Yaml).name),
  );
  return {
    name,
    dir,
    tasksDir: path.join(dir, "tasks"),
    tasks: (yamlIn(path.join(dir, "tasks"), "main") ?? []) as Yaml[],
    handlers: (yamlIn(path.join(dir, "handlers"), "main") ?? []) as Yaml[],
    defaults: (yamlIn(path.join(dir, "defaults"), "main") ?? {}) as Yaml,
    vars: (yamlIn(path.join(dir, "vars"), "main") ?? {}) as Yaml,
    deps,
    templates: listFiles(path.join(dir, "templates")),
    files: listFiles(path.join(dir, "files")),
  };
}

/** Returns the name a play's `roles:` entry refers to. */
export function roleRef(entry: unknown): string {
  return typeof entry === "string" ? entry : String((entry as Yaml).role ?? (entry as Yaml).name);
}

/** Reads the vars of group_vars/NAME(.yml) or group_vars/NAME/*.yml under dir into map. */
function readVarsDir(dir: string, map: Map<string, Yaml>, vaultFiles: string[]): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const name = e.name.replace(/\.(ya?ml|json)$/, "");
    const files = e.isDirectory() ? listFiles(path.join(dir, e.name)).map((f) => path.join(dir, e.name, f)) : [path.join(dir, e.name)];
    for (const f of files) {
      if (isAnyVault(readFileSync(f, "utf8").slice(0, 64))) {
        vaultFiles.push(f);
        continue;
      }
      map.set(name, { ...(map.get(name) ?? {}), ...((readYaml(f) ?? {}) as Yaml) });
    }
  }
}

/** Returns the repository of playbook, with the inventory file when given. */
export function loadAnsibleRepo(playbook: string, inventoryFile?: string): AnsibleRepo {
  const pb = path.resolve(playbook);
  if (!existsSync(pb)) throw new ConfigError({ file: pb }, "playbook not found");
  const plays = readYaml(pb);
  if (!Array.isArray(plays)) throw new ConfigError({ file: pb }, "expected a list of plays");
  const base = path.dirname(pb);
  const roles = new Map<string, AnsibleRole>();
  const addRole = (name: string) => {
    if (roles.has(name)) return;
    const dir = path.join(base, "roles", name);
    if (!existsSync(dir)) throw new ConfigError({ file: pb }, `role "${name}" not found (looked in ${dir})`);
    const r = loadRole(name, dir);
    roles.set(name, r);
    r.deps.forEach(addRole);
  };
  for (const play of plays as Yaml[]) for (const r of (play.roles as unknown[]) ?? []) addRole(roleRef(r));
  const repo: AnsibleRepo = { playbook: pb, plays: plays as Yaml[], roles, groupVars: new Map(), hostVars: new Map(), vaultFiles: [] };
  const dirs = [base];
  if (inventoryFile) {
    const inv = path.resolve(inventoryFile);
    if (!existsSync(inv)) throw new ConfigError({ file: inv }, "inventory file not found");
    const text = readFileSync(inv, "utf8");
    repo.inventory = /\.(ya?ml|json)$/.test(inv) ? parseYamlInventory(text, inv) : parseIniInventory(text, inv);
    if (path.dirname(inv) !== base) dirs.unshift(path.dirname(inv));
  }
  // Ansible reads group_vars/host_vars next to the inventory and next to the playbook (the playbook's win).
  for (const d of dirs) {
    readVarsDir(path.join(d, "group_vars"), repo.groupVars, repo.vaultFiles);
    readVarsDir(path.join(d, "host_vars"), repo.hostVars, repo.vaultFiles);
  }
  return repo;
}
