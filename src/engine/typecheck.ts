import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SiteError } from "../errors.js";
import { writeFileAtomic } from "../util/fs.js";

/** Bosun's own sources (a site inside this checkout resolves "bosun" to them): checked by Bosun's build, not per site. */
const BOSUN_SRC = `${path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "src")}/`;

interface CacheEntry {
  tsVersion: string;
  files: Record<string, string>;
}

const hash = (file: string) => {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return "missing";
  }
};

/**
 * Type-checks a site file and the user files it imports with the TypeScript compiler (the site's
 * tsconfig.json when there is one, else strict defaults). Throws a SiteError listing errors as
 * file:line:col before any host is touched. A site whose files are unchanged since their last clean
 * check (hashes kept in cacheFile) is not checked again, so repeated runs pay nothing.
 */
export async function typecheckSite(site: string, cacheFile: string): Promise<void> {
  const abs = path.resolve(site);
  const cache = await readFile(cacheFile, "utf8")
    .then((t) => JSON.parse(t) as Record<string, CacheEntry>)
    .catch(() => ({}) as Record<string, CacheEntry>);
  // Loading the compiler costs ~0.5 s: check the cache first (the version from its package.json).
  const tsVersion = (
    JSON.parse(readFileSync(createRequire(import.meta.url).resolve("typescript/package.json"), "utf8")) as { version: string }
  ).version;
  const entry = cache[abs];
  if (entry && entry.tsVersion === tsVersion && Object.entries(entry.files).every(([f, h]) => hash(f) === h)) return;
  const ts = (await import("typescript")).default;

  const configFile = ts.findConfigFile(path.dirname(abs), ts.sys.fileExists);
  let options: import("typescript").CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: ["node"],
  };
  if (configFile) {
    const read = ts.readConfigFile(configFile, ts.sys.readFile);
    if (!read.error) options = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configFile)).options;
  }
  const program = ts.createProgram([abs], { ...options, noEmit: true, skipLibCheck: true, incremental: false, composite: false });
  const userFiles = program
    .getSourceFiles()
    .map((f) => f.fileName)
    .filter((f) => !f.includes("/node_modules/") && !f.endsWith(".d.ts") && !f.startsWith(BOSUN_SRC));
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => !d.file || userFiles.includes(d.file.fileName));
  if (diagnostics.length > 0) {
    const lines = diagnostics.slice(0, 10).map((d) => {
      const msg = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      if (!d.file || d.start === undefined) return msg;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${d.file.fileName}:${line + 1}:${character + 1}: ${msg}`;
    });
    const more = diagnostics.length > 10 ? `\n… and ${diagnostics.length - 10} more` : "";
    const first = diagnostics[0];
    const loc =
      first?.file && first.start !== undefined
        ? { file: first.file.fileName, line: first.file.getLineAndCharacterOfPosition(first.start).line + 1 }
        : { file: abs };
    throw new SiteError(loc, `type errors (fix them, or pass --no-typecheck):\n${lines.join("\n")}${more}`);
  }
  cache[abs] = { tsVersion: ts.version, files: Object.fromEntries(userFiles.map((f) => [f, hash(f)])) };
  await writeFileAtomic(cacheFile, `${JSON.stringify(cache, null, 1)}\n`, 0o600);
}
