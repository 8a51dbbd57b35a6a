/**
 * `npm run bench`: Bosun vs tuned Ansible on the same workload, on fresh lab hosts, with the end
 * states proven equal. See docs/bench.md for what it measures and how.
 *
 *   node --import tsx bench/run.ts [--sizes 1,5,20] [--repeat 5] [--offset K] [--skip-ansible]
 *                                  [--no-mitogen] [--no-scaling | --scaling] [--scaling-sizes 1,10,25,50]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DEFAULT_TRANSPORT } from "../src/transport/pool.js";
import { checkEndStates, formatDifferences } from "./check.js";
import {
  ANSIBLE_DIR,
  ansibleInventory,
  type BenchHost,
  BOSUN,
  bosun,
  bosunInventory,
  ensureLab,
  execAll,
  type LabAccess,
  labAccess,
  pickRange,
  pickSets,
  ROOT,
  resetHosts,
  run,
  SITE,
  writeText,
} from "./lab.js";
import { floor, type Measured, measure, median } from "./measure.js";
import { oneExecArgv } from "./oneexec.js";
import { summariseProfile } from "./profile.js";
import {
  atPeak,
  type Detail,
  type Env,
  growthOf,
  type MitogenStatus,
  type ProfileSummary,
  perHostCosts,
  profileSection,
  type Row,
  r1,
  r3,
  ratioTable,
  resultsTable,
  type ScalingResult,
  type ScalingRow,
  scalingTable,
  type Tool,
  targets,
  targetsTable,
} from "./report.js";

interface Options {
  sizes: number[];
  repeat: number;
  offset: number;
  mode: "all" | "compare" | "scaling";
  scalingSizes: number[];
  skipAnsible: boolean;
  mitogen: boolean;
  profile: boolean;
  /** Bosun's SSH transports to run (BOSUN_TRANSPORT); the profile is of the default one when it is listed. */
  transports: string[];
}

const USAGE = `usage: npm run bench -- [options]

  --sizes 1,5,20          host counts N to compare at (each uses 2N fresh lab hosts)
  --repeat 5              repeated no-op and check runs per tool and N (medians are reported)
  --offset K              use lab hosts from index K on (default 0; hosts below K are never touched)
  --skip-ansible          Bosun only (quick tries; no ratios)
  --no-mitogen            do not try Ansible's mitogen strategy
  --no-scaling            comparison only
  --scaling               scaling run only (Bosun no-op time and memory over N)
  --scaling-sizes 1,10,25,50,100,200
  --transport openssh,ssh2  Bosun's SSH transports (default: both when src/transport has ssh2, else openssh)
  --no-profile            do not profile a Bosun no-op when a target is missed
`;

