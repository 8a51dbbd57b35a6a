import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Writes data to file atomically: a temp file beside it, fsync'd, then renamed over. Errors name file,
 * not the temp file (the user never heard of it); a directory in file's place is refused before writing.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  try {
    if ((await stat(file)).isDirectory()) throw Object.assign(new Error(`EISDIR: ${file}`), { code: "EISDIR", path: file });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  await ensureDir(path.dirname(file));
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(tmp, data, { mode, flush: true });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    const e = err as NodeJS.ErrnoException;
    if (e.path === tmp) e.path = file;
    throw err;
  }
}

/**
 * Creates dir and its missing parents, one level at a time. Not mkdir's `recursive`: on a file system
 * that refuses a name with ENOENT (/proc), Node's recursive mkdir retries forever.
 */
export async function ensureDir(dir: string, mode?: number): Promise<void> {
  const missing: string[] = [];
  let d = path.resolve(dir);
  for (;;) {
    try {
      const st = await stat(d);
      if (!st.isDirectory()) throw Object.assign(new Error(`ENOTDIR: ${d}`), { code: "ENOTDIR", path: d });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" || path.dirname(d) === d) throw err;
      missing.unshift(d);
      d = path.dirname(d);
    }
  }
  for (const m of missing) {
    try {
      await mkdir(m, mode === undefined ? undefined : { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
}
