import { pathToFileURL } from "node:url";
import type { LocatedError, SourceLocation } from "../errors.js";

let registered: Promise<void> | undefined;

/**
 * Registers tsx's loader once, globally (not tsImport's private namespace): the user's files and
 * the CLI must share one instance of bosun's modules, or operations declared in a role would
 * not reach the engine's collector.
 */
function registerTsx(): Promise<void> {
  registered ??= import("tsx/esm/api").then(({ register }) => {
    register();
  });
  return registered;
}

/**
 * Imports a user's TypeScript/JavaScript module without a compile step (tsx), turning syntax and
 * load errors into the caller's error type with the file (and line, when the compiler gives one).
 */
export async function importUserModule(file: string, error: (loc: SourceLocation, message: string) => LocatedError): Promise<unknown> {
  try {
    if (!/\.m?js$/.test(file)) await registerTsx();
    return await import(pathToFileURL(file).href);
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    const m = /:(\d+):(\d+): ERROR: (.*)/.exec(msg);
    if (m) throw error({ file, line: Number(m[1]), column: Number(m[2]) + 1 }, m[3] as string);
    const frame = /\((?:file:\/\/)?(\/[^():]+):(\d+):\d+\)/.exec((err as Error).stack ?? "");
    const loc = frame && frame[1] === file ? { file, line: Number(frame[2]) } : { file };
    throw error(loc, `cannot load module: ${msg.split("\n")[0]}`);
  }
}
