/**
 * `bosun import ansible`: converts a playbook, its roles and the inventory's vars into a Bosun site
 * (site.ts, roles/*.ts with their templates and files, inventory.yml) and an import report.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isAnyVault } from "../../vault/open.js";
import { hasVaulted } from "../../vault/vars.js";
import { inventoryFile, playRoleNames, reportFile, roleFile, siteFile } from "./emit.js";
import { formatFiles } from "./format.js";
import { type AnsibleRole, loadAnsibleRepo, readYaml, type Yaml } from "./source.js";
import type { Tally } from "./tasks.js";

export interface ImportOptions {
  playbook: string;
  inventory?: string;
  out: string;
}

export interface ImportResult {
  files: string[];
  tally: Tally;
  report: string;
  /** Wholly vaulted vars_files of plays kept encrypted (relative to out): pass each with `-e @FILE`. */
  vaultFiles: string[];
}

/** Converts the playbook into a Bosun site under out; returns the files written and the per-module counts. */
export function importAnsible(o: ImportOptions): ImportResult {
  const repo = loadAnsibleRepo(o.playbook, o.inventory);
  const out = path.resolve(o.out);
  mkdirSync(path.join(out, "roles"), { recursive: true });
  const tally: Tally = new Map();
  const files: string[] = [];
  const write = (rel: string, text: string) => {
    writeFileSync(path.join(out, rel), text);
    files.push(rel);
  };
  for (const r of repo.roles.values()) {
    write(`roles/${r.name}.ts`, roleFile(r, tally));
    for (const kind of ["templates", "files"] as const) {
      const src = path.join(r.dir, kind);
      if (existsSync(src)) cpSync(src, path.join(out, "roles", r.name, kind), { recursive: true });
    }
  }
  const playRoles = repo.plays.map((p, i) => playRoleNames(p, i));
  repo.plays.forEach((play, i) => {
    const name = playRoles[i]?.find((n) => n === `play${i + 1}-tasks`);
    if (!name) return;
    const tasks = ["pre_tasks", "tasks", "post_tasks"].flatMap((k) => (play[k] as Yaml[] | undefined) ?? []);
    const role: AnsibleRole = {
      name,
      dir: path.dirname(repo.playbook),
      tasksDir: path.dirname(repo.playbook),
      tasks,
      handlers: (play.handlers as Yaml[]) ?? [],
      defaults: {},
      vars: {},
      deps: [],
      templates: [],
      files: [],
    };
    write(`roles/${name}.ts`, roleFile(role, tally, `${path.basename(repo.playbook)} play ${i + 1}`));
  });
  const base = path.dirname(repo.playbook);
  const notes: string[] = [];
  const vaultFiles: string[] = [];
  // Wholly vaulted vars files stay encrypted: copied under vault/, read by Bosun with -e @FILE.
  const keepVaulted = (file: string, why: string) => {
    const rel = path.join("vault", path.relative(base, file).replace(/^(\.\.\/)+/, ""));
    mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
    cpSync(file, path.join(out, rel));
    files.push(rel);
    vaultFiles.push(rel);
    notes.push(
      `${path.relative(base, file)} is a wholly vaulted vars file (${why}): kept encrypted as ${rel}; pass it with \`-e @${rel}\``,
    );
  };
  // Wholly vaulted group_vars/host_vars files stay encrypted next to inventory.yml, where the inventory
  // loader reads them for that group or host only, as Ansible does.
  for (const f of repo.vaultFiles) {
    const rel = /(?:^|\/)((?:group|host)_vars\/.*)$/.exec(f)?.[1] as string;
    mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
    cpSync(f, path.join(out, rel));
    files.push(rel);
    notes.push(
      `${path.relative(base, f)} is a wholly vaulted vars file: kept encrypted as ${rel}, next to inventory.yml, which reads it for that ${rel.startsWith("group") ? "group" : "host"} only`,
    );
  }
  const plays = repo.plays.map((play) => {
    const list = play.vars_files === undefined ? [] : Array.isArray(play.vars_files) ? play.vars_files : [play.vars_files];
    if (list.length === 0) return play;
    const vars: Yaml = { ...((play.vars as Yaml | undefined) ?? {}) };
    for (const entry of list) {
      const f = path.resolve(base, String(entry));
      if (typeof entry !== "string" || /\{\{/.test(entry) || !existsSync(f)) {
        notes.push(`play "${play.name ?? play.hosts}": vars_files entry ${JSON.stringify(entry)} not converted (not a plain file path)`);
      } else if (isAnyVault(readFileSync(f, "utf8").slice(0, 64))) keepVaulted(f, `vars_files of play "${play.name ?? play.hosts}"`);
      else {
        const data = (readYaml(f) ?? {}) as Yaml;
        Object.assign(vars, data);
        if (hasVaulted(data))
          notes.push(`${entry}: inline vaulted values in a vars_files file are not decrypted in play vars: move them to inventory.yml`);
      }
    }
    return { ...play, vars };
  });
  for (const p of plays) if (p.vars_prompt) notes.push(`play "${p.name ?? p.hosts}": vars_prompt not converted`);
  write("site.ts", siteFile(plays, path.basename(repo.playbook).replace(/\.ya?ml$/, ""), playRoles));
  write("inventory.yml", inventoryFile(repo.inventory, repo.groupVars, repo.hostVars));
  formatFiles(files.filter((f) => f.endsWith(".ts")).map((f) => path.join(out, f)));
  const report = reportFile(tally, notes);
  write("IMPORT-REPORT.md", report);
  return { files, tally, report, vaultFiles };
}
