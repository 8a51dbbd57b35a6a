/**
 * Regenerates test/fixtures/inventory/parity/expected.json by running Ansible itself (the oracle):
 * `ansible-inventory -i FILE --list` for every fixture inventory and `ansible -i FILE PATTERN
 * [--limit L] --list-hosts` for every pattern check. Nothing connects anywhere: both only read the
 * local files. Each pattern runs twice with different hash seeds; an order that differs is
 * recorded as unstable (Ansible walks some group levels through a set).
 *
 *   node --import tsx scripts/inventory-parity.ts      # needs ansible-core (tested with 2.14)
 *
 * The committed expected.json keeps the parity test (test/unit/inventory/parity.test.ts) in CI
 * without Ansible.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const DIR = path.resolve(import.meta.dirname, "..", "test", "fixtures", "inventory", "parity");
const home = mkdtempSync(path.join(os.tmpdir(), "bosun-parity-"));

interface Check {
  inventory: string;
  pattern: string;
  limit?: string;
}

function env(file: string, seed: string): NodeJS.ProcessEnv {
  const plugin = /\.(ya?ml|json)$/.test(file) ? "yaml" : "ini";
  return {
    PATH: process.env.PATH,
    HOME: home,
    PYTHONHASHSEED: seed,
    ANSIBLE_CONFIG: path.join(home, "none.cfg"),
    ANSIBLE_HOME: home,
    ANSIBLE_LOCAL_TEMP: home,
    ANSIBLE_INVENTORY_ENABLED: plugin,
    ANSIBLE_INVENTORY_UNPARSED_FAILED: "true",
    ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED: "true",
    ANSIBLE_LOCALHOST_WARNING: "false",
    ANSIBLE_DEPRECATION_WARNINGS: "false",
    ANSIBLE_NOCOLOR: "1",
    ANSIBLE_FORCE_COLOR: "0",
  };
}

async function ansible(cmd: string, args: string[], file: string, seed = "0") {
  try {
    const r = await run(cmd, args, { cwd: DIR, env: env(file, seed), maxBuffer: 1 << 26 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

const warnings = (stderr: string) =>
  stderr
    .split("\n")
    .filter((l) => l.startsWith("[WARNING]: "))
    .map((l) => l.slice(11).trim());

async function inventory(file: string) {
  const r = await ansible("ansible-inventory", ["-i", `inv/${file}`, "--list"], file);
  if (r.code !== 0) return { ok: false, error: (r.stderr.match(/ERROR! (.*)/)?.[1] ?? r.stderr).trim().slice(0, 300) };
  return { ok: true, list: JSON.parse(r.stdout), warnings: warnings(r.stderr) };
}

async function hosts(c: Check, seed: string) {
  const args = ["-i", `inv/${c.inventory}`, c.pattern, "--list-hosts"];
  if (c.limit !== undefined) args.push("--limit", c.limit);
  const r = await ansible("ansible", args, c.inventory, seed);
  const list = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("    "))
    .map((l) => l.trim());
  return { exit: r.code, hosts: r.code === 0 ? list : [], warnings: warnings(r.stderr) };
}

/** Runs fn over items two at a time (the machine is shared). */
async function pool<T, R>(items: T[], fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

// With file names as arguments, only those inventories (and their pattern checks) are run again.
const only = process.argv.slice(2);
const previous = only.length > 0 ? JSON.parse(readFileSync(path.join(DIR, "expected.json"), "utf8")) : undefined;
const files = readdirSync(path.join(DIR, "inv"))
  .sort()
  .filter((f) => only.length === 0 || only.includes(f));
const checks = (JSON.parse(readFileSync(path.join(DIR, "patterns.json"), "utf8")) as Check[]).filter(
  (c) => only.length === 0 || only.includes(c.inventory),
);
const version = (await run("ansible", ["--version"])).stdout.split("\n")[0];
const inventories = Object.fromEntries(await pool(files, async (f) => [f, await inventory(f)] as const));
const patterns = await pool(checks, async (c) => {
  const a = await hosts(c, "0");
  const b = await hosts(c, "1");
  return { ...c, ...a, orderStable: a.hosts.join("\n") === b.hosts.join("\n") };
});
const merged = previous
  ? {
      inventories: { ...previous.inventories, ...inventories },
      patterns: [...previous.patterns.filter((p: Check) => !only.includes(p.inventory)), ...patterns],
    }
  : { inventories, patterns };
writeFileSync(path.join(DIR, "expected.json"), `${JSON.stringify({ oracle: version, ...merged }, null, 1)}\n`);
// The lint formats JSON too: write it the way it wants it.
await run("npx", ["biome", "format", "--write", path.join(DIR, "expected.json")], { cwd: path.resolve(DIR, "..", "..", "..", "..") });
console.log(`${files.length} inventories, ${patterns.length} pattern checks → ${path.join(DIR, "expected.json")}`);
