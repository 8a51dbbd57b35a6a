import { existsSync, statSync } from "node:fs";
import { register } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { LocatedError, SourceLocation } from "../errors.js";

/** This running Bosun's root: dist/src/util → three up (built), src/util → two up (run from source by tsx). */
const HERE = path.dirname(fileURLToPath(import.meta.url));
const FROM_SOURCE = import.meta.url.endsWith(".ts");
export const BOSUN_ROOT = path.resolve(HERE, FROM_SOURCE ? "../.." : "../../..");
const EXT = FROM_SOURCE ? ".ts" : ".js";

/**
 * What `import … from "bosun"` (and its subpaths) means in a user's site or inventory: this very copy
 * of Bosun, wherever the file lives. Its engine collects what the site declares; a second copy in the
 * site's node_modules would collect into an engine nobody runs.
 */
export const BOSUN_ENTRIES: Record<string, string> = {
  bosun: path.join(BOSUN_ROOT, FROM_SOURCE ? "src" : "dist/src", `index${EXT}`),
  "bosun/roles": path.join(BOSUN_ROOT, FROM_SOURCE ? "src" : "dist/src", "roles", `index${EXT}`),
};

/** Returns the declaration (or source) file the type-checker should read for each "bosun" specifier. */
export function bosunTypeEntries(): Record<string, string> {
  return Object.fromEntries(Object.entries(BOSUN_ENTRIES).map(([k, f]) => [k, FROM_SOURCE ? f : f.replace(/\.js$/, ".d.ts")]));
}

// Runs in the loader thread: it maps "bosun" specifiers to this copy's files, and reads user .ts files as
// ES modules (a site's directory needs no package.json with "type": "module").
const HOOKS = `
let entries = {};
export function initialize(data) { entries = data.entries; }
export async function resolve(specifier, context, next) {
  const hit = entries[specifier];
  // Resolved on down the chain (tsx included), so the file is loaded as its own kind (.ts through tsx).
  if (hit) return next(hit, context);
  return next(specifier, context);
}
export async function load(url, context, next) {
  const r = await next(url, context);
  if (r.format === "commonjs" && /\\.m?tsx?$/.test(url) && !url.includes("/node_modules/")) {
    return next(url, { ...context, format: "module" });
  }
  return r;
}
`;

let registered: Promise<void> | undefined;

/**
 * Registers tsx's loader once, globally (not tsImport's private namespace), then Bosun's own resolution:
 * the user's files and the CLI must share one instance of bosun's modules, or operations declared in a
 * role would not reach the engine's collector. Hooks registered last run first.
 */
function registerLoaders(): Promise<void> {
  registered ??= import("tsx/esm/api").then(({ register: registerTsx }) => {
    registerTsx();
    const entries = Object.fromEntries(Object.entries(BOSUN_ENTRIES).map(([k, f]) => [k, pathToFileURL(f).href]));
    register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { entries } });
  });
  return registered;
}

/** Default bound on loading a user's module: an endless loop at import time must not hang a deploy. */
export const DEFAULT_LOAD_TIMEOUT_S = 60;

export function loadTimeoutS(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.BOSUN_LOAD_TIMEOUT);
  return env.BOSUN_LOAD_TIMEOUT && Number.isFinite(n) && n > 0 ? n : DEFAULT_LOAD_TIMEOUT_S;
}

/**
 * Starts a watchdog that ends the process with a message when loading file takes longer than seconds.
 * A worker thread, because a module stuck in a loop at import blocks this thread's timers for good.
 * Returns the function that stops it.
 */
function watchdog(file: string, seconds: number): () => void {
  const message = `bosun: ${file}: still loading after ${seconds}s: an endless loop or a blocking call at import time? (BOSUN_LOAD_TIMEOUT sets the limit)\n`;
  const code = `
const { workerData, parentPort } = require("node:worker_threads");
const fs = require("node:fs");
const t = setTimeout(() => { fs.writeSync(2, workerData.message); process.kill(process.pid, "SIGKILL"); }, workerData.ms);
parentPort.on("message", () => { clearTimeout(t); process.exit(0); });`;
  const w = new Worker(code, { eval: true, workerData: { message, ms: seconds * 1000 } });
  w.unref();
  return () => w.postMessage("done");
}

/**
 * Imports a user's TypeScript/JavaScript module without a compile step (tsx), turning syntax and
 * load errors into the caller's error type with the file (and line, when the compiler gives one).
 */
export async function importUserModule(file: string, error: (loc: SourceLocation, message: string) => LocatedError): Promise<unknown> {
  if (!existsSync(file)) throw error({ file }, "file not found");
  if (!statSync(file).isFile()) throw error({ file }, "not a regular file (a directory?)");
  const stop = watchdog(file, loadTimeoutS());
  try {
    if (!/\.m?js$/.test(file)) {
      // Bosun's own modules first, before the hooks exist: loaded after, each would take round trips to
      // the loader thread (measured: ~0.3 s of CPU for a site that imports "bosun"). The site's import of
      // "bosun" then resolves to these very modules, already loaded.
      await import(pathToFileURL(BOSUN_ENTRIES.bosun as string).href);
      await registerLoaders();
    }
    return await import(pathToFileURL(file).href);
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    const m = /:(\d+):(\d+): ERROR: (.*)/.exec(msg);
    if (m) throw error({ file, line: Number(m[1]), column: Number(m[2]) + 1 }, m[3] as string);
    const frame = /\((?:file:\/\/)?(\/[^():]+):(\d+):\d+\)/.exec((err as Error).stack ?? "");
    const loc = frame && frame[1] === file ? { file, line: Number(frame[2]) } : { file };
    throw error(loc, `cannot load module: ${msg.split("\n")[0]}`);
  } finally {
    stop();
  }
}
