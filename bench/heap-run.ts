/**
 * What a run holds per host: runs a plan or a no-op apply of a site through the run API (runSite,
 * as the CLI, pipelines and the server do) over N inventory names, and writes two heap snapshots:
 * `mid` when the first host finishes the last play (that play's plans all made and held) and `end`
 * at the recap (what the run kept for its whole length). Compare two N with heapsnap.ts.
 *
 * The N names are aliases of the given lab hosts (name, name-2, … each at its host's address): a
 * plan or a no-op only reads, so several names per host measure what the controller holds per name.
 *
 *   [EXTRA_VARS='{"app_version":"1.1.0"}'] node --import tsx bench/heap-run.ts plan|apply N OUT_DIR web25,web26,db13 [site.ts]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { writeHeapSnapshot } from "node:v8";
import { loadConfig } from "../src/config/load.js";
import { runSite } from "../src/engine/run-site.js";
import { loadSite } from "../src/engine/site.js";
import { labAccess, ROOT, SITE } from "./lab.js";

/** The running lab (as `bosun lab` puts it under PREFIX). */
const LAB = path.join(process.env.PREFIX ?? "/srv", "data", "bosun", "lab");

/** Returns YAML of N names over the given lab hosts (round robin), in the hosts' own groups. */
function aliasInventory(hosts: string[], n: number, addresses: Map<string, string>): string {
  const groups = new Map<string, string[]>();
  for (let i = 0; i < n; i++) {
    const base = hosts[i % hosts.length] as string;
    const round = Math.floor(i / hosts.length);
    const name = round === 0 ? base : `${base}-${round + 1}`;
    const group = base.replace(/\d+$/, "");
    groups.set(group, [...(groups.get(group) ?? []), `        ${name}:\n          bosun_host: ${addresses.get(base)}`]);
  }
  const access = labAccess(LAB);
  return [
    "all:",
    "  vars:",
    "    bosun_user: root",
    `    bosun_ssh_key: ${access.key}`,
    `    bosun_known_hosts: ${access.knownHosts}`,
    "  children:",
    ...[...groups].map(([g, lines]) => `    ${g}:\n      hosts:\n${lines.join("\n")}`),
  ].join("\n");
}

/** Returns each lab host's address from the lab inventory. */
async function labAddresses(): Promise<Map<string, string>> {
  const { readFile } = await import("node:fs/promises");
  const text = await readFile(path.join(LAB, "inventory.yml"), "utf8");
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^\s+([a-z]+\d+):\n\s+bosun_host: (\S+)/gm)) out.set(m[1] as string, m[2] as string);
  return out;
}

async function main(argv: string[]): Promise<void> {
  const [mode, nText, outDir, hostList, site = SITE] = argv;
  if ((mode !== "plan" && mode !== "apply") || !nText || !outDir || !hostList)
    throw new Error("usage: heap-run.ts plan|apply N OUT_DIR host,host,… [site.ts]");
  const n = Number(nText);
  mkdirSync(outDir, { recursive: true });
  const inv = path.join(outDir, `inventory-n${n}.yml`);
  writeFileSync(inv, aliasInventory(hostList.split(","), n, await labAddresses()));
  const config = await loadConfig({ cwd: ROOT });
  // EXTRA_VARS (JSON, as -e): e.g. {"app_version":"1.1.0"} gives the example's check run changes with diffs.
  const extraVars = process.env.EXTRA_VARS ? (JSON.parse(process.env.EXTRA_VARS) as Record<string, unknown>) : undefined;
  const handle = runSite({ mode, site, inventory: inv, config, forks: n, extraVars, typecheck: false, origin: { via: "cli" } });
  const plays = (await loadSite(path.resolve(site))).plays.length;
  let lastPlay = -1;
  let midTaken = false;
  const bytes: Record<string, number> = {};
  for await (const e of handle.events) {
    bytes[e.type] = (bytes[e.type] ?? 0) + JSON.stringify(e).length;
    if (e.type === "play_started") lastPlay = e.index;
    if (e.type === "host_finished" && lastPlay === plays - 1 && !midTaken) {
      midTaken = true;
      writeHeapSnapshot(path.join(outDir, `${mode}-n${n}-mid.heapsnapshot`));
    }
    if (e.type === "recap") writeHeapSnapshot(path.join(outDir, `${mode}-n${n}-end.heapsnapshot`));
  }
  const record = await handle.result;
  process.stdout.write(
    `${mode} N=${n}: exit ${record.exitCode}; event JSON bytes per host by type: ${JSON.stringify(
      Object.fromEntries(Object.entries(bytes).map(([k, v]) => [k, Math.round(v / n)])),
    )}\n`,
  );
}

await main(process.argv.slice(2));
