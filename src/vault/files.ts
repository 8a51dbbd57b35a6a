/**
 * Vault operations on files: encrypt, decrypt, rekey and import in place. Every write is atomic
 * (a temp file renamed over) and keeps the file's permission bits.
 */
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { systemErrorText } from "../errors.js";
import { writeFileAtomic } from "../util/fs.js";
import { isAnsibleVault } from "./ansible.js";
import { type EncryptOptions, encryptVault, type Opened } from "./crypto.js";
import { VaultError } from "./errors.js";
import { isVaulted } from "./format.js";
import type { VaultKey } from "./keys.js";
import { isAnyVault, openVault } from "./open.js";

/** Returns the bytes of file; a missing or unreadable file is a VaultError naming it. */
export async function readInput(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new VaultError(`${file}: cannot read: ${systemErrorText(err)}`);
  }
}

/** Returns file's permission bits, or fallback when it does not exist. */
export async function modeOf(file: string, fallback = 0o600): Promise<number> {
  return existsSync(file) ? (await stat(file)).mode & 0o777 : fallback;
}

/** Returns the plaintext of a vault file (Bosun or ansible format) and the key that opened it. */
export async function openVaultFile(file: string, keys: readonly VaultKey[]): Promise<Opened> {
  return openVault((await readInput(file)).toString("utf8"), keys, file);
}

/** Returns the content of file encrypted with key. Refuses a file that is already a vault. */
export async function encryptFileText(file: string, key: VaultKey, opts: EncryptOptions = {}): Promise<string> {
  const data = await readInput(file);
  if (isAnyVault(data.subarray(0, 64).toString("utf8"))) throw new VaultError(`${file}: already encrypted`);
  return encryptVault(data, key, opts);
}

/** Encrypts file with key into output (default: in place). Refuses a file that is already a vault. */
export async function encryptFile(file: string, key: VaultKey, output = file, opts: EncryptOptions = {}): Promise<void> {
  const text = await encryptFileText(file, key, opts);
  await writeFileAtomic(output, text, await modeOf(output, await modeOf(file)));
}

/** Returns the plaintext of the vault file and writes it to output (default: in place). */
export async function decryptFile(file: string, keys: readonly VaultKey[], output = file): Promise<Opened> {
  const opened = await openVaultFile(file, keys);
  await writeFileAtomic(output, opened.plaintext, await modeOf(output, await modeOf(file)));
  return opened;
}

/** Re-encrypts a vault file with newKey, in place; returns the id it had. */
export async function rekeyFile(file: string, keys: readonly VaultKey[], newKey: VaultKey, opts: EncryptOptions = {}): Promise<Opened> {
  const opened = await openVaultFile(file, keys);
  await writeFileAtomic(file, encryptVault(opened.plaintext, newKey, opts), await modeOf(file));
  return opened;
}

/**
 * Rewrites an ansible-vault 1.1/1.2 file in Bosun's format, in place. It is encrypted with newKey when given,
 * else with the password that opened it, under the ansible vault id (1.2) or that key's id (1.1).
 */
export async function importFile(file: string, keys: readonly VaultKey[], newKey?: VaultKey, opts: EncryptOptions = {}): Promise<Opened> {
  const text = (await readInput(file)).toString("utf8");
  if (isVaulted(text)) throw new VaultError(`${file}: already in Bosun's vault format`);
  if (!isAnsibleVault(text)) throw new VaultError(`${file}: not an ansible vault (expected a first line starting with "$ANSIBLE_VAULT;")`);
  const opened = openVault(text, keys, file);
  const key = newKey ?? (opened.id === opened.key.id ? opened.key : opened.key.withId(opened.id));
  await writeFileAtomic(file, encryptVault(opened.plaintext, key, opts), await modeOf(file));
  return opened;
}
