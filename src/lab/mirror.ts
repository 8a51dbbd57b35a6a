import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { logger } from "../log.js";
import { run } from "../util/proc.js";
import type { LabLayout } from "./layout.js";
import { MIRROR_PACKAGES } from "./packages.js";

const log = logger("lab");
const STAMP = ".bosun-mirror";

/** Returns the stamp that identifies a mirror built for this package list. */
export function mirrorStamp(packages: readonly string[] = MIRROR_PACKAGES): string {
  return createHash("sha256")
    .update([...packages].sort().join("\n"))
    .digest("hex")
    .slice(0, 16);
}

export function mirrorReady(layout: LabLayout): boolean {
  const f = path.join(layout.mirrorDir, STAMP);
  return existsSync(f) && readFileSync(f, "utf8").trim() === mirrorStamp();
}

/**
 * Builds the local apt mirror once: inside a throwaway overlay of the base (nspawn --volatile=overlay,
 * using this machine's network and Debian sources for that step only), `apt-get install -d` collects
 * the real .debs with their dependencies; dpkg-scanpackages indexes them.
 */
export async function ensureMirror(layout: LabLayout): Promise<void> {
  if (mirrorReady(layout)) return;
  const partial = `${layout.mirrorDir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  log.info("downloading packages for the lab mirror (once)", { packages: MIRROR_PACKAGES.length, dir: layout.mirrorDir });
  const sources = ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"].filter(existsSync);
  const binds = sources.map((s) => `--bind-ro=${s}:${s}`);
  const script = [
    "set -e",
    "rm -f /etc/apt/sources.list.d/bosun-lab.list",
    "apt-get update -qq",
    `DEBIAN_FRONTEND=noninteractive apt-get install -d -y -qq ${MIRROR_PACKAGES.join(" ")} >/dev/null`,
  ].join("\n");
  await run(
    "systemd-nspawn",
    [
      "-q",
      "-D",
      layout.baseDir,
      "--volatile=overlay",
      "--register=no",
      "--keep-unit",
      "--console=pipe",
      `--bind=${partial}:/var/cache/apt/archives`,
      "--bind-ro=/etc/resolv.conf:/etc/resolv.conf",
      ...binds,
      "sh",
      "-c",
      script,
    ],
    { timeoutMs: 30 * 60_000 },
  );
  for (const f of await readdir(partial)) if (!f.endsWith(".deb")) await rm(path.join(partial, f), { recursive: true, force: true });
  const index = await run("dpkg-scanpackages", ["--multiversion", ".", "/dev/null"], { cwd: partial });
  await writeFile(path.join(partial, "Packages"), index.stdout);
  await run("gzip", ["-k9", "Packages"], { cwd: partial });
  await writeFile(path.join(partial, STAMP), `${mirrorStamp()}\n`);
  await rm(layout.mirrorDir, { recursive: true, force: true });
  await rename(partial, layout.mirrorDir);
  const debs = (await readdir(layout.mirrorDir)).filter((f) => f.endsWith(".deb")).length;
  log.info("lab mirror ready", { debs, dir: layout.mirrorDir });
}

/** Returns the apt source line lab hosts use: the mirror on the bridge, their only source. */
export function mirrorSourceLine(layout: LabLayout): string {
  return `deb [trusted=yes] http://${layout.bridgeAddress}:${layout.mirrorPort} ./\n`;
}

/**
 * Serves dir read-only over plain HTTP on host:port (the lab's package mirror).
 * Resolves with the server once it listens.
 */
export function serveDirectory(dir: string, host: string, port: number): Promise<http.Server> {
  const root = path.resolve(dir);
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://mirror");
    const file = path.resolve(root, `.${decodeURIComponent(url.pathname)}`);
    if (!file.startsWith(`${root}${path.sep}`) || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404).end();
      return;
    }
    try {
      const st = await stat(file);
      if (!st.isFile()) throw new Error("not a file");
      res.writeHead(200, { "content-length": st.size, "last-modified": st.mtime.toUTCString() });
      if (req.method === "HEAD") res.end();
      else createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
