/**
 * `bosun import ansible`: converts a playbook, its roles and the inventory's vars into a Bosun site
 * (site.ts, roles/*.ts with their templates and files, inventory.yml) and an import report.
 */
import { cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { inventoryFile, playRoleNames, reportFile, roleFile, siteFile } from "./emit.js";
import { type AnsibleRole, loadAnsibleRepo, type Yaml } from "./source.js";
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
  write("site.ts", siteFile(repo.plays, path.basename(repo.playbook).replace(/\.ya?ml$/, ""), playRoles));
  write("inventory.yml", inventoryFile(repo.inventory, repo.groupVars, repo.hostVars));
  const notes = repo.vaultFiles.map(
    (f) =>
      `${path.relative(path.dirname(repo.playbook), f)} is a wholly vaulted vars file: kept out of inventory.yml; pass it with \`-e @FILE\` or move its values into inventory.yml as inline vaulted values (\`bosun vault encrypt-string\`)`,
  );
  for (const p of repo.plays) {
    for (const k of ["vars_files", "vars_prompt", "pre_tasks", "post_tasks"])
      if (p[k] && k.startsWith("vars")) notes.push(`play "${p.name ?? p.hosts}": ${k} not converted`);
  }
  const report = reportFile(tally, notes);
  write("IMPORT-REPORT.md", report);
  return { files, tally, report };
}
