import type { VaultKey } from "./keys.js";
import { isAnyVault, openVault } from "./open.js";
import { isSecret, Secret } from "./secret.js";

/** Supplies the vault keys when (and only when) vaulted data is met: no prompt for runs without secrets. */
export type KeyProvider = () => Promise<readonly VaultKey[]>;

/** Returns a provider that resolves keys once and reuses them. */
export function memoKeys(resolve: () => Promise<readonly VaultKey[]>): KeyProvider {
  let p: Promise<readonly VaultKey[]> | undefined;
  return () => (p ??= resolve());
}

/** Returns true when some string in value (deeply) is an inline vaulted value. */
export function hasVaulted(value: unknown): boolean {
  if (typeof value === "string") return isAnyVault(value.trim());
  if (Array.isArray(value)) return value.some(hasVaulted);
  if (value && typeof value === "object" && !isSecret(value)) return Object.values(value).some(hasVaulted);
  return false;
}

/** Returns value with every inline vaulted string replaced by its Secret (deeply); where names the source for errors. */
export function decryptTree(value: unknown, keys: readonly VaultKey[], where: string): unknown {
  if (typeof value === "string")
    return isAnyVault(value.trim()) ? new Secret(openVault(value.trim(), keys, where).plaintext.toString("utf8")) : value;
  if (Array.isArray(value)) return value.map((v, i) => decryptTree(v, keys, `${where}[${i}]`));
  if (value && typeof value === "object" && !isSecret(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decryptTree(v, keys, `${where}.${k}`)]));
  }
  return value;
}

/** Returns value with every string leaf wrapped in a Secret: for data that came from a wholly encrypted file. */
export function secretLeaves(value: unknown): unknown {
  if (typeof value === "string") return new Secret(value);
  if (Array.isArray(value)) return value.map(secretLeaves);
  if (value && typeof value === "object" && !isSecret(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secretLeaves(v)]));
  return value;
}

/** Returns the plaintext of a value that may be a Secret (for what is sent to a host), else String(value). */
export function revealString(value: unknown): string {
  return isSecret(value) ? value.reveal() : String(value);
}
