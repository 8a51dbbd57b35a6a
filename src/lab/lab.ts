import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { stringify } from "yaml";
import { LabError } from "../errors.js";
import { logger } from "../log.js";
import { writeFileAtomic } from "../util/fs.js";
import { withLock } from "../util/lock.js";
import { run, sleep, which } from "../util/proc.js";
import { ensureBase } from "./base.js";
import { hostMarker, hostPidFile, livePid, startHost, stopHost, waitForSsh } from "./hosts.js";
import { hostPlan, type LabHostPlan, type LabLayout, MAX_LAB_HOSTS } from "./layout.js";
import { ensureMirror, mirrorSourceLine } from "./mirror.js";
import { createHostNetwork, ensureBridge, removeBridge, removeHostNetwork } from "./net.js";

const log = logger("lab");

export interface LabState {
  hosts: LabHostPlan[];
}

/** The programs the lab runs, and the Debian package that provides each. */
const REQUIRED: [string, string][] = [
  ["debootstrap", "debootstrap"],
  ["systemd-nspawn", "systemd-container"],
  ["ip", "iproute2"],
  ["ssh", "openssh-client"],
  ["ssh-keygen", "openssh-client"],
  ["ssh-keyscan", "openssh-client"],
  ["dpkg-scanpackages", "dpkg-dev"],
  ["gzip", "gzip"],
  ["chroot", "coreutils"],
];

/** Throws a LabError naming what to install when the lab cannot run on this machine. */
export async function checkPrerequisites(): Promise<void> {
  if (process.platform !== "linux") throw new LabError(`bosun lab needs Linux (this is ${process.platform})`);
  if (process.getuid?.() !== 0) throw new LabError("bosun lab needs root: it creates network namespaces, a bridge and containers");
  const missing: string[] = [];
  for (const [cmd, pkg] of REQUIRED) if (!(await which(cmd))) missing.push(`${cmd} (package ${pkg})`);
  if (missing.length > 0) {
    const pkgs = [...new Set(REQUIRED.filter(([c]) => missing.some((m) => m.startsWith(`${c} `))).map(([, p]) => p))];
    throw new LabError(`bosun lab is missing ${missing.join(", ")}: run apt-get install -y ${pkgs.join(" ")}`);
  }
}

export async function readLabState(layout: LabLayout): Promise<LabState> {
  try {
    return JSON.parse(await readFile(layout.stateFile, "utf8")) as LabState;
  } catch {
    return { hosts: [] };
  }
}

export interface UpOptions {
  /** argv that starts the mirror server (the CLI's hidden `lab serve-mirror`). */
  mirrorServerArgv: string[];
  bootTimeoutMs?: number;
  /** Hosts to boot again from a clean copy of the base (true: all). */
  fresh?: string[] | true;
  /**
   * Boot hosts so that Docker/Podman containers run inside them (more capabilities, keyring and bpf
   * syscalls). Undefined keeps what the running lab has; a change reboots every host.
   */
  containers?: boolean;
}

/**
 * Brings the lab to n running hosts (starting missing ones, stopping extra ones): base, mirror,
 * bridge, mirror server, hosts; returns once every host's sshd answers, and writes the inventory and
 * known_hosts. Idempotent. Throws naming the hosts that did not come up.
 */
export async function labUp(layout: LabLayout, n: number, opts: UpOptions): Promise<LabState> {
  if (!Number.isInteger(n) || n < 1 || n > MAX_LAB_HOSTS) throw new LabError(`lab size must be 1..${MAX_LAB_HOSTS}, got ${n}`);
  await checkPrerequisites();
  await mkdir(layout.dir, { recursive: true });
  // Two `lab up`/`lab reset` at once would each rewrite known_hosts from a stale copy: one at a time.
  return withLock(path.join(layout.dir, "lab.lock"), { waitMs: 10 * 60_000, what: "bosun lab up" }, () => labUpLocked(layout, n, opts));
}

