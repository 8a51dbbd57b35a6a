/**
 * The e2e kit of the service, postgres and docker role tests: an inventory of lab hosts with vaulted vars,
 * and site runs with parsed NDJSON events. Hosts come from each test file's env var.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";
import { bosun, type CliResult, type LabHost, lab, onHost, ROOT, tempDir } from "./helpers.js";
import type { RunEventLine } from "./site-runner.js";

export const VAULT_ENV = { BOSUN_VAULT_PASSWORD: "rolesb-e2e-vault" };

/** Returns the named lab hosts with their addresses; throws naming a host the lab does not run. */
export async function labHostsNamed(names: string[]): Promise<LabHost[]> {
  const doc = parse(readFileSync((await lab()).inventoryFile, "utf8"));
  const all = new Map<string, string>();
  for (const g of Object.values(doc.all.children as Record<string, { hosts?: Record<string, { bosun_host: string }> }>))
    for (const [name, v] of Object.entries(g.hosts ?? {})) all.set(name, v.bosun_host);
  return names.map((name) => {
    const address = all.get(name);
    if (!address) throw new Error(`lab host ${name} is not in the running lab`);
    return { name, address };
  });
}

/** Returns a host list from an env var (comma-separated) or the defaults. */
export function hostsFromEnv(variable: string, defaults: string): string[] {
  return (process.env[variable] ?? defaults).split(",").map((s) => s.trim());
}

/**
 * Writes an inventory with these groups; `secrets` become vault-encrypted inline values (Secrets in roles).
 * Returns its path.
 */
export async function vaultInventory(
  groups: Record<string, LabHost[]>,
  vars: Record<string, unknown> = {},
  secrets: Record<string, string> = {},
): Promise<string> {
  const layout = await lab();
  const vaulted: Record<string, string> = {};
  for (const [k, plain] of Object.entries(secrets)) {
    const r = await bosun(["vault", "encrypt-string", "--oneline"], { env: VAULT_ENV, input: plain });
    assert.equal(r.code, 0, r.stderr);
    vaulted[k] = r.stdout.trim();
  }
  const children = Object.fromEntries(
    Object.entries(groups).map(([g, hosts]) => [g, { hosts: Object.fromEntries(hosts.map((h) => [h.name, { bosun_host: h.address }])) }]),
  );
  const base = { bosun_user: "root", bosun_ssh_key: layout.keyFile, bosun_known_hosts: layout.knownHostsFile };
  const file = path.join(tempDir("bosun-rolesb-"), "inventory.yml");
  writeFileSync(file, stringify({ all: { vars: { ...base, ...vars, ...vaulted }, children } }));
  return file;
}

export interface Run extends CliResult {
  events: (RunEventLine & { host?: string })[];
  /** "host: kind name" of ops changed (apply) or planned to change (plan). */
  changed: string[];
  /** "host: kind name: error output" of failed ops. */
  failed: string[];
}

/** Runs `bosun plan|apply SITE -i INV --json -e VARS [EXTRA…]` (apply with --yes) and parses its events. */
export async function runSite(
  verb: "plan" | "apply",
  site: string,
  inventory: string,
  vars: Record<string, string> = {},
  extra: string[] = [],
): Promise<Run> {
  const args = [
    verb,
    path.join(ROOT, site),
    "-i",
    inventory,
    "--json",
    "-e",
    JSON.stringify(vars),
    ...extra,
    ...(verb === "apply" ? ["--yes"] : []),
  ];
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
  return { ...r, events, changed, failed };
}

/** Applies and asserts success; returns the run. */
export async function applyOk(site: string, inventory: string, vars: Record<string, string> = {}, extra: string[] = []): Promise<Run> {
  const r = await runSite("apply", site, inventory, vars, extra);
  assert.equal(r.code, 0, `apply failed:\n${r.failed.join("\n")}\n${r.stderr}`);
  return r;
}

/** Runs sh on a lab host as root; asserts exit 0; returns stdout. */
export async function shOn(host: string, cmd: string): Promise<string> {
  const r = await onHost(host, cmd);
  assert.equal(r.code, 0, `${host}: ${cmd}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}
