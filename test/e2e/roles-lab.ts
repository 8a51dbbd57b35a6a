/**
 * The e2e kit of the role library tests: this work's lab hosts (BOSUN_E2E_ROLES_HOSTS, four names),
 * an inventory of them with groups and vars per test, and site runs whose NDJSON events are parsed.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";
import { bosun, type CliResult, type LabHost, lab, onHost, ROOT, tempDir } from "./helpers.js";
import type { RunEventLine } from "./site-runner.js";

export const ROLE_HOST_NAMES = (process.env.BOSUN_E2E_ROLES_HOSTS ?? "web9,web10,db5,web11").split(",").map((s) => s.trim());
if (ROLE_HOST_NAMES.length < 4 || ROLE_HOST_NAMES.some((n) => !n)) {
  throw new Error(`BOSUN_E2E_ROLES_HOSTS must name four lab hosts, got ${process.env.BOSUN_E2E_ROLES_HOSTS}`);
}

export const VAULT_ENV = { BOSUN_VAULT_PASSWORD: "roles-e2e-vault" };

/** Returns the role tests' hosts with their addresses, in the env var's order. */
export async function roleHosts(): Promise<LabHost[]> {
  const doc = parse(readFileSync((await lab()).inventoryFile, "utf8"));
  const all = new Map<string, string>();
  for (const g of Object.values(doc.all.children as Record<string, { hosts?: Record<string, { bosun_host: string }> }>)) {
    for (const [name, v] of Object.entries(g.hosts ?? {})) all.set(name, v.bosun_host);
  }
  return ROLE_HOST_NAMES.map((name) => {
    const address = all.get(name);
    if (!address) throw new Error(`lab host ${name} is not in the running lab`);
    return { name, address };
  });
}

/** Returns a vault-encrypted string (the inventory value that becomes a Secret). */
export async function vaulted(plaintext: string): Promise<string> {
  const r = await bosun(["vault", "encrypt-string", "--oneline"], { env: VAULT_ENV, input: plaintext });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

/** Writes an inventory of the hosts in these groups, with vars; returns its path. */
export async function writeInventory(groups: Record<string, LabHost[]>, vars: Record<string, unknown> = {}): Promise<string> {
  const layout = await lab();
  const children: Record<string, { hosts: Record<string, { bosun_host: string }> }> = {};
  for (const [g, hosts] of Object.entries(groups)) {
    children[g] = { hosts: Object.fromEntries(hosts.map((h) => [h.name, { bosun_host: h.address }])) };
  }
  const file = path.join(tempDir("bosun-roles-"), "inventory.yml");
  const base = { bosun_user: "root", bosun_ssh_key: layout.keyFile, bosun_known_hosts: layout.knownHostsFile };
  writeFileSync(file, stringify({ all: { vars: { ...base, ...vars }, children } }));
  return file;
}

export interface RoleRun extends CliResult {
  events: RunEventLine[];
  /** Changed ops (apply) or ops planned to change (plan), as "host: kind name". */
  changed: string[];
  /** Failed ops as "host: kind name: error output". */
  failed: string[];
  /** Planned op events (with diffs). */
  planned: (RunEventLine & { host?: string })[];
}

/** Runs `bosun plan|apply SITE -i INV --json` (apply with --yes) and parses its events. */
export async function runSite(verb: "plan" | "apply", site: string, inventory: string, extra: string[] = []): Promise<RoleRun> {
  const args = [verb, path.join(ROOT, site), "-i", inventory, "--json", ...extra, ...(verb === "apply" ? ["--yes"] : [])];
  const r = await bosun(args, { env: VAULT_ENV });
  const events = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as RunEventLine & { host?: string });
  assert.equal(events.at(-1)?.type, "recap", r.stdout + r.stderr);
  const planned = events.filter((e) => e.type === "op_planned");
  const changed = (verb === "plan" ? planned.filter((e) => e.changed) : events.filter((e) => e.type === "op_changed")).map(
    (e) => `${e.host}: ${e.op}`,
  );
  const failed = events.filter((e) => e.type === "op_failed").map((e) => `${e.host}: ${e.op}: ${e.error} ${e.output ?? ""}`);
  return { ...r, events, changed, failed, planned };
}

/** Applies the site and asserts it succeeded; returns the run. */
export async function applyOk(site: string, inventory: string, extra: string[] = []): Promise<RoleRun> {
  const r = await runSite("apply", site, inventory, extra);
  assert.equal(r.code, 0, `apply failed:\n${r.failed.join("\n")}\n${r.stderr}`);
  return r;
}

/** Asserts a second apply changes nothing. */
export async function assertIdempotent(site: string, inventory: string, extra: string[] = []): Promise<void> {
  const r = await applyOk(site, inventory, extra);
  assert.deepEqual(r.changed, [], "a second apply changed nothing");
}

/** Runs sh as root on a lab host; asserts it succeeded and returns stdout. */
export async function sh(host: string, cmd: string): Promise<string> {
  const r = await onHost(host, cmd);
  assert.equal(r.code, 0, `${host}: ${cmd}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}
