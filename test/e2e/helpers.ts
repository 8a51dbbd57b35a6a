import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { loadConfig } from "../../src/config/load.js";
import { labLayout } from "../../src/lab/layout.js";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const BIN = path.join(ROOT, "bin", "bosun.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built bosun CLI and returns its exit code and output. */
export function bosun(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: "1", ...opts.env },
      cwd: opts.cwd ?? ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}

/** Returns the running lab's layout (from the same config the CLI reads). */
export async function lab() {
  const { config } = await loadConfig();
  return labLayout(config.lab.dir, config.lab.mirror_port);
}

export interface LabHost {
  name: string;
  address: string;
}

/**
 * The hosts the e2e suite works on: the lab's first three by default (a bigger lab may be running other
 * work); BOSUN_E2E_HOSTS=a,b,c points the same suite at three other lab hosts.
 */
export const SUITE_HOSTS: [string, string, string] = suiteHosts(process.env.BOSUN_E2E_HOSTS);

function suiteHosts(env: string | undefined): [string, string, string] {
  const names = env ? env.split(",").map((s) => s.trim()) : ["web1", "web2", "db1"];
  if (names.length !== 3 || names.some((n) => !n)) throw new Error(`BOSUN_E2E_HOSTS must name three lab hosts, got ${env}`);
  return names as [string, string, string];
}
/** Inventory and limit arguments for the suite's hosts. */
export const LAB = ["-i", "lab", "-l", SUITE_HOSTS.join(",")];

/** Returns the suite's hosts from the running lab's inventory, in order. */
export async function labHosts(): Promise<LabHost[]> {
  const doc = parse(readFileSync((await lab()).inventoryFile, "utf8"));
  const out: LabHost[] = [];
  for (const g of Object.values(doc.all.children as Record<string, { hosts?: Record<string, { bosun_host: string }> }>)) {
    for (const [name, v] of Object.entries(g.hosts ?? {})) if (SUITE_HOSTS.includes(name)) out.push({ name, address: v.bosun_host });
  }
  return out.sort((a, b) => SUITE_HOSTS.indexOf(a.name) - SUITE_HOSTS.indexOf(b.name));
}

/** Returns a fresh private temp dir for one test. */
export function tempDir(prefix = "bosun-e2e-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs a command on a lab host as root over the lab's own ssh (independent of the code under test). */
export async function onHost(host: string, command: string): Promise<CliResult> {
  return bosun(["lab", "ssh", host, command]);
}
