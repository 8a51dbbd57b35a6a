import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { logger } from "../log.js";
import { pidAlive, run, sleep } from "../util/proc.js";
import type { LabHostPlan, LabLayout } from "./layout.js";

const log = logger("lab");

/** Returns the PID in file if that process is alive and its command line contains mustContain. */
export async function livePid(file: string, mustContain: string): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number((await readFile(file, "utf8")).trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) return undefined;
  // Guard against a recycled PID: only a process we started has our marker in its command line.
  try {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").join(" ");
    return cmdline.includes(mustContain) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The part of a host's nspawn command line that identifies it (trailing space: web1 is not web10). */
export function hostMarker(name: string): string {
  return `-M ${name} `;
}

export function hostPidFile(layout: LabLayout, name: string): string {
  return path.join(layout.hostsDir, `${name}.pid`);
}

/** Where a host's disk-backed overlay of the base lives: its writes (upper), overlayfs' work dir, the mount. */
export function hostOverlay(layout: LabLayout, name: string): { upper: string; work: string; root: string } {
  const dir = path.join(layout.hostsDir, name);
  return { upper: path.join(dir, "upper"), work: path.join(dir, "work"), root: path.join(dir, "root") };
}

/** Returns true when dir is a mount point (from /proc/self/mountinfo; lab paths hold no escaped characters). */
export async function isMountPoint(dir: string): Promise<boolean> {
  const info = await readFile("/proc/self/mountinfo", "utf8");
  return info.split("\n").some((line) => line.split(" ")[4] === dir);
}

/**
 * Mounts a fresh overlay of the base for a host. Its writes go to disk, not RAM: with nspawn's
 * --volatile=overlay (a tmpfs) a host converged by the example site held ~55 MiB of RAM more than its
 * processes, which kept 200 converged hosts from fitting on the lab machine (docs/lab.md).
 */
async function mountFreshOverlay(layout: LabLayout, name: string): Promise<string | undefined> {
  const o = hostOverlay(layout, name);
  await unmountOverlay(layout, name);
  await rm(o.upper, { recursive: true, force: true });
  await rm(o.work, { recursive: true, force: true });
  for (const d of [o.upper, o.work, o.root]) await mkdir(d, { recursive: true });
  const opts = `lowerdir=${layout.baseDir},upperdir=${o.upper},workdir=${o.work}`;
  const res = await run("mount", ["-t", "overlay", `bosun-lab-${name}`, "-o", opts, o.root], { check: false });
  if (res.code === 0) return o.root;
  // E.g. the lab directory itself on an overlayfs (a container), which cannot be an upper layer.
  log.warn("disk overlay refused, booting on a RAM overlay", { host: name, error: res.stderr.trim() });
  return undefined;
}

/** Unmounts a stopped host's overlay (left mounted by a crash, or after its stop) and frees its disk. */
async function unmountOverlay(layout: LabLayout, name: string, discard = false): Promise<void> {
  const o = hostOverlay(layout, name);
  if (await isMountPoint(o.root)) {
    const res = await run("umount", [o.root], { check: false });
    // Still busy a moment after nspawn exits: detach it, the kernel frees it when the last user goes.
    if (res.code !== 0) await run("umount", ["-l", o.root]);
  }
  if (discard && !(await isMountPoint(o.root))) {
    await rm(o.upper, { recursive: true, force: true });
    await rm(o.work, { recursive: true, force: true });
  }
}

/** Boots a lab host: systemd in an nspawn container on a fresh overlay of the base, in its own netns. */
export async function startHost(layout: LabLayout, h: LabHostPlan): Promise<number> {
  await mkdir(layout.hostsDir, { recursive: true });
  const root = await mountFreshOverlay(layout, h.name);
  const logFd = openSync(path.join(layout.hostsDir, `${h.name}.log`), "w");
  const child = spawn(
    "systemd-nspawn",
    [
      "-D",
      root ?? layout.baseDir,
      "-M",
      h.name,
      ...(root ? [] : ["--volatile=overlay"]),
      "--boot",
      "--register=no",
      "--keep-unit",
      "--console=read-only",
      // Keep the base's own resolv.conf (fails fast) and timezone: nspawn would copy the machine's.
      "--resolv-conf=off",
      "--timezone=off",
      `--network-namespace-path=/run/netns/${h.netns}`,
      `--bind-ro=${layout.sourcesFile}:/etc/apt/sources.list.d/bosun-lab.list`,
      // Containers inside a host need every capability and the keyring/bpf syscalls (shared/LAB-NOTES.md).
      ...(h.containers ? ["--capability=all", "--system-call-filter=@keyring bpf"] : []),
    ],
    // /proc/sys/net writable: each host has its own network namespace, so its sysctls touch only itself.
    { detached: true, stdio: ["ignore", logFd, logFd], env: { ...process.env, SYSTEMD_NSPAWN_API_VFS_WRITABLE: "network" } },
  );
  closeSync(logFd);
  child.unref();
  if (!child.pid) throw new Error(`${h.name}: systemd-nspawn did not start`);
  await writeFile(hostPidFile(layout, h.name), `${child.pid}\n`);
  return child.pid;
}

/** Stops a host by its PID (SIGTERM = clean shutdown of its systemd), SIGKILL after timeoutMs. */
export async function stopHost(layout: LabLayout, name: string, timeoutMs = 15_000): Promise<void> {
  const file = hostPidFile(layout, name);
  const pid = await livePid(file, hostMarker(name));
  if (pid) {
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + timeoutMs;
    while (pidAlive(pid) && Date.now() < deadline) await sleep(100);
    if (pidAlive(pid)) process.kill(pid, "SIGKILL");
    while (pidAlive(pid)) await sleep(50);
  }
  await unmountOverlay(layout, name, true);
  await rm(file, { force: true });
}

/** The host key types every lab host has (`ssh-keygen -A` at boot). */
const KEY_TYPES = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"];

/**
 * Returns the host's SSH public keys (known_hosts lines) once sshd answers with every key type, or
 * undefined at the deadline. A loaded machine can time out a keyscan after one type: known_hosts with
 * the RSA key alone would make ssh refuse the host ("No ED25519 host key is known").
 */
export async function waitForSsh(address: string, deadline: number): Promise<string | undefined> {
  let partial: string[] = [];
  while (Date.now() < deadline) {
    const res = await run("ssh-keyscan", ["-T", "3", address], { check: false });
    const lines = res.stdout.split("\n").filter((l) => l.startsWith(`${address} `));
    if (KEY_TYPES.every((t) => lines.some((l) => l.split(" ")[1] === t))) return `${lines.sort().join("\n")}\n`;
    if (lines.length > partial.length) partial = lines;
    await sleep(150);
  }
  return partial.length > 0 ? `${partial.sort().join("\n")}\n` : undefined;
}