async function labUpLocked(layout: LabLayout, n: number, opts: UpOptions): Promise<LabState> {
  await ensureKey(layout);
  await ensureBase(layout);
  await ensureMirror(layout);
  await raiseInotifyLimit(n);
  await ensureBridge(layout);
  await writeFile(layout.sourcesFile, mirrorSourceLine(layout));
  await ensureMirrorServer(layout, opts.mirrorServerArgv);

  const state = await readLabState(layout);
  const containers = opts.containers ?? state.hosts.some((h) => h.containers);
  const wanted = Array.from({ length: n }, (_, i) => ({ ...hostPlan(i), ...(containers ? { containers: true } : {}) }));
  await Promise.all(
    state.hosts
      .filter((h) => !wanted.some((w) => w.name === h.name))
      .map(async (extra) => {
        log.info("stopping host beyond the requested size", { host: extra.name });
        await stopHost(layout, extra.name);
        await removeHostNetwork(extra);
      }),
  );
  const known = await readKnownHosts(layout);
  const booting: LabHostPlan[] = [];
  const started = Date.now();
  const fresh = new Set(opts.fresh === true ? wanted.map((h) => h.name) : (opts.fresh ?? []));
  const unknown = [...fresh].filter((f) => !wanted.some((w) => w.name === f));
  if (unknown.length > 0) throw new LabError(`no lab host ${unknown.join(", ")} among ${wanted.map((w) => w.name).join(", ")}`);
  const toStop: LabHostPlan[] = [];
  for (const h of wanted) {
    const running = (await livePid(hostPidFile(layout, h.name), hostMarker(h.name))) !== undefined;
    const sameFlags = Boolean(state.hosts.find((s) => s.name === h.name)?.containers) === containers;
    if (running && sameFlags && !fresh.has(h.name) && existsSync(`/run/netns/${h.netns}`) && known.has(h.address)) continue;
    if (running) toStop.push(h);
    booting.push(h);
  }
  // A restarted host is a fresh copy of the base (its overlay is volatile).
  await Promise.all(toStop.map((h) => stopHost(layout, h.name)));
  log.debug("stopped hosts to reboot", { hosts: toStop.length, ms: Date.now() - started });
  for (const h of booting) {
    await createHostNetwork(layout, h);
    await startHost(layout, h);
    known.delete(h.address);
  }
  log.debug("started hosts", { hosts: booting.length, ms: Date.now() - started });
  const newState: LabState = { hosts: wanted };
  await writeFileAtomic(layout.stateFile, `${JSON.stringify(newState, null, 2)}\n`);
  // 2 cores boot ~2 hosts a second when idle: 200 new hosts need more than the 90 s that suit a few.
  const deadline = Date.now() + (opts.bootTimeoutMs ?? Math.max(90_000, booting.length * 1500));
  const results = await Promise.all(booting.map(async (h) => ({ h, keys: await waitForSsh(h.address, deadline) })));
  const failed = results.filter((r) => !r.keys).map((r) => r.h.name);
  for (const r of results) if (r.keys) known.set(r.h.address, r.keys);
  await writeKnownHosts(layout, wanted, known);
  await writeInventory(layout, wanted);
  if (failed.length > 0) {
    throw new LabError(`lab hosts did not answer on SSH in time: ${failed.join(", ")} (boot logs in ${layout.hostsDir}/<host>.log)`);
  }
  if (booting.length > 0) log.info("lab hosts up", { booted: booting.length, seconds: ((Date.now() - started) / 1000).toFixed(1) });
  return newState;
}

/** Stops every host, removes their netns and veths, the mirror server (by PID) and the bridge. Safe to re-run. */
export async function labDown(layout: LabLayout): Promise<void> {
  const state = await readLabState(layout);
  const names = new Set(state.hosts.map((h) => h.name));
  if (existsSync(layout.hostsDir)) {
    for (const f of await readdir(layout.hostsDir)) {
      if (f.endsWith(".pid")) names.add(f.slice(0, -4));
    }
  }
  await Promise.all(
    [...names].map(async (name) => {
      await stopHost(layout, name);
      const plan = state.hosts.find((h) => h.name === name) ?? { netns: `bosun-${name}`, veth: `vb-${name}` };
      await removeHostNetwork(plan);
    }),
  );
  const mirrorPid = await livePid(layout.mirrorPidFile, "serve-mirror");
  if (mirrorPid) {
    process.kill(mirrorPid, "SIGTERM");
    for (let i = 0; i < 50 && (await livePid(layout.mirrorPidFile, "serve-mirror")); i++) await sleep(100);
  }
  await rm(layout.mirrorPidFile, { force: true });
  await removeBridge(layout);
  for (const f of [layout.stateFile, layout.inventoryFile, layout.knownHostsFile]) await rm(f, { force: true });
}

