/**
 * Packs what the bosunServer role ships to a host (docs/roles/bosun-server.md):
 *   bosun.tar.gz         a built bosun: bin/, dist/src, package.json and the production dependencies
 *                        (from package-lock.json), plus @types/node for the server's site type-check;
 *                        minus what a server never runs (biome, better-sqlite3's sources and build objects)
 *   node-runtime.tar.gz  this machine's node as bin/node (stripped when `strip` is there): Debian 12
 *                        hosts have Node 18, bosun needs 20+. Same architecture and libc as the hosts.
 * Usage: node --import tsx scripts/pack-server.ts OUTDIR   (after `npm run build`)
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

/** Dev dependencies the server still needs: Node's types, for the type-check of the sites it runs. */
const TYPES = ["node_modules/@types/node", "node_modules/undici-types"];
/** Production dependencies a server never loads: biome formats `bosun import ansible` output only. */
const UNUSED = /^node_modules\/@biomejs\//;
/** Inside packages: sources and build leftovers (better-sqlite3 needs only lib/ and its .node file). */
const EXCLUDES = [
  "node_modules/better-sqlite3/deps",
  "node_modules/better-sqlite3/src",
  "node_modules/better-sqlite3/build/Release/obj*",
  "node_modules/better-sqlite3/build/Release/*.a",
  "node_modules/better-sqlite3/build/Release/test_extension.node",
  "node_modules/better-sqlite3/build/deps",
  "node_modules/typescript/lib/??",
  "node_modules/typescript/lib/??-??",
  "*.map",
];

/** Returns the node_modules paths of the production dependencies that are installed here. */
export function productionPackages(root = ROOT): string[] {
  const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const prod = Object.entries(lock.packages)
    .filter(([p, v]) => p.startsWith("node_modules/") && !v.dev && !UNUSED.test(p))
    .map(([p]) => p);
  // Nested packages come with their parent's directory; optional ones for other platforms are absent.
  const top = prod.filter((p) => !prod.some((q) => q !== p && p.startsWith(`${q}/`)));
  return [...top, ...TYPES].filter((p) => existsSync(path.join(root, p)));
}

/** Writes out (a .tar.gz) of the built bosun the role unpacks into installDir; returns its size in bytes. */
export function packBosun(out: string, root = ROOT): number {
  if (!existsSync(path.join(root, "dist", "src", "cli", "main.js"))) throw new Error(`${root}: not built yet (npm run build)`);
  // The dashboard's static files are read from src/server/dashboard (tsc does not copy them to dist/).
  const paths = ["bin", "dist/src", "src/server/dashboard", "package.json", ...productionPackages(root)];
  execFileSync("tar", ["-czf", out, "-C", root, ...EXCLUDES.map((e) => `--exclude=${e}`), "--owner=0", "--group=0", ...paths]);
  return readFileSync(out).length;
}

/** Writes out (a .tar.gz holding bin/node) from the node running this; returns its size in bytes. */
export function packNodeRuntime(out: string, node = process.execPath): number {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-node-runtime-"));
  try {
    mkdirSync(path.join(dir, "bin"));
    copyFileSync(node, path.join(dir, "bin", "node"));
    try {
      // Distribution builds keep debug symbols: stripping saves ~12 MiB on the wire and on the host.
      execFileSync("strip", [path.join(dir, "bin", "node")], { stdio: "ignore" });
    } catch {
      // No binutils: ship it as it is.
    }
    execFileSync("tar", ["-czf", out, "-C", dir, "--owner=0", "--group=0", "bin/node"]);
    return readFileSync(out).length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const dir = path.resolve(process.argv[2] ?? ".");
  mkdirSync(dir, { recursive: true });
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  const b = packBosun(path.join(dir, "bosun.tar.gz"));
  const n = packNodeRuntime(path.join(dir, "node-runtime.tar.gz"));
  process.stdout.write(`${dir}/bosun.tar.gz ${mib(b)}\n${dir}/node-runtime.tar.gz ${mib(n)}\n`);
}
