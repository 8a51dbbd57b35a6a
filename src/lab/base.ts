import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, symlink, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { LabError } from "../errors.js";
import { logger } from "../log.js";
import { run } from "../util/proc.js";
import type { LabLayout } from "./layout.js";
import { BASE_PACKAGES, MASKED_UNITS } from "./packages.js";

const log = logger("lab");
/** Bumped when the base's customisation changes, so cached bases are rebuilt. */
const BASE_VERSION = "bosun-base-2";
const STAMP = ".bosun-base";

/** Returns the Debian mirror URI this machine's apt uses for bookworm (deb822 or one-line sources). */
export async function machineDebianMirror(): Promise<string> {
  const files: string[] = [];
  if (existsSync("/etc/apt/sources.list")) files.push("/etc/apt/sources.list");
  const dir = "/etc/apt/sources.list.d";
  if (existsSync(dir)) for (const f of await readdir(dir)) if (/\.(list|sources)$/.test(f)) files.push(path.join(dir, f));
  for (const f of files) {
    const uri = debianMirrorFrom(await readFile(f, "utf8"));
    if (uri) return uri;
  }
  throw new LabError(`no Debian bookworm source found in ${files.join(", ") || "/etc/apt"}: the lab needs one to build its base`);
}

/** Returns the URI of the first `bookworm` (main suite) entry in sources text, either format. */
export function debianMirrorFrom(text: string): string | undefined {
  for (const line of text.split("\n")) {
    const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/.exec(line);
    if (m) return m[1];
  }
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (k: string) => new RegExp(`^${k}:\\s*(.+)$`, "mi").exec(stanza)?.[1]?.trim();
    if (!(field("Types") ?? "").split(/\s+/).includes("deb")) continue;
    if (/^no$/i.test(field("Enabled") ?? "")) continue;
    if (!(field("Suites") ?? "").split(/\s+/).includes("bookworm")) continue;
    const uri = field("URIs")?.split(/\s+/)[0];
    if (uri) return uri;
  }
  return undefined;
}

/** Returns true when the cached base rootfs is complete and current. */
export function baseReady(layout: LabLayout): boolean {
  const stamp = path.join(layout.baseDir, STAMP);
  return existsSync(stamp) && readFileSync(stamp, "utf8") === baseStamp(layout);
}

/** The base's identity: its customisation version and the lab key baked into it. */
function baseStamp(layout: LabLayout): string {
  return `${BASE_VERSION}\n${readFileSync(`${layout.keyFile}.pub`, "utf8")}`;
}

/**
 * Builds the base rootfs once with debootstrap (into a .partial dir, renamed when complete)
 * and customises it: no hostname or SSH host keys (each host makes its own at boot),
 * the lab key for root, a resolver that fails fast, no Debian sources, noisy timers masked.
 */
export async function ensureBase(layout: LabLayout): Promise<void> {
  if (baseReady(layout)) return;
  const partial = `${layout.baseDir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await rm(layout.baseDir, { recursive: true, force: true });
  await mkdir(path.dirname(partial), { recursive: true });
  const mirror = await machineDebianMirror();
  log.info("building lab base rootfs with debootstrap (once; about a minute)", { dir: layout.baseDir });
  await run("debootstrap", ["--variant=minbase", `--include=${BASE_PACKAGES.join(",")}`, "bookworm", partial, mirror], {
    timeoutMs: 20 * 60_000,
  });
  await customise(partial, layout);
  await writeFile(path.join(partial, STAMP), baseStamp(layout));
  await rename(partial, layout.baseDir);
  log.info("lab base rootfs ready", { dir: layout.baseDir });
}

async function customise(root: string, layout: LabLayout): Promise<void> {
  const p = (...parts: string[]) => path.join(root, ...parts);
  await rm(p("etc/hostname"), { force: true });
  for (const f of await readdir(p("etc/ssh"))) if (f.startsWith("ssh_host_")) await unlink(p("etc/ssh", f));
  await mkdir(p("etc/systemd/system/ssh.service.d"), { recursive: true });
  await writeFile(
    p("etc/systemd/system/ssh.service.d/bosun-host-keys.conf"),
    "# Each lab host makes its own SSH host keys at boot.\n[Service]\nExecStartPre=\nExecStartPre=/usr/bin/ssh-keygen -A\nExecStartPre=/usr/sbin/sshd -t\n",
  );
  await rm(p("etc/resolv.conf"), { force: true });
  await writeFile(p("etc/resolv.conf"), "# Lab hosts reach nothing but the bridge: fail name lookups at once.\nnameserver 127.0.0.1\n");
  await rm(p("etc/apt/sources.list"), { force: true });
  await mkdir(p("root/.ssh"), { recursive: true, mode: 0o700 });
  await writeFile(p("root/.ssh/authorized_keys"), await readFile(`${layout.keyFile}.pub`), { mode: 0o600 });
  await writeFile(
    p("etc/sudoers.d/bosun-lab"),
    "# The lab's unprivileged user escalates with a password, like production.\nbosun ALL=(ALL:ALL) ALL\n",
    {
      mode: 0o440,
    },
  );
  for (const unit of MASKED_UNITS) {
    await rm(p("etc/systemd/system", unit), { force: true });
    await symlink("/dev/null", p("etc/systemd/system", unit));
  }
  // An unprivileged login user for become tests: key login, sudo with password "bosun".
  await run("chroot", [
    root,
    "sh",
    "-c",
    "useradd -m -s /bin/bash bosun && echo bosun:bosun | chpasswd && install -d -m 700 -o bosun -g bosun /home/bosun/.ssh",
  ]);
  await writeFile(p("home/bosun/.ssh/authorized_keys"), await readFile(`${layout.keyFile}.pub`), { mode: 0o600 });
  await run("chroot", [root, "chown", "bosun:bosun", "/home/bosun/.ssh/authorized_keys"]);
  await run("chroot", [root, "apt-get", "clean"]);
}