export interface HostStatus extends LabHostPlan {
  pid?: number;
  ssh: boolean;
}

/** Returns each lab host with its PID (if running) and whether port 22 accepts connections. */
export async function labStatus(layout: LabLayout): Promise<HostStatus[]> {
  const state = await readLabState(layout);
  return Promise.all(
    state.hosts.map(async (h) => ({
      ...h,
      pid: await livePid(hostPidFile(layout, h.name), hostMarker(h.name)),
      ssh: await tcpOpen(h.address, 22, 1000),
    })),
  );
}

function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port, timeout: timeoutMs });
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("timeout", () => {
      sock.destroy();
      resolve(false);
    });
    sock.once("error", () => resolve(false));
  });
}

async function ensureKey(layout: LabLayout): Promise<void> {
  if (existsSync(layout.keyFile) && existsSync(`${layout.keyFile}.pub`)) return;
  await rm(layout.keyFile, { force: true });
  await rm(`${layout.keyFile}.pub`, { force: true });
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "bosun-lab", "-f", layout.keyFile]);
  await chmod(layout.keyFile, 0o600);
}

/** Raises fs.inotify.max_user_instances when many hosts boot: each systemd takes several. */
async function raiseInotifyLimit(n: number): Promise<void> {
  const file = "/proc/sys/fs/inotify/max_user_instances";
  const current = Number((await readFile(file, "utf8")).trim());
  const needed = Math.max(8192, n * 32);
  if (n > 10 && current < needed) {
    await writeFile(file, `${needed}\n`);
    log.warn("raised fs.inotify.max_user_instances for the lab hosts' systemd", { from: current, to: needed });
  }
}

async function ensureMirrorServer(layout: LabLayout, argv: string[]): Promise<void> {
  if (await livePid(layout.mirrorPidFile, "serve-mirror")) return;
  const logFd = openSync(path.join(layout.dir, "mirror.log"), "a");
  const [cmd, ...args] = argv;
  const child = spawn(cmd as string, args, { detached: true, stdio: ["ignore", logFd, logFd] });
  closeSync(logFd);
  child.unref();
  await writeFile(layout.mirrorPidFile, `${child.pid}\n`);
  for (let i = 0; i < 100; i++) {
    if (await tcpOpen(layout.bridgeAddress, layout.mirrorPort, 500)) return;
    await sleep(100);
  }
  throw new LabError(`the lab mirror server did not start on ${layout.bridgeAddress}:${layout.mirrorPort} (see ${layout.dir}/mirror.log)`);
}

async function readKnownHosts(layout: LabLayout): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  if (!existsSync(layout.knownHostsFile)) return map;
  for (const line of (await readFile(layout.knownHostsFile, "utf8")).split("\n")) {
    const addr = line.split(" ")[0];
    if (!addr || line.startsWith("#")) continue;
    map.set(addr, `${map.get(addr) ?? ""}${line}\n`);
  }
  return map;
}

async function writeKnownHosts(layout: LabLayout, hosts: LabHostPlan[], known: Map<string, string>): Promise<void> {
  const text = hosts.map((h) => known.get(h.address) ?? "").join("");
  await writeFileAtomic(layout.knownHostsFile, text, 0o644);
}

/** Returns the lab inventory as YAML (Ansible's YAML inventory layout, bosun_* connection vars). */
export function labInventoryYaml(layout: LabLayout, hosts: LabHostPlan[]): string {
  const group = (g: string) => Object.fromEntries(hosts.filter((h) => h.group === g).map((h) => [h.name, { bosun_host: h.address }]));
  const doc = {
    all: {
      vars: {
        environment: "lab",
        bosun_user: "root",
        bosun_ssh_key: layout.keyFile,
        bosun_known_hosts: layout.knownHostsFile,
      },
      children: { web: { hosts: group("web") }, db: { hosts: group("db") } },
    },
  };
  return `# Written by \`bosun lab up\`: the running lab's hosts. Use it with -i lab.\n${stringify(doc)}`;
}

async function writeInventory(layout: LabLayout, hosts: LabHostPlan[]): Promise<void> {
  await writeFileAtomic(layout.inventoryFile, labInventoryYaml(layout, hosts));
}
