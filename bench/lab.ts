/**
 * The bench's view of the lab: which lab hosts each tool gets, the per-tool inventories, and the
 * bosun CLI calls the runner makes (lab up/reset/status, exec).
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { hostPlan } from "../src/lab/layout.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const BOSUN = path.join(ROOT, "bin", "bosun.js");
export const SITE = path.join(ROOT, "examples", "site.ts");
export const ANSIBLE_DIR = path.join(ROOT, "bench", "ansible");

export interface BenchHost {
  name: string;
  address: string;
  group: "web" | "db";
  /** Position in the lab (0-based): web1, web2, db1, web3, … */
  index: number;
}

/** How to reach lab hosts: key, known_hosts and user from the lab inventory. */
export interface LabAccess {
  user: string;
  key: string;
  knownHosts: string;
}

/** Returns the lab host at index i (name, address, group), as `bosun lab up` names them. */
export function labHost(i: number): BenchHost {
  const p = hostPlan(i);
  return { name: p.name, address: p.address, group: p.group, index: i };
}

/** Number of db hosts in a set of n hosts: a third (like the lab), at least one from 2 hosts on. */
export function dbCount(n: number): number {
  return n < 2 ? 0 : Math.max(1, Math.floor(n / 3));
}

/**
 * Picks k disjoint sets of n lab hosts from index `offset` on with the same web/db mix: scanning in
 * lab order, each host goes to the first set that still needs one of its group; hosts no set needs
 * are left out. Returns the sets and the lab size they need.
 */
export function pickSets(offset: number, n: number, k: number): { sets: BenchHost[][]; labSize: number } {
  const want = { web: n - dbCount(n), db: dbCount(n) };
  const sets: BenchHost[][] = Array.from({ length: k }, () => []);
  const count = (set: BenchHost[], g: string) => set.filter((h) => h.group === g).length;
  let i = offset;
  while (sets.some((s) => s.length < n)) {
    const h = labHost(i++);
    sets.find((s) => count(s, h.group) < want[h.group])?.push(h);
  }
  return { sets, labSize: i };
}

/** Returns the n lab hosts from index offset on (the lab's own web/db mix). */
export function pickRange(offset: number, n: number): BenchHost[] {
  return Array.from({ length: n }, (_, k) => labHost(offset + k));
}

/** Reads key, known_hosts and user from the running lab's inventory. */
export function labAccess(labDir: string): LabAccess {
  const inv = parseYaml(readFileSync(path.join(labDir, "inventory.yml"), "utf8")) as { all?: { vars?: Record<string, unknown> } };
  const vars = inv.all?.vars ?? {};
  return {
    user: String(vars.bosun_user ?? "root"),
    key: String(vars.bosun_ssh_key ?? path.join(labDir, "id_ed25519")),
    knownHosts: String(vars.bosun_known_hosts ?? path.join(labDir, "known_hosts")),
  };
}

/** Hosts by group; both groups always there (a play on an empty group is fine, an unknown group is not). */
function byGroup(hosts: BenchHost[]): Map<string, BenchHost[]> {
  const groups = new Map<string, BenchHost[]>([
    ["web", []],
    ["db", []],
  ]);
  for (const h of hosts) groups.set(h.group, [...(groups.get(h.group) ?? []), h]);
  return groups;
}

/** The inventories' `environment` (the motd shows it): every tool gets the same. */
export const BENCH_ENVIRONMENT = "lab";

/** Bosun inventory (YAML) of these hosts in their groups, with the lab's connection vars. */
export function bosunInventory(hosts: BenchHost[], access: LabAccess): string {
  const lines = [
    "# Written by bench/run.ts: the Bosun side of a benchmark run.",
    "all:",
    "  vars:",
    `    environment: ${BENCH_ENVIRONMENT}`,
    `    bosun_user: ${access.user}`,
    `    bosun_ssh_key: ${access.key}`,
    `    bosun_known_hosts: ${access.knownHosts}`,
    "  children:",
  ];
  for (const [g, hs] of byGroup(hosts)) {
    lines.push(`    ${g}:`, `      hosts:${hs.length ? "" : " {}"}`);
    for (const h of hs) lines.push(`        ${h.name}:`, `          bosun_host: ${h.address}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Ansible inventory (YAML) of these hosts in their groups; the motd's environment as in the Bosun inventory. */
export function ansibleInventory(hosts: BenchHost[], access: LabAccess): string {
  const lines = [
    "# Written by bench/run.ts: the Ansible side of a benchmark run.",
    "all:",
    "  vars:",
    `    ansible_user: ${access.user}`,
    `    ansible_ssh_private_key_file: ${access.key}`,
    `    motd_environment: ${BENCH_ENVIRONMENT}`,
    "  children:",
  ];
  for (const [g, hs] of byGroup(hosts)) {
    lines.push(`    ${g}:`, `      hosts:${hs.length ? "" : " {}"}`);
    for (const h of hs) lines.push(`        ${h.name}:`, `          ansible_host: ${h.address}`);
  }
  return `${lines.join("\n")}\n`;
}

export async function writeText(file: string, text: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

export interface CmdResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, capturing its output (stdin closed). */
export function run(argv: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<CmdResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd: opts.cwd ?? ROOT,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (d: Buffer) => out.push(d));
    child.stderr?.on("data", (d: Buffer) => err.push(d));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Runs the bosun CLI; throws with its output when it fails. */
export async function bosun(args: string[], env?: NodeJS.ProcessEnv): Promise<CmdResult> {
  const r = await run([process.execPath, BOSUN, ...args], { env });
  if (r.code !== 0) throw new Error(`bosun ${args.join(" ")} failed (exit ${r.code}):\n${(r.stdout + r.stderr).trim().slice(-3000)}`);
  return r;
}

export interface LabStatusHost {
  name: string;
  address: string;
  group: string;
  pid?: number;
  ssh: boolean;
}

export async function labStatus(): Promise<LabStatusHost[]> {
  const r = await run([process.execPath, BOSUN, "lab", "status", "--json"]);
  try {
    return JSON.parse(r.stdout) as LabStatusHost[];
  } catch {
    return [];
  }
}

/**
 * Makes sure the lab runs at least `size` hosts. Never shrinks it: hosts beyond `size` may be
 * somebody else's (the lab is shared), and `lab up` with a smaller number would stop them.
 */
export async function ensureLab(size: number, log: (s: string) => void): Promise<void> {
  const hosts = await labStatus();
  const running = hosts.filter((h) => h.pid && h.ssh).length;
  // Only the first `size` hosts matter: with 200+ hosts on a busy machine some others miss the status's 1 s probe.
  const mine = hosts.slice(0, size);
  if (hosts.length >= size && mine.every((h) => h.pid && h.ssh)) return;
  const target = Math.max(size, hosts.length);
  log(`lab up ${target} (had ${hosts.length} hosts, ${running} answering)`);
  await bosun(["lab", "up", String(target)]);
}

/** Reboots these lab hosts from the clean base (fresh hosts, new host keys written to known_hosts). */
export async function resetHosts(hosts: BenchHost[]): Promise<void> {
  await bosun(["lab", "reset", ...hosts.map((h) => h.name)]);
}

/** Runs a shell command on every host of an inventory with `bosun exec` (throws when one fails). */
export async function execAll(inventory: string, command: string, forks: number, env?: NodeJS.ProcessEnv): Promise<void> {
  await bosun(["exec", "all", "-i", inventory, "--forks", String(forks), "--", command], env);
}