/** Both transports once the in-process ssh2 transport is in the tree (src/transport/*ssh2*), else OpenSSH. */
function defaultTransports(): string[] {
  const dir = path.join(ROOT, "src", "transport");
  const has = existsSync(dir) && readdirSync(dir).some((f) => f.includes("ssh2"));
  return has ? ["openssh", "ssh2"] : ["openssh"];
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    sizes: [1, 5, 20],
    repeat: 5,
    offset: 0,
    mode: "all",
    scalingSizes: [1, 10, 25, 50, 100, 200],
    skipAnsible: false,
    mitogen: true,
    profile: true,
    transports: defaultTransports(),
  };
  const list = (v: string | undefined, what: string) => {
    const xs = (v ?? "").split(",").map((x) => Number(x.trim()));
    if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1))
      throw new Error(`${what}: expected positive integers like 1,5,20, got "${v}"`);
    return [...new Set(xs)].sort((a, b) => a - b);
  };
  const int = (v: string | undefined, what: string, min: number) => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < min) throw new Error(`${what}: expected an integer ≥ ${min}, got "${v}"`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--sizes":
        o.sizes = list(value(), "--sizes");
        break;
      case "--repeat":
        o.repeat = int(value(), "--repeat", 1);
        break;
      case "--offset":
        o.offset = int(value(), "--offset", 0);
        break;
      case "--scaling":
        o.mode = "scaling";
        break;
      case "--no-scaling":
        o.mode = "compare";
        break;
      case "--scaling-sizes":
        o.scalingSizes = list(value(), "--scaling-sizes");
        break;
      case "--skip-ansible":
        o.skipAnsible = true;
        break;
      case "--no-mitogen":
        o.mitogen = false;
        break;
      case "--no-profile":
        o.profile = false;
        break;
      case "--transport": {
        const ts = (value() ?? "").split(",").map((t) => t.trim());
        const bad = ts.filter((t) => t !== "openssh" && t !== "ssh2");
        if (ts.length === 0 || bad.length)
          throw new Error(`--transport: expected openssh and/or ssh2 (comma-separated), got "${ts.join(",")}"`);
        o.transports = [...new Set(ts)];
        break;
      }
      case "-h":
      case "--help":
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option "${a}"\n${USAGE}`);
    }
  }
  return o;
}

const opts = (() => {
  try {
    return parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exit(64);
  }
})();

const STARTED = Date.now();
const DATE = new Date(STARTED).toISOString();
const RESULTS = path.join(ROOT, "bench", "results");
const WORK = path.join(ROOT, "bench", ".work", DATE.replace(/[:.]/g, "-"));
/** Short paths for ssh control sockets (108-byte limit): b = Bosun's TMPDIR, a = Ansible's control path dir. */
const CTL = path.join(os.tmpdir(), `bosun-bench-${process.pid}`);
const BOSUN_TMP = path.join(CTL, "b");
const ANSIBLE_CP = path.join(CTL, "a");
const STATE_DIR = path.join(WORK, "bosun-state");
const PREP = "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-apt >/dev/null";

function log(msg: string): void {
  const t = (Date.now() - STARTED) / 1000;
  process.stderr.write(`[bench ${String(Math.floor(t / 60)).padStart(2, "0")}:${(t % 60).toFixed(0).padStart(2, "0")}] ${msg}\n`);
}

class BenchError extends Error {}

const labDir = (() => {
  try {
    const out = execFileSync(process.execPath, [BOSUN, "config", "--json"], { encoding: "utf8" });
    const entry = (JSON.parse(out) as { key: string; value: unknown }[]).find((e) => e.key === "lab.dir");
    if (typeof entry?.value === "string") return entry.value;
  } catch {
    // fall through to the default
  }
  return path.join(process.env.PREFIX ?? "/srv", "data", "bosun", "lab");
})();

const bosunEnv: NodeJS.ProcessEnv = { ...process.env, BOSUN_STATE_DIR: STATE_DIR, TMPDIR: BOSUN_TMP, NO_COLOR: "1" };
/** Bosun's environment with one transport chosen (BOSUN_TRANSPORT; the inventories set no bosun_transport). */
const envFor = (transport: string): NodeJS.ProcessEnv => ({ ...bosunEnv, BOSUN_TRANSPORT: transport });
/** Bosun's rows are "bosun" over OpenSSH (comparable with earlier results) and "bosun-ssh2" over ssh2. */
const toolFor = (transport: string): Tool => (transport === "openssh" ? "bosun" : (`bosun-${transport}` as Tool));

function ansibleEnv(access: LabAccess, mitogen: boolean, factCache: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ANSIBLE_CONFIG: path.join(ANSIBLE_DIR, "ansible.cfg"),
    ANSIBLE_CACHE_PLUGIN_CONNECTION: factCache,
    ANSIBLE_SSH_CONTROL_PATH_DIR: ANSIBLE_CP,
    ANSIBLE_NOCOLOR: "1",
  };
  if (access.knownHosts !== "/srv/data/bosun/lab/known_hosts") {
    // ansible.cfg names the default lab's known_hosts; this lab keeps it elsewhere.
    env.ANSIBLE_SSH_ARGS = `-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${access.knownHosts} -o StrictHostKeyChecking=yes -o BatchMode=yes`;
  }
  if (mitogen) env.ANSIBLE_STRATEGY = "mitogen_linear";
  return env;
}

// ---------------------------------------------------------------------------------------------
// One tool run, verified

interface RunRecord {
  hosts: Record<string, { changed: number; failed: number; unreachable: boolean; status: string }>;
  exitCode: number;
}

function lastBosunRecord(): RunRecord {
  const lines = readFileSync(path.join(STATE_DIR, "runs.jl"), "utf8").trim().split("\n");
  return JSON.parse(lines[lines.length - 1] as string) as RunRecord;
}

let runCounter = 0;
function logFile(name: string): string {
  return path.join(WORK, "logs", `${String(++runCounter).padStart(3, "0")}-${name}.log`);
}

type BosunKind = "first" | "noop" | "plan" | "converge";

const notes: string[] = [];

/** mtime of Bosun's type-check cache: it changes only when a run type-checked the site again. */
function typecheckStamp(): number {
  try {
    return statSync(path.join(STATE_DIR, "typecheck.json")).mtimeMs;
  } catch {
    return 0;
  }
}

/** Warms Bosun's type-check and tsx caches (a plan on an inventory without hosts: no host touched). */
async function warmUp(): Promise<void> {
  await bosun(["plan", SITE, "-i", path.join(WORK, "inventories", "empty.yml")], bosunEnv);
}

async function runBosun(kind: BosunKind, inventory: string, hosts: BenchHost[], transport: string, pssEveryMs?: number): Promise<Measured> {
  const n = hosts.length;
  const args =
    kind === "plan"
      ? ["plan", SITE, "-i", inventory, "--forks", String(n), "--detailed-exitcode"]
      : ["apply", SITE, "-i", inventory, "--forks", String(n), "--yes"];
  const file = logFile(`bosun-${transport}-${kind}${pssEveryMs ? "-pss" : ""}-n${n}`);
  const env = envFor(transport);
  const before = typecheckStamp();
  let m = await measure([process.execPath, BOSUN, ...args], { env, logFile: file, markers: [BOSUN_TMP], pssEveryMs });
  if (typecheckStamp() !== before && m.exitCode === 0 && (kind === "noop" || kind === "plan")) {
    // Bosun's sources or the site changed during the bench (someone editing the checkout): this run
    // type-checked the site again, which a user's repeated run does not. Measure it once more.
    log(`  bosun ${kind}: the site was type-checked again (its files changed during the bench); sample discarded, run again`);
    notes.push(
      `A Bosun ${kind} sample at N=${n} was discarded and re-run: the site's files changed during the bench, so it type-checked again.`,
    );
    m = await measure([process.execPath, BOSUN, ...args], { env, logFile: file, markers: [BOSUN_TMP], pssEveryMs });
  } else if (typecheckStamp() !== before && kind !== "noop" && kind !== "plan") {
    notes.push(
      `The Bosun ${kind} run at N=${n} type-checked the site (its files changed after the warm-up), which adds ~2 s and ~200 MiB to it.`,
    );
  }
  const tail = () => readFileSync(file, "utf8").trim().split("\n").slice(-25).join("\n");
  if (kind === "plan" && m.exitCode === 2)
    throw new BenchError(`bosun plan: changes pending on converged hosts (not idempotent?); log ${file}\n${tail()}`);
  if (m.exitCode !== 0)
    throw new BenchError(`bosun ${args[0]} (${kind}, ${transport}, N=${n}) exited ${m.exitCode}; log ${file}\n${tail()}`);
  const rec = lastBosunRecord();
  const names = Object.keys(rec.hosts);
  if (names.length !== n) throw new BenchError(`bosun ${kind}: ${names.length} hosts in the run record, expected ${n}; log ${file}`);
  const bad = names.filter((h) => rec.hosts[h]?.failed || rec.hosts[h]?.unreachable);
  if (bad.length) throw new BenchError(`bosun ${kind}: failed or unreachable: ${bad.join(", ")}; log ${file}\n${tail()}`);
  if (kind === "noop" || kind === "plan") {
    const changed = names.filter((h) => rec.hosts[h]?.changed);
    if (changed.length) throw new BenchError(`bosun ${kind}: changes on a no-op run (${changed.join(", ")}); log ${file}\n${tail()}`);
  }
  return m;
}

