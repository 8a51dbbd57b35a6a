/**
 * Fails (exit 1) when a file in src/ imports a layer above its own: the layering in
 * docs/architecture.md, checked on every relative import (type-only and dynamic ones included).
 * Run by `npm run lint`.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

const SRC = path.resolve(import.meta.dirname, "..", "src");

/** Rank of each top-level folder (or root file) of src/: imports may only point to a lower or equal rank. */
export const RANKS: Record<string, number> = {
  cli: 7,
  server: 6,
  pipeline: 6,
  index: 6,
  roles: 6,
  engine: 5,
  ops: 4,
  facts: 4,
  store: 3,
  core: 2,
  transport: 1,
  inventory: 1,
  vault: 1,
  config: 1,
  lab: 1,
  log: 1,
  util: 0,
  errors: 0,
};

/** Imports between equal ranks that still point upward. */
const FORBIDDEN: [string, string][] = [["facts", "ops"]];

/** Returns the layer of a path under src/ (its top folder, or the file name for root files). */
export function layerOf(rel: string): string {
  const [top = "", ...rest] = rel.split(/[\\/]/);
  return rest.length ? top : top.replace(/\.[jt]s$/, "");
}

/** Returns why an import from layer `from` to layer `to` breaks the layering, or undefined when it does not. */
export function violation(from: string, to: string): string | undefined {
  if (from === to) return undefined;
  // Roles are written like a user's: against the public API only.
  if (from === "roles") return to === "index" ? undefined : "roles import only the public API (src/index.ts)";
  const a = RANKS[from];
  const b = RANKS[to];
  if (a === undefined) return `layer "${from}" has no rank in scripts/check-layers.ts`;
  if (b === undefined) return `layer "${to}" has no rank in scripts/check-layers.ts`;
  if (b > a) return `${from} (rank ${a}) imports ${to} (rank ${b}), a higher layer`;
  if (FORBIDDEN.some(([f, t]) => f === from && t === to)) return `${from} must not import ${to}`;
  return undefined;
}

function* tsFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(p);
    else if (e.name.endsWith(".ts")) yield p;
  }
}

/** Returns every upward import under src/, as "file:line: message". */
export function checkLayers(src = SRC): string[] {
  const out: string[] = [];
  for (const file of tsFiles(src)) {
    const text = readFileSync(file, "utf8");
    const from = layerOf(path.relative(src, file));
    for (const imp of ts.preProcessFile(text, true, true).importedFiles) {
      if (!imp.fileName.startsWith(".")) continue;
      const target = path.relative(src, path.resolve(path.dirname(file), imp.fileName));
      if (target.startsWith("..")) continue;
      const why = violation(from, layerOf(target));
      if (why) {
        const line = text.slice(0, imp.pos).split("\n").length;
        out.push(`${path.relative(process.cwd(), file)}:${line}: imports "${imp.fileName}": ${why}`);
      }
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = checkLayers();
  for (const p of problems) process.stderr.write(`${p}\n`);
  if (problems.length) {
    process.stderr.write(`layering: ${problems.length} import${problems.length === 1 ? "" : "s"} point up the layers (docs/architecture.md)\n`);
    process.exit(1);
  }
  process.stdout.write("layering: every import in src/ points down the layers\n");
}
