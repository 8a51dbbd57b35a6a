import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { type LocatedError, SiteError, type SourceLocation } from "../errors.js";
import { writeFileAtomic } from "../util/fs.js";
import { BOSUN_ROOT, bosunTypeEntries } from "../util/module.js";

/** Bosun's own files (sources or declarations): checked by Bosun's build, not per site. Sites in the checkout (examples/) are checked. */
const BOSUN_OWN = [`${BOSUN_ROOT}/src/`, `${BOSUN_ROOT}/dist/`];

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
  return typecheckModule(site, cacheFile, (loc, msg) => new SiteError(loc, msg));
}

/**
 * Type-checks any user module (a site, a TypeScript inventory) as typecheckSite does; errors are made by
 * `error` (a SiteError, an InventoryError…). "bosun" and "bosun/roles" are this running Bosun's types,
 * whatever the user's tsconfig.json or node_modules say, as they are when the module is loaded.
 */
export async function typecheckModule(
  file: string,
  cacheFile: string,
  error: (loc: SourceLocation, message: string) => LocatedError,
): Promise<void> {
  const abs = path.resolve(file);
  let isFile = false;
  try {
    isFile = statSync(abs).isFile();
  } catch {
    throw error({ file: abs }, "file not found");
  }
  if (!isFile) throw error({ file: abs }, "not a regular file (a directory?)");
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
  };
  if (configFile) {
    const read = ts.readConfigFile(configFile, ts.sys.readFile);
    if (!read.error) options = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configFile)).options;
  }
  // Node's types come with this Bosun when it has them (a user's repository usually has no node_modules).
  // They cost most of a check's time, so they are added only when the site needs them (it names
  // `process`, `Buffer` or a `node:` module and the first check could not find it).
  const nodeTypes = path.join(BOSUN_ROOT, "node_modules", "@types");
  const ownTypes = !options.types && !options.typeRoots && ts.sys.fileExists(path.join(nodeTypes, "node", "package.json"));
  const paths = { ...options.paths, ...Object.fromEntries(Object.entries(bosunTypeEntries()).map(([k, f]) => [k, [f]])) };
  const check = (extra: import("typescript").CompilerOptions) => {
    const program = ts.createProgram([abs], {
      ...options,
      ...extra,
      paths,
      noEmit: true,
      skipLibCheck: true,
      incremental: false,
      composite: false,
    });
    const userFiles = program
      .getSourceFiles()
      .map((f) => f.fileName)
      .filter((f) => !f.includes("/node_modules/") && !f.endsWith(".d.ts") && !BOSUN_OWN.some((d) => f.startsWith(d)));
    // Per user file: Bosun's own files (sources when run from a checkout) are not checked again here.
    const diagnostics = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...userFiles.flatMap((f) => ts.getPreEmitDiagnostics(program, program.getSourceFile(f))),
    ].filter((d) => !d.file || userFiles.includes(d.file.fileName));
    return { userFiles, diagnostics };
  };
  let { userFiles, diagnostics } = check(ownTypes ? { types: [] } : {});
  if (ownTypes && diagnostics.some(needsNodeTypes)) ({ userFiles, diagnostics } = check({ typeRoots: [nodeTypes], types: ["node"] }));
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
    throw error(loc, `type errors (fix them, or pass --no-typecheck):\n${lines.join("\n")}${more}`);
  }
  cache[abs] = { tsVersion: ts.version, files: Object.fromEntries(userFiles.map((f) => [f, hash(f)])) };
  await writeFileAtomic(cacheFile, `${JSON.stringify(cache, null, 1)}\n`, 0o600);
}

/** True for "cannot find name 'process'" (2580, 2591) or "cannot find module 'node:…'" (2307). */
function needsNodeTypes(d: import("typescript").Diagnostic): boolean {
  if (d.code === 2580 || d.code === 2591) return true;
  const text = typeof d.messageText === "string" ? d.messageText : d.messageText.messageText;
  return d.code === 2307 && /'node:|'(fs|path|os|child_process|crypto)'/.test(text);
}
