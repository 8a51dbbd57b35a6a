/**
 * Values a run writes back into a vault file: a credential created on a host (an API token, a generated
 * password) comes back as a Secret and is stored under a top-level key of an encrypted YAML file.
 * The file is rewritten whole, encrypted to a temp file beside it and renamed over, so a failure at any
 * point (wrong key, bad YAML, full disk) leaves the original as it was. Writes to one file are queued
 * (several hosts of a run may store into it at once); the plaintext is never logged or returned.
 */
import { existsSync } from "node:fs";
import { parse as parseYaml, stringify, YAMLParseError } from "yaml";
import { writeFileAtomic } from "../util/fs.js";
import { encryptVault } from "./crypto.js";
import { VaultError } from "./errors.js";
import { modeOf, openVaultFile } from "./files.js";
import type { VaultKey } from "./keys.js";
import { isSecret, type Secret } from "./secret.js";
import type { KeyProvider } from "./vars.js";

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Returns why a vault output's file or key is unusable, or undefined when both are fine. */
export function checkVaultOutput(file: string, key: string): string | undefined {
  if (!KEY.test(key)) return `vault key "${key}" must be letters, digits and "_" (a var name)`;
  if (!/\.ya?ml(\.vault)?$/.test(file)) return `vault file ${file} must be YAML (name it *.yml.vault or *.yaml.vault)`;
  return undefined;
}

interface Loaded {
  data: Record<string, unknown>;
  /** The key to encrypt with: the one that opened the file (same vault id), else the first key given. */
  key?: VaultKey;
}

/** Keeps values coming back from hosts in vault files; one per run. */
export class VaultWriteBack {
  private readonly loaded = new Map<string, Promise<Loaded>>();
  private readonly queue = new Map<string, Promise<unknown>>();

  constructor(private readonly keys?: KeyProvider) {}

  /** Returns the run's vault keys; throws a VaultError saying how to give one when there is none. */
  async requireKeys(why: string): Promise<readonly VaultKey[]> {
    if (!this.keys)
      throw new VaultError(`${why} needs a vault key: pass --vault-password-file or --vault-id, or set BOSUN_VAULT_PASSWORD_FILE`);
    const keys = await this.keys();
    if (keys.length === 0) throw new VaultError(`${why} needs a vault key, and none was given`);
    return keys;
  }

  /** Returns true when the vault file holds key (a missing file holds nothing and needs no vault key). */
  async has(file: string, key: string): Promise<boolean> {
    if (!existsSync(file) && !this.loaded.has(file)) return false;
    const { data } = await this.load(file);
    return Object.hasOwn(data, key);
  }

  /**
   * Stores each value under its key in file (atomically, one write for all of them); returns the keys
   * whose value was new or different. An unchanged file is not rewritten.
   */
  store(file: string, values: ReadonlyMap<string, Secret>): Promise<string[]> {
    const prev = this.queue.get(file) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(() => this.write(file, values));
    this.queue.set(file, next);
    return next;
  }

  private async write(file: string, values: ReadonlyMap<string, Secret>): Promise<string[]> {
    for (const key of values.keys()) {
      const bad = checkVaultOutput(file, key);
      if (bad) throw new VaultError(bad);
    }
    const current = await this.load(file);
    const changed = [...values].filter(([k, v]) => plainOf(current.data[k]) !== v.reveal()).map(([k]) => k);
    if (changed.length === 0) return [];
    const key = current.key ?? (await this.requireKeys(`storing ${changed.join(", ")} in ${file}`))[0];
    const data = { ...current.data };
    for (const k of changed) data[k] = (values.get(k) as Secret).reveal();
    const text = encryptVault(Buffer.from(stringify(data, { lineWidth: 0 })), key as VaultKey);
    try {
      await writeFileAtomic(file, text, await modeOf(file, 0o600));
    } catch (err) {
      throw new VaultError(`${file}: cannot write: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    this.loaded.set(file, Promise.resolve({ data, key: key as VaultKey }));
    return changed;
  }

  private load(file: string): Promise<Loaded> {
    let p = this.loaded.get(file);
    if (!p) {
      p = this.read(file);
      this.loaded.set(file, p);
      // A failed read (no key yet, say) is tried again by the next call rather than cached.
      p.catch(() => this.loaded.delete(file));
    }
    return p;
  }

  private async read(file: string): Promise<Loaded> {
    if (!existsSync(file)) return { data: {} };
    const opened = await openVaultFile(file, await this.requireKeys(`reading ${file}`));
    let data: unknown;
    try {
      data = parseYaml(opened.plaintext.toString("utf8")) ?? {};
    } catch (err) {
      const at = err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})` : "";
      throw new VaultError(`${file}: decrypted content is not valid YAML${at}; not shown: it is vaulted (\`bosun vault edit\` to fix it)`);
    }
    if (typeof data !== "object" || data === null || Array.isArray(data))
      throw new VaultError(
        `${file}: expected a mapping of vars in the decrypted content, found ${Array.isArray(data) ? "a list" : typeof data}`,
      );
    const key = opened.id === opened.key.id ? opened.key : opened.key.withId(opened.id);
    return { data: data as Record<string, unknown>, key };
  }
}

const plainOf = (v: unknown): string | undefined => (isSecret(v) ? v.reveal() : typeof v === "string" ? v : undefined);