interface Recap {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
}

function ansibleRecap(text: string): Map<string, Recap> {
  const out = new Map<string, Recap>();
  const re = /^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm;
  for (const m of text.matchAll(re))
    out.set(m[1] as string, {
      ok: +(m[2] as string),
      changed: +(m[3] as string),
      unreachable: +(m[4] as string),
      failed: +(m[5] as string),
    });
  return out;
}

/** The first failure in an ansible-playbook log, quoted: the task and Ansible's message. */
export function ansibleFailure(text: string): string {
  const lines = text.split("\n");
  let task = "";
  for (const line of lines) {
    const t = /^((?:TASK|RUNNING HANDLER) \[.*?\])/.exec(line);
    if (t) task = t[1] as string;
    const f = /^fatal: \[([^\]]+)\]: (FAILED|UNREACHABLE)! => (.*)$/.exec(line);
    if (f) {
      let msg = f[3] as string;
      try {
        const j = JSON.parse(msg) as { msg?: string };
        if (j.msg) msg = j.msg;
      } catch {
        // not JSON: quote as is
      }
      msg = msg.split("\n")[0] as string;
      return `${task}: fatal: [${f[1]}]: ${f[2]}! => ${msg.length > 400 ? `${msg.slice(0, 397)}...` : msg}`;
    }
  }
  const err = lines.find((l) => l.startsWith("ERROR!"));
  return err ? (err.length > 400 ? `${err.slice(0, 397)}...` : err) : "no failure message found";
}

class AnsibleRunError extends BenchError {
  constructor(
    message: string,
    readonly quote: string,
  ) {
    super(message);
  }
}

type AnsibleKind = "first" | "noop" | "check";

