/**
 * `vault edit` and `vault create`: the plaintext goes to a file in a private temp dir (0700, file 0600),
 * the user's editor runs on it, and the result is encrypted back. The temp dir is removed on every path.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { writeFileAtomic } from "../util/fs.js";
import { type EncryptOptions, encryptVault } from "./crypto.js";
import { VaultError } from "./errors.js";
import { modeOf, openVaultFile } from "./files.js";
import type { VaultKey } from "./keys.js";

export interface EditOptions extends EncryptOptions {
  /** Editor command line, run by /bin/sh with the file appended: $EDITOR, default "vi". */
  editor?: string;
}

/** Returns the editor to run: $EDITOR, else vi. */
export function defaultEditor(env: NodeJS.ProcessEnv = process.env): string {
  return env.EDITOR?.trim() || "vi";
}

/**
 * Opens a vault file in the editor and re-encrypts it (same vault id and key) when the content changed.
 * Returns true when the file was rewritten. An edited ansible vault is written back in Bosun's format.
 */
export async function editVaultFile(file: string, keys: readonly VaultKey[], opts: EditOptions = {}): Promise<boolean> {
  if (!existsSync(file)) throw new VaultError(`${file}: no such file (use \`bosun vault create\` for a new one)`);
  const opened = await openVaultFile(file, keys);
  const key = opened.id === opened.key.id ? opened.key : opened.key.withId(opened.id);
  const edited = await editInTemp(file, opened.plaintext, opts.editor ?? defaultEditor());
  if (edited.equals(opened.plaintext)) return false;
  await writeFileAtomic(file, encryptVault(edited, key, opts), await modeOf(file));
  return true;
}

/** Creates a new vault file (0600) from what the user writes in the editor. Refuses an existing file. */
export async function createVaultFile(file: string, key: VaultKey, opts: EditOptions = {}): Promise<void> {
  if (existsSync(file)) throw new VaultError(`${file}: already exists (use \`bosun vault edit\`)`);
  const content = await editInTemp(file, Buffer.alloc(0), opts.editor ?? defaultEditor());
  await writeFileAtomic(file, encryptVault(content, key, opts), 0o600);
}

/** Returns the content after the editor ran on a private copy of `initial` named like `file` (minus .vault). */
async function editInTemp(file: string, initial: Buffer, editor: string): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), "bosun-vault-"));
  try {
    // mkdtemp creates the dir 0700; the name keeps the extension so the editor highlights the right syntax.
    const tmp = path.join(dir, path.basename(file).replace(/\.vault$/, "") || "secret");
    await writeFile(tmp, initial, { mode: 0o600 });
    await runEditor(editor, tmp);
    try {
      return await readFile(tmp);
    } catch {
      throw new VaultError(`editor "${editor}" removed or replaced the file it was editing; ${file} was not changed`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runEditor(editor: string, file: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", `${editor} "$1"`, "sh", file], { stdio: "inherit" });
    // Ctrl-C reaches the editor too (same process group) and is its to handle; SIGTERM is passed on.
    // Either way this process lives on until the editor exits, so the temp dir is always removed.
    const onInt = () => {};
    const onTerm = () => child.kill("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    const done = () => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    };
    child.on("error", (err) => {
      done();
      reject(new VaultError(`editor "${editor}" did not start: ${err.message}`));
    });
    child.on("close", (code, signal) => {
      done();
      if (code === 0) resolve();
      else reject(new VaultError(`editor "${editor}" exited with ${signal ?? `code ${code}`}; the vault was not changed`));
    });
  });
}
