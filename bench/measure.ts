/**
 * Timing and controller memory of one tool run, measured the same way for every tool.
 *
 * The command runs under bench/reaper.py (a child subreaper that takes the wall time from its fork
 * to the command's exit). Every ~50 ms the sampler walks the process tree below the reaper from
 * /proc (/proc/PID/task/TID/children) and sums the resident set (statm) of every process in it:
 * the tool, its workers, and its ssh processes, including ssh masters that daemonize (they are
 * re-parented to the subreaper, so they stay in the tree). ssh masters left running by an earlier
 * run of the same tool (Ansible's ControlPersist) are found once before the run by their control
 * path directory and counted too. The peak of that sum is the controller's peak RSS.
 */
import { execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { BenchHost, LabAccess } from "./lab.js";
import { ROOT } from "./lab.js";

const PAGE = Number(execFileSync("getconf", ["PAGESIZE"], { encoding: "utf8" }).trim()) || 4096;
const MIB = 1024 * 1024;
/** Debian's python3 for the reaper (stdlib only); a pyenv shim first on PATH would add its own start-up. */
const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

export interface Measured {
  seconds: number;
  exitCode: number;
  /** Peak of the summed RSS of the whole controller tree (MiB). */
  peakRssMiB: number;
  /** At that peak: the ssh processes' share and the rest (the tool itself, its workers). */
  peakSshMiB: number;
  peakToolMiB: number;
  /** At that peak: MiB by process name with the process count ("ssh" → {mib, count}). */
  peakByName: Record<string, { mib: number; count: number }>;
  /** Peak of the summed PSS (only with the pss option; costlier to read, so sampled less often). */
  peakPssMiB: number;
  /** Most processes seen at once, and how many of them were ssh. */
  maxProcs: number;
  maxSsh: number;
  samples: number;
}

function readInts(file: string): number[] {
  try {
    return readFileSync(file, "utf8").split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Returns the pids below root (not root itself), walking every thread's children list. */
export function descendants(root: number): number[] {
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() as number;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      for (const child of readInts(`/proc/${pid}/task/${tid}/children`)) {
        out.push(child);
        stack.push(child);
      }
    }
  }
  return out;
}

function rssBytes(pid: number): number {
  const f = readInts(`/proc/${pid}/statm`);
  return (f[1] ?? 0) * PAGE;
}

/** The process's name (comm; when the kernel cut it at 15 characters, the matching word of its command line). */
function comm(pid: number): string {
  try {
    const c = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    if (c.length < 15) return c;
    const words = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return words.map((w) => path.basename(w)).find((w) => w.startsWith(c)) ?? c;
  } catch {
    return "";
  }
}

/** Proportional set size (shared pages divided among their users), from smaps_rollup; 0 when gone. */
function pssBytes(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Pids of live processes whose command line contains one of the markers (a control path directory). */
export function processesMatching(markers: string[]): number[] {
  if (markers.length === 0) return [];
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${d}/cmdline`, "utf8").replaceAll("\0", " ");
    } catch {
      continue;
    }
    if (markers.some((m) => cmd.includes(m))) out.push(Number(d));
  }
  return out;
}

export interface MeasureOptions {
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr of the run go here. */
  logFile: string;
  /** Control path directories of the tool: its ssh masters still running from earlier runs count. */
  markers?: string[];
  /** Also sample the tree's summed PSS every this many ms (reading smaps_rollup costs CPU: not for timed runs). */
  pssEveryMs?: number;
  intervalMs?: number;
}

/** Runs argv under the reaper, sampling the controller tree's memory; resolves when it exits. */
export async function measure(argv: string[], o: MeasureOptions): Promise<Measured> {
  const resultFile = `${o.logFile}.result.json`;
  const persistent = new Set(processesMatching(o.markers ?? []));
  const fd = openSync(o.logFile, "w");
  const child = spawn(PYTHON, [path.join(ROOT, "bench", "reaper.py"), resultFile, "--", ...argv], {
    cwd: ROOT,
    env: o.env ?? process.env,
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  const root = child.pid as number;
  const names = new Map<number, string>();
  const m: Measured = {
    seconds: 0,
    exitCode: -1,
    peakRssMiB: 0,
    peakSshMiB: 0,
    peakToolMiB: 0,
    peakByName: {},
    peakPssMiB: 0,
    maxProcs: 0,
    maxSsh: 0,
    samples: 0,
  };
  let lastPss = 0;
  const sample = () => {
    const pids = new Set([...descendants(root), ...persistent]);
    let total = 0;
    let ssh = 0;
    let sshCount = 0;
    const byName: Record<string, { mib: number; count: number }> = {};
    for (const pid of pids) {
      const rss = rssBytes(pid);
      if (rss === 0) continue;
      let name = names.get(pid);
      if (name === undefined) names.set(pid, (name = comm(pid)));
      total += rss;
      const e = (byName[name || "?"] ??= { mib: 0, count: 0 });
      e.mib += rss / MIB;
      e.count++;
      if (name === "ssh") {
        ssh += rss;
        sshCount++;
      }
    }
    m.samples++;
    if (o.pssEveryMs && Date.now() - lastPss >= o.pssEveryMs) {
      lastPss = Date.now();
      let pss = 0;
      for (const pid of pids) pss += pssBytes(pid);
      m.peakPssMiB = Math.max(m.peakPssMiB, pss / MIB);
    }
    m.maxProcs = Math.max(m.maxProcs, pids.size);
    m.maxSsh = Math.max(m.maxSsh, sshCount);
    if (total / MIB > m.peakRssMiB) {
      m.peakRssMiB = total / MIB;
      m.peakSshMiB = ssh / MIB;
      m.peakToolMiB = (total - ssh) / MIB;
      m.peakByName = byName;
    }
  };
  const started = process.hrtime.bigint();
  const timer = setInterval(sample, o.intervalMs ?? 50);
  const exit = await new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  clearInterval(timer);
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  try {
    const r = JSON.parse(readFileSync(resultFile, "utf8")) as { elapsed_s: number; exit_code: number };
    m.seconds = r.elapsed_s;
    m.exitCode = r.exit_code;
  } catch {
    m.seconds = wall;
    m.exitCode = exit;
  }
  return m;
}

/** ssh options of a fresh, unshared connection to a lab host. */
export function freshSshArgs(access: LabAccess, h: BenchHost): string[] {
  return [
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    `UserKnownHostsFile=${access.knownHosts}`,
    "-o",
    "ControlMaster=no",
    "-o",
    "ControlPath=none",
    "-o",
    "ConnectTimeout=10",
    "-i",
    access.key,
    `${access.user}@${h.address}`,
  ];
}

/** The floor: wall time of `ssh HOST true` to all hosts in parallel, each over a new connection. */
export async function floor(hosts: BenchHost[], access: LabAccess): Promise<number> {
  const started = process.hrtime.bigint();
  const codes = await Promise.all(
    hosts.map(
      (h) =>
        new Promise<number>((resolve) => {
          const c = spawn("ssh", [...freshSshArgs(access, h), "true"], { stdio: "ignore" });
          c.on("error", () => resolve(255));
          c.on("exit", (code) => resolve(code ?? 255));
        }),
    ),
  );
  const s = Number(process.hrtime.bigint() - started) / 1e9;
  const bad = hosts.filter((_, i) => codes[i] !== 0).map((h) => h.name);
  if (bad.length) throw new Error(`floor: ssh true failed on ${bad.join(", ")}`);
  return s;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