async function runAnsible(kind: AnsibleKind, inventory: string, hosts: BenchHost[], env: NodeJS.ProcessEnv, tool: Tool): Promise<Measured> {
  const n = hosts.length;
  const args = [
    "ansible-playbook",
    "-i",
    inventory,
    path.join(ANSIBLE_DIR, "site.yml"),
    "--forks",
    String(n),
    ...(kind === "check" ? ["--check"] : []),
  ];
  const file = logFile(`${tool}-${kind}-n${n}`);
  const m = await measure(args, { env, logFile: file, markers: [ANSIBLE_CP] });
  const text = readFileSync(file, "utf8");
  const recap = ansibleRecap(text);
  const bad = [...recap.entries()].filter(([, r]) => r.failed || r.unreachable).map(([h]) => h);
  if (m.exitCode !== 0 || bad.length || recap.size !== n) {
    const quote = ansibleFailure(text);
    throw new AnsibleRunError(
      `${tool} ${kind} (N=${n}) exited ${m.exitCode} (${recap.size} hosts in the recap); log ${file}\n  ${quote}`,
      quote,
    );
  }
  if (kind !== "first") {
    const changed = [...recap.entries()].filter(([, r]) => r.changed).map(([h]) => h);
    if (changed.length) throw new BenchError(`${tool} ${kind}: changes on a no-op run (${changed.join(", ")}); log ${file}`);
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Comparison at one N

interface Series {
  first?: Measured;
  noop: Measured[];
  check: Measured[];
  floors: number[];
}

const emptySeries = (): Series => ({ noop: [], check: [], floors: [] });

function toRow(tool: Tool, n: number, s: Series, transport?: string): Row {
  const all = [s.first, ...s.noop, ...s.check].filter((x): x is Measured => x !== undefined);
  return {
    tool,
    n,
    first_s: r3(s.first?.seconds ?? Number.NaN),
    noop_s: r3(median(s.noop.map((x) => x.seconds))),
    check_s: r3(median(s.check.map((x) => x.seconds))),
    floor_s: r3(median(s.floors)),
    peak_rss_mib: r1(Math.max(...all.map((x) => x.peakRssMiB))),
    ...(transport ? { transport } : {}),
    date: DATE,
  };
}

function toDetail(tool: Tool, n: number, hosts: BenchHost[], s: Series): Detail {
  const all = [s.first, ...s.noop, ...s.check].filter((x): x is Measured => x !== undefined);
  const peak = all.reduce((a, b) => (b.peakRssMiB > a.peakRssMiB ? b : a));
  const max = (xs: Measured[]) => (xs.length ? Math.max(...xs.map((x) => x.peakRssMiB)) : Number.NaN);
  return {
    tool,
    n,
    hosts: hosts.map((h) => h.name),
    noopAll: s.noop.map((x) => r3(x.seconds)),
    checkAll: s.check.map((x) => r3(x.seconds)),
    floorAll: s.floors.map(r3),
    firstRss: s.first?.peakRssMiB ?? Number.NaN,
    noopRss: max(s.noop),
    checkRss: max(s.check),
    peakSshMiB: peak.peakSshMiB,
    atPeak: atPeak(peak.peakByName),
    maxSsh: Math.max(...all.map((x) => x.maxSsh)),
  };
}

async function prepareHosts(hosts: BenchHost[], allInventory: string): Promise<LabAccess> {
  log(`lab reset ${hosts.map((h) => h.name).join(" ")}`);
  await resetHosts(hosts);
  const access = labAccess(labDir);
  log(`installing python3 + python3-apt on ${hosts.length} hosts (Ansible's prerequisites; before timing either tool)`);
  await execAll(allInventory, PREP, hosts.length, bosunEnv);
  return access;
}

async function verifyStates(all: { tool: string; hosts: BenchHost[] }[], access: LabAccess, when: string): Promise<string> {
  const sets = all.filter((x) => x.hosts.length);
  const r = await checkEndStates(sets, access);
  if (r.differences.length) {
    throw new BenchError(
      `END STATES DIFFER ${when} (${r.differences.length} differences; reference: the first host of each group):\n${formatDifferences(r.differences)}`,
    );
  }
  const msg = `end states match ${when}: ${sets.map((x) => `${x.tool} ${x.hosts.map((h) => h.name).join(",")}`).join(" vs ")} (${r.keys} items per host)`;
  log(msg);
  return msg;
}

const mitogen: MitogenStatus = { tried: false, works: false, note: "" };
const checks: string[] = [];
let profile: ProfileSummary | undefined;

/** The one-exec script's first apply on its own fresh hosts (one ssh exec per host, all at once). */
async function runOneExec(hosts: BenchHost[], access: LabAccess): Promise<Measured> {
  const file = logFile(`one-exec-n${hosts.length}`);
  const m = await measure(oneExecArgv(hosts, access), { env: process.env, logFile: file, markers: [] });
  if (m.exitCode !== 0) {
    const tail = readFileSync(file, "utf8").trim().split("\n").slice(-25).join("\n");
    throw new BenchError(`one-exec script (N=${hosts.length}) exited ${m.exitCode}; log ${file}\n${tail}`);
  }
  return m;
}

async function compareAt(n: number, rows: Row[], details: Detail[]): Promise<void> {
  // One fresh set per Bosun transport, one for Ansible, one for the one-exec script.
  const T = opts.transports.length;
  const picked = pickSets(opts.offset, n, T + 2);
  const bSets = opts.transports.map((t, i) => ({ transport: t, hosts: picked.sets[i] as BenchHost[] }));
  const aHosts = opts.skipAnsible ? [] : (picked.sets[T] as BenchHost[]);
  const oHosts = picked.sets[T + 1] as BenchHost[];
  await ensureLab(picked.labSize, log);
  const access0 = labAccess(labDir);
  const inv = path.join(WORK, "inventories");
  const bInvs: string[] = [];
  for (const b of bSets) bInvs.push(await writeText(path.join(inv, `bosun-${b.transport}-n${n}.yml`), bosunInventory(b.hosts, access0)));
  const aInv = await writeText(path.join(inv, `ansible-n${n}.yml`), ansibleInventory(aHosts, access0));
  const everyone = [...bSets.flatMap((b) => b.hosts), ...aHosts, ...oHosts];
  const allInv = await writeText(path.join(inv, `all-n${n}.yml`), bosunInventory(everyone, access0));
  const aOnlyInv = await writeText(path.join(inv, `ansible-as-bosun-n${n}.yml`), bosunInventory(aHosts, access0));
  const names = (hs: BenchHost[]) => hs.map((h) => h.name).join(",");
  log(
    `N=${n}: ${bSets.map((b) => `Bosun/${b.transport} on ${names(b.hosts)}`).join("; ")}${aHosts.length ? `; Ansible on ${names(aHosts)}` : ""}; one-exec on ${names(oHosts)}`,
  );

  const access = await prepareHosts(everyone, allInv);
  const factCache = path.join(WORK, `ansible-facts-n${n}`);
  await rm(factCache, { recursive: true, force: true });
  const aEnv = ansibleEnv(access, false, factCache);

  const bs = bSets.map(() => emptySeries());
  const a = emptySeries();
  await warmUp();
  for (const [i, b] of bSets.entries()) {
    log(`N=${n}: bosun first apply (${b.transport})`);
    const first = await runBosun("first", bInvs[i] as string, b.hosts, b.transport);
    (bs[i] as Series).first = first;
    log(`  bosun first apply ${first.seconds.toFixed(2)} s, peak RSS ${first.peakRssMiB.toFixed(1)} MiB`);
  }
  log(`N=${n}: one-exec script first apply`);
  const one = await runOneExec(oHosts, access);
  log(`  one-exec first apply ${one.seconds.toFixed(2)} s, peak RSS ${one.peakRssMiB.toFixed(1)} MiB`);
  if (aHosts.length) {
    log(`N=${n}: ansible first apply`);
    a.first = await runAnsible("first", aInv, aHosts, aEnv, "ansible");
    log(`  ansible first apply ${a.first.seconds.toFixed(2)} s, peak RSS ${a.first.peakRssMiB.toFixed(1)} MiB`);
  }
  const sets = [
    ...bSets.map((b) => ({ tool: toolFor(b.transport), hosts: b.hosts })),
    { tool: "ansible" as const, hosts: aHosts },
    { tool: "one-exec" as const, hosts: oHosts },
  ];
  checks.push(await verifyStates(sets, access, `after the first applies (N=${n})`));

  for (let r = 1; r <= opts.repeat; r++) {
    for (const [i, b] of bSets.entries()) {
      const series = bs[i] as Series;
      series.floors.push(await floor(b.hosts, access));
      series.noop.push(await runBosun("noop", bInvs[i] as string, b.hosts, b.transport));
    }
    if (aHosts.length) a.floors.push(await floor(aHosts, access));
    if (aHosts.length) a.noop.push(await runAnsible("noop", aInv, aHosts, aEnv, "ansible"));
    for (const [i, b] of bSets.entries()) (bs[i] as Series).check.push(await runBosun("plan", bInvs[i] as string, b.hosts, b.transport));
    if (aHosts.length) a.check.push(await runAnsible("check", aInv, aHosts, aEnv, "ansible"));
    const last = (s: Series) =>
      `no-op ${s.noop.at(-1)?.seconds.toFixed(2)} s, check ${s.check.at(-1)?.seconds.toFixed(2)} s, floor ${s.floors.at(-1)?.toFixed(3)} s`;
    log(
      `N=${n} round ${r}/${opts.repeat}: ${bSets.map((b, i) => `bosun/${b.transport} ${last(bs[i] as Series)}`).join(" | ")}${aHosts.length ? ` | ansible ${last(a)}` : ""}`,
    );
  }
  checks.push(await verifyStates(sets, access, `after the repeated runs (N=${n})`));
  // Profile what users run: the default transport when it is measured, else the first one.
  const pi = Math.max(
    0,
    bSets.findIndex((b) => b.transport === DEFAULT_TRANSPORT),
  );
  const b0 = bSets[pi] as { transport: string; hosts: BenchHost[] };
  if (opts.profile && n === Math.max(...opts.sizes)) profile = await profileBosun(n, bInvs[pi] as string, b0.hosts, b0.transport);

  const newRows = bSets.map((b, i) => toRow(toolFor(b.transport), n, bs[i] as Series, b.transport));
  const newDetails = bSets.map((b, i) => toDetail(toolFor(b.transport), n, b.hosts, bs[i] as Series));
  newRows.push(toRow("one-exec", n, { first: one, noop: [], check: [], floors: [] }, "openssh"));
  newDetails.push(toDetail("one-exec", n, oHosts, { first: one, noop: [], check: [], floors: [] }));
  if (aHosts.length) {
    newRows.push(toRow("ansible", n, a));
    newDetails.push(toDetail("ansible", n, aHosts, a));
  }
  if (aHosts.length && opts.mitogen && (!mitogen.tried || mitogen.works)) {
    const m = await mitogenAt(n, bInvs[pi] as string, b0.hosts, aInv, aOnlyInv, aHosts);
    if (m) {
      newRows.push(toRow("ansible-mitogen", n, m));
      newDetails.push(toDetail("ansible-mitogen", n, aHosts, m));
    }
  }
  rows.push(...newRows);
  details.push(...newDetails);
  // Fresh again for the next N or the scaling run (and their services stopped: ~26 MiB a web host).
  log(`N=${n}: lab reset of the ${everyone.length} hosts used (frees their overlays' memory)`);
  await resetHosts(everyone);
}

/** Mitogen on the Ansible hosts (reset again): first apply, then no-op/check alternating with Bosun's. */
async function mitogenAt(
  n: number,
  bInv: string,
  bHosts: BenchHost[],
  aInv: string,
  aOnlyInv: string,
  aHosts: BenchHost[],
): Promise<Series | undefined> {
  mitogen.tried = true;
  const access = await prepareHosts(aHosts, aOnlyInv);
  const factCache = path.join(WORK, `mitogen-facts-n${n}`);
  await rm(factCache, { recursive: true, force: true });
  const env = ansibleEnv(access, true, factCache);
  const m = emptySeries();
  log(`N=${n}: ansible-mitogen first apply (strategy mitogen_linear)`);
  try {
    m.first = await runAnsible("first", aInv, aHosts, env, "ansible-mitogen");
  } catch (e) {
    if (!(e instanceof AnsibleRunError)) throw e;
    mitogen.works = false;
    mitogen.note = e.quote;
    log(`  ansible-mitogen FAILED: ${e.quote}`);
    return undefined;
  }
  mitogen.works = true;
  log(`  ansible-mitogen first apply ${m.first.seconds.toFixed(2)} s`);
  checks.push(
    await verifyStates(
      [
        { tool: "bosun", hosts: bHosts },
        { tool: "ansible-mitogen", hosts: aHosts },
      ],
      access,
      `after the mitogen first apply (N=${n})`,
    ),
  );
  for (let r = 1; r <= opts.repeat; r++) {
    m.floors.push(await floor(aHosts, access));
    await runBosun("noop", bInv, bHosts, opts.transports[0] as string);
    m.noop.push(await runAnsible("noop", aInv, aHosts, env, "ansible-mitogen"));
    await runBosun("plan", bInv, bHosts, opts.transports[0] as string);
    m.check.push(await runAnsible("check", aInv, aHosts, env, "ansible-mitogen"));
    log(
      `N=${n} mitogen round ${r}/${opts.repeat}: no-op ${m.noop.at(-1)?.seconds.toFixed(2)} s, check ${m.check.at(-1)?.seconds.toFixed(2)} s`,
    );
  }
  return m;
}

function mitogenAvailable(): { ok: boolean; version?: string; why?: string } {
  const v = spawnSync("dpkg-query", ["-W", "-f", "$" + "{Version}", "ansible-mitogen"], { encoding: "utf8" });
  const version = v.status === 0 ? v.stdout.trim() || undefined : undefined;
  // Where this ansible-playbook's own `ansible` package is: Debian puts mitogen's strategies into it.
  const ver = spawnSync("ansible-playbook", ["--version"], { encoding: "utf8" });
  const loc = /ansible python module location = (.+)/.exec(ver.stdout ?? "")?.[1]?.trim();
  if (loc && existsSync(path.join(loc, "plugins", "strategy", "mitogen_linear.py"))) return { ok: true, version };
  return {
    ok: false,
    version,
    why: version
      ? `ansible-mitogen ${version} is installed but its mitogen_linear strategy is not in ${loc ?? "ansible's plugin directory"}`
      : "the Debian package ansible-mitogen is not installed (scripts/bench.sh installs it: apt-get install ansible-mitogen)",
  };
}

// ---------------------------------------------------------------------------------------------
// Profile of one Bosun no-op

function medianMs(argv: string[], times = 5): number {
  const xs: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = process.hrtime.bigint();
    spawnSync(argv[0] as string, argv.slice(1), { stdio: "ignore", env: bosunEnv });
    xs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(xs);
}

async function profileBosun(n: number, inventory: string, hosts: BenchHost[], transport: string): Promise<ProfileSummary> {
  const dir = path.join(WORK, `cpu-profile-n${n}`);
  await mkdir(dir, { recursive: true });
  const file = logFile(`bosun-profile-n${n}`);
  log(`N=${n}: profiling one bosun no-op (node --cpu-prof)`);
  const m = await measure(
    [
      process.execPath,
      "--cpu-prof",
      "--cpu-prof-dir",
      dir,
      BOSUN,
      "apply",
      SITE,
      "-i",
      inventory,
      "--forks",
      String(hosts.length),
      "--yes",
      "--json",
    ],
    { env: envFor(transport), logFile: file, markers: [BOSUN_TMP] },
  );
  if (m.exitCode !== 0) throw new BenchError(`profiled bosun run exited ${m.exitCode}; log ${file}`);
  const events = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => {
      try {
        return JSON.parse(l) as { type: string; host?: string; duration_ms?: number };
      } catch {
        return { type: "" };
      }
    });
  const recap = events.find((e) => e.type === "recap");
  // Per host, its plays added up (a web host is in both plays, a db host only in the first).
  const perHost = new Map<string, number>();
  for (const e of events) if (e.type === "host_finished" && e.host) perHost.set(e.host, (perHost.get(e.host) ?? 0) + (e.duration_ms ?? 0));
  const hostMs = [...perHost.values()];
  const profiles = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => path.join(dir, f))
    .sort((x, y) => statSync(y).size - statSync(x).size);
  if (!profiles[0]) throw new BenchError(`no .cpuprofile written in ${dir}`);
  const summary = summariseProfile(profiles[0]);
  const nodeStartMs = medianMs([process.execPath, "-e", "0"]);
  const cliMs = medianMs([process.execPath, BOSUN, "--version"]);
  return {
    n,
    wallS: m.seconds,
    runMs: recap?.duration_ms ?? Number.NaN,
    hostMedianMs: median(hostMs),
    nodeStartMs,
    cliLoadMs: cliMs - nodeStartMs,
    transport,
    categories: summary.categories,
    top: summary.top,
    sampledMs: summary.sampledMs,
    profileFile: path.relative(ROOT, profiles[0]),
  };
}

