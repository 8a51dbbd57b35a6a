/**
 * Converts a one-role Ansible repository written by a test, loads the generated site (its `"bosun"` import
 * pointed at this checkout's sources) and evaluates it for a host: tests then assert the operations the
 * converted code declares — kinds, names, tags, notify, handlers, and plans on a fresh host — not its spelling.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { stringify } from "yaml";
import type { Operation } from "../../../src/core/operation.js";
import type { Deployment } from "../../../src/engine/declare.js";
import { evaluatePlay } from "../../../src/engine/evaluate.js";
import type { HostFacts } from "../../../src/facts/host.js";
import { type ImportResult, importAnsible } from "../../../src/import/ansible/index.js";
import { Inventory } from "../../../src/inventory/model.js";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const INDEX = pathToFileURL(path.join(ROOT, "src/index.ts")).href;

export interface Converted {
  result: ImportResult;
  /** The generated roles/r.ts. */
  code: string;
  ops: Operation[];
  /** Handler name → the kinds and names of its ops. */
  handlers: Record<string, string[]>;
}

export interface RoleFixture {
  tasks: unknown[];
  handlers?: unknown[];
  defaults?: Record<string, unknown>;
  files?: Record<string, string>;
  /** Extra play keys (vars, vars_files…) and role entry keys (tags, when, params). */
  play?: Record<string, unknown>;
  entry?: Record<string, unknown>;
  /** Files next to the playbook (vars files, task files). */
  extra?: Record<string, string>;
}

/** The host facts of a Debian 12 lab host (enough for `ansible_facts` conditions). */
export const DEBIAN_FACTS = {
  os: "Linux",
  distribution: { id: "debian", name: "Debian GNU/Linux", version: "12", codename: "bookworm", like: [] },
  kernel: "6.1.0",
  architecture: "x86_64",
  hostname: "web1",
  fqdn: "web1",
  cpus: 2,
  memory: { totalMiB: 1024, availableMiB: 512, swapMiB: 0 },
  addresses: [],
  initSystem: "systemd",
  packageManager: "apt-get",
  uptimeSeconds: 1,
  user: { name: "root", uid: 0 },
} as unknown as HostFacts;

const inventory = Inventory.build({
  source: "test-inventory",
  vars: {},
  hosts: [{ name: "web1", vars: { region: "eu" }, location: { file: "inv", line: 1 } }],
  groups: [{ name: "web", hosts: ["web1"], children: [], vars: {}, location: { file: "inv", line: 2 } }],
});

const made: string[] = [];
/** Removes the directories convertRole made. */
export function cleanUp(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

const write = (file: string, text: string) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};

/** Converts the role, loads the generated site and returns what it declares for host web1 (group web). */
export async function convertRole(f: RoleFixture, vars: Record<string, unknown> = {}): Promise<Converted> {
  mkdirSync(path.join(ROOT, "tmp"), { recursive: true });
  const dir = mkdtempSync(path.join(ROOT, "tmp", "import-kit-"));
  made.push(dir);
  const repo = path.join(dir, "repo");
  write(path.join(repo, "site.yml"), stringify([{ hosts: "web", ...f.play, roles: [{ role: "r", ...f.entry }] }]));
  write(path.join(repo, "roles/r/tasks/main.yml"), stringify(f.tasks));
  if (f.handlers) write(path.join(repo, "roles/r/handlers/main.yml"), stringify(f.handlers));
  if (f.defaults) write(path.join(repo, "roles/r/defaults/main.yml"), stringify(f.defaults));
  for (const [rel, text] of Object.entries(f.files ?? {})) write(path.join(repo, "roles/r", rel), text);
  for (const [rel, text] of Object.entries(f.extra ?? {})) write(path.join(repo, rel), text);
  const out = path.join(dir, "out");
  const result = importAnsible({ playbook: path.join(repo, "site.yml"), out });
  for (const file of ["site.ts", ...readdirSync(path.join(out, "roles")).map((r) => `roles/${r}`)].filter((x) => x.endsWith(".ts"))) {
    const p = path.join(out, file);
    write(p, readFileSync(p, "utf8").replace(/from "bosun"/g, `from ${JSON.stringify(INDEX)}`));
  }
  const site = ((await import(pathToFileURL(path.join(out, "site.ts")).href)) as { default: Deployment }).default;
  const play = site.plays[0];
  if (!play) throw new Error("no play");
  const e = evaluatePlay({
    play,
    host: "web1",
    inventory,
    vars: { ...inventory.varsFor("web1"), ...(play.vars ?? {}), ...vars },
    facts: DEBIAN_FACTS,
    filter: {},
  });
  return {
    result,
    code: readFileSync(path.join(out, "roles/r.ts"), "utf8"),
    ops: e.ops,
    handlers: Object.fromEntries(e.handlers.map((h) => [h.name, h.ops.map((o) => `${o.kind} ${o.name}`)])),
  };
}

/** Returns the ops as "kind name" lines. */
export const ids = (ops: Operation[]) => ops.map((o) => `${o.kind} ${o.name}`);

/** Returns the plan of an op on a host where nothing exists yet (no file, no user, no group, unit not loaded). */
export function planFresh(op: Operation) {
  const fresh = { type: "absent", exists: false, load: "not-found", active: "inactive", unitFile: "", value: undefined };
  return op.plan({ get: () => fresh } as unknown as Parameters<Operation["plan"]>[0]);
}