// ---------------------------------------------------------------------------------------------
// Scaling

/**
 * A lab host's overlay is on disk, but its processes are RAM: a converged web host holds ~26 MiB
 * (nginx, the app, systemd, sshd: PSS measured on the lab), a db host ~10. Returns why converging `more` hosts
 * would not leave 2 GiB available to the machine (shared with whoever else runs on it), or undefined.
 */
function memoryShortfall(more: number): string | undefined {
  // A converged web host's processes (nginx, the app, systemd, sshd…) hold ~26 MiB (PSS); its overlay is on disk.
  const PER_HOST_MIB = 50;
  const avail = Number(/MemAvailable:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? 0) / 1024;
  const need = more * PER_HOST_MIB + 2048;
  return avail >= need
    ? undefined
    : `not enough memory to converge ${more} more lab hosts: ~${(need / 1024).toFixed(1)} GiB needed (${PER_HOST_MIB} MiB each for their processes + 2 GiB spare), ${(avail / 1024).toFixed(1)} GiB available`;
}

async function scalingRun(): Promise<ScalingResult> {
  const rows: ScalingRow[] = [];
  let stopped: string | undefined;
  let converged = 0;
  for (const n of opts.scalingSizes) {
    const hosts = pickRange(opts.offset, n);
    try {
      await ensureLab(opts.offset + n, log);
    } catch (e) {
      stopped = `lab up ${opts.offset + n} failed: ${(e as Error).message.split("\n").slice(0, 3).join(" ")}`;
      log(`scaling: ${stopped}`);
      break;
    }
    const access = labAccess(labDir);
    const inv = await writeText(path.join(WORK, "inventories", `scaling-n${n}.yml`), bosunInventory(hosts, access));
    const short = memoryShortfall(n - converged);
    if (short) {
      stopped = short;
      log(`scaling: ${stopped}`);
      break;
    }
    log(`scaling N=${n}: converging ${hosts[0]?.name}..${hosts.at(-1)?.name}`);
    await warmUp();
    const converge = await runBosun("converge", inv, hosts, opts.transports[0] as string);
    // Untimed: apt's downloaded .debs (~17 MiB a web host) would stay in the host's overlay (RAM on a lab without disk overlays).
    await execAll(inv, "apt-get clean", n, bosunEnv);
    converged = n;
    const noops = new Map<string, Measured[]>(opts.transports.map((t) => [t, []]));
    const floors: number[] = [];
    for (let r = 1; r <= opts.repeat; r++) {
      floors.push(await floor(hosts, access));
      for (const t of opts.transports) noops.get(t)?.push(await runBosun("noop", inv, hosts, t));
    }
    for (const [i, t] of opts.transports.entries()) {
      const ms = noops.get(t) as Measured[];
      const peak = ms.reduce((x, y) => (y.peakRssMiB > x.peakRssMiB ? y : x));
      // One more no-op, untimed, sampling PSS too (shared pages split among the processes sharing them).
      const pss = await runBosun("noop", inv, hosts, t, 200);
      const row: ScalingRow = {
        n,
        transport: t,
        noop_s: r3(median(ms.map((x) => x.seconds))),
        floor_s: r3(median(floors)),
        peak_rss_mib: r1(peak.peakRssMiB),
        peak_ssh_mib: r1(peak.peakSshMiB),
        peak_tool_mib: r1(peak.peakToolMiB),
        max_ssh_procs: Math.max(...ms.map((x) => x.maxSsh)),
        at_peak: atPeak(peak.peakByName),
        peak_pss_mib: r1(pss.peakPssMiB),
        converge_s: i === 0 ? r3(converge.seconds) : Number.NaN,
        date: DATE,
      };
      rows.push(row);
      log(
        `scaling N=${n} ${t}: no-op ${row.noop_s} s (floor ${row.floor_s} s), peak RSS ${row.peak_rss_mib} MiB (ssh ${row.peak_ssh_mib}, node ${row.peak_tool_mib})`,
      );
    }
  }
  if (converged > 0) {
    log(`scaling: lab reset of the ${converged} hosts used (frees their overlays' memory)`);
    await resetHosts(pickRange(opts.offset, converged));
  }
  const result: ScalingResult = {
    date: DATE,
    offset: opts.offset,
    repeat: opts.repeat,
    requested: opts.scalingSizes,
    largest_n: rows.at(-1)?.n ?? 0,
    stopped,
    rows,
    growth_mib_per_host: growthOf(rows.filter((r) => r.transport === opts.transports[0])),
    by_transport: opts.transports.map((t) => perHostCosts(t, rows)),
  };
  await writeFile(path.join(RESULTS, "scaling.json"), `${JSON.stringify(result, null, 2)}\n`);
  const md = `# Bosun scaling: no-op time and controller memory over N\n\n${envLine(await environment(), false)}\n\n${scalingTable(result)}\n`;
  await writeFile(path.join(RESULTS, "scaling.md"), md);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Report

async function environment(): Promise<Env> {
  const ansible = opts.skipAnsible
    ? ""
    : ((await run(["ansible-playbook", "--version"]).catch(() => undefined))?.stdout.split("\n")[0] ?? "");
  return {
    date: DATE,
    cpus: os.cpus().length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    bosun: (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version,
    ansible: ansible.trim(),
    repeat: opts.repeat,
    offset: opts.offset,
    sizes: opts.sizes,
  };
}

function envLine(e: Env, withSizes = true): string {
  return `${e.date} · ${e.cpus} CPUs, ${e.memGiB} GiB · Linux ${e.kernel} · node ${e.node} · bosun ${e.bosun}${e.ansible ? ` · ${e.ansible}` : ""} · ${withSizes ? `sizes ${e.sizes.join(",")}, ` : ""}lab offset ${e.offset}, repeat ${e.repeat}`;
}

function readScaling(): ScalingResult | undefined {
  const f = path.join(RESULTS, "scaling.json");
  if (!existsSync(f)) return undefined;
  try {
    return JSON.parse(readFileSync(f, "utf8")) as ScalingResult;
  } catch {
    return undefined;
  }
}

function markdown(
  env: Env,
  rows: Row[],
  details: Detail[],
  scaling: ScalingResult | undefined,
  scalingFromThisRun: boolean,
  complete: boolean,
): string {
  const t = targets(rows, scaling);
  const anyMissed = t.list.some((x) => x.met === false);
  const out: string[] = [
    "# Bosun vs Ansible: benchmark results",
    "",
    `${complete ? "" : "**Partial (the run has not finished all sizes).** "}${envLine(env)}`,
    "",
    "Same workload both ways (examples/site.ts; bench/ansible/site.yml), fresh lab hosts, forks = N for both tools, " +
      "end states proven equal by bench/check.ts. Seconds are wall time of the whole command; RSS is the peak of the summed " +
      "resident memory of the controller's process tree (ssh included), sampled every 50 ms. docs/bench.md explains the method.",
    "",
    "## Results",
    "",
    resultsTable(rows, details, env.repeat),
    "",
    "## Ratios (Ansible/Bosun: how many times faster Bosun is; Bosun/floor: how far Bosun is from bare `ssh true`)",
    "",
    ratioTable(rows),
    "",
    "## Targets",
    "",
    targetsTable(t),
    "",
    "## Ansible with Mitogen",
    "",
    mitogen.tried
      ? mitogen.works
        ? `Ran with \`ANSIBLE_STRATEGY=mitogen_linear\` (ansible-mitogen ${mitogen.version ?? "?"}): rows \`ansible-mitogen\` above.`
        : `ansible-mitogen ${mitogen.version ?? "?"} does not work with this ansible-core: its first apply failed, so there are no mitogen rows. Ansible said:\n\n\`\`\`\n${mitogen.note}\n\`\`\``
      : `Not run: ${mitogen.note}`,
    "",
    "## End-state checks",
    "",
    ...checks.map((c) => `- ${c}`),
    ...(notes.length ? ["", "## Notes", "", ...notes.map((x) => `- ${x}`)] : []),
  ];
  if (scaling) {
    out.push(
      "",
      `## Scaling (Bosun no-op over N${scalingFromThisRun ? "" : `; from scaling.json of ${scaling.date}`})`,
      "",
      scalingTable(scaling),
    );
  }
  if (profile) {
    out.push("", `## Where Bosun's time goes${anyMissed ? " (a target is missed)" : ""}`, "", profileSection(profile));
  }
  out.push(
    "",
    "## Per-run samples (s)",
    "",
    ...details.map(
      (d) =>
        `- ${d.tool} N=${d.n} (${d.hosts.join(",")}): no-op ${d.noopAll.join(", ")}; check ${d.checkAll.join(", ")}; floor ${d.floorAll.join(", ")}`,
    ),
    "",
  );
  return out.join("\n");
}

async function writeResults(
  env: Env,
  rows: Row[],
  details: Detail[],
  scaling: ScalingResult | undefined,
  fromThisRun: boolean,
  complete: boolean,
): Promise<string> {
  await mkdir(RESULTS, { recursive: true });
  await writeFile(path.join(RESULTS, "latest.json"), `${JSON.stringify(rows, null, 2)}\n`);
  const md = markdown(env, rows, details, scaling, fromThisRun, complete);
  await writeFile(path.join(RESULTS, "latest.md"), md);
  return md;
}

// ---------------------------------------------------------------------------------------------

function cleanup(): void {
  // Ansible's ControlPersist masters outlive a run by 60 s: close the ones this bench started.
  if (existsSync(ANSIBLE_CP)) {
    for (const sock of readdirSync(ANSIBLE_CP)) {
      spawnSync("ssh", ["-o", `ControlPath=${path.join(ANSIBLE_CP, sock)}`, "-O", "exit", "bench"], { stdio: "ignore", timeout: 5000 });
    }
  }
  rmSync(CTL, { recursive: true, force: true });
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    process.stderr.write(`\nbench: interrupted (${sig}); results so far are in bench/results, logs in ${path.relative(ROOT, WORK)}\n`);
    cleanup();
    process.exit(130);
  });
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new BenchError("needs root (the lab is systemd-nspawn hosts)");
  if (!existsSync(path.join(ROOT, "dist", "src", "cli", "main.js")))
    throw new BenchError("bosun is not built: npm run build (scripts/bench.sh does it)");
  await mkdir(path.join(WORK, "logs"), { recursive: true });
  await mkdir(BOSUN_TMP, { recursive: true, mode: 0o700 });
  await mkdir(ANSIBLE_CP, { recursive: true, mode: 0o700 });
  await mkdir(RESULTS, { recursive: true });
  log(`work dir ${path.relative(ROOT, WORK)}; lab dir ${labDir}`);
  const env = await environment();

  if (!opts.skipAnsible && opts.mode !== "scaling") {
    if (spawnSync("ansible-playbook", ["--version"], { stdio: "ignore" }).status !== 0) {
      throw new BenchError("ansible-playbook not found: apt-get install ansible-core (scripts/bench.sh does it), or --skip-ansible");
    }
    if (opts.mitogen) {
      const av = mitogenAvailable();
      mitogen.version = av.version;
      if (!av.ok) mitogen.note = av.why ?? "not available";
      else mitogen.note = "";
      if (!av.ok) mitogen.tried = false;
      if (!av.ok) opts.mitogen = false;
    } else mitogen.note = "--no-mitogen";
  } else mitogen.note = opts.skipAnsible ? "--skip-ansible" : "scaling run only";

  // Type-check cache and tsx compile cache warm, as for any user's second run (no host touched).
  await writeText(path.join(WORK, "inventories", "empty.yml"), "all:\n  children:\n    web:\n      hosts: {}\n    db:\n      hosts: {}\n");
  await warmUp();

  const rows: Row[] = [];
  const details: Detail[] = [];
  let scaling: ScalingResult | undefined;
  if (opts.mode !== "scaling") {
    for (const n of opts.sizes) {
      await compareAt(n, rows, details);
      const partial = n !== opts.sizes[opts.sizes.length - 1] || opts.mode === "all";
      await writeResults(env, rows, details, readScaling(), false, !partial);
    }
  }
  if (opts.mode !== "compare") {
    scaling = await scalingRun();
    if (opts.mode === "scaling") {
      process.stdout.write(`${readFileSync(path.join(RESULTS, "scaling.md"), "utf8")}\n`);
      log(`wrote bench/results/scaling.json and scaling.md in ${((Date.now() - STARTED) / 1000).toFixed(0)} s`);
      return;
    }
  }
  const md = await writeResults(env, rows, details, scaling ?? readScaling(), scaling !== undefined, true);
  process.stdout.write(`${md}\n`);
  log(`wrote bench/results/latest.md and latest.json${scaling ? ", scaling.json" : ""} in ${((Date.now() - STARTED) / 1000).toFixed(0)} s`);
}

try {
  await main();
} catch (e) {
  process.stderr.write(`\nbench: FAILED: ${e instanceof BenchError ? e.message : ((e as Error).stack ?? String(e))}\n`);
  process.exitCode = 1;
} finally {
  cleanup();
}
