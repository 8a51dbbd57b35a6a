/**
 * Encryption and decryption of Bosun vaults (format.ts): AES-256-GCM with a key derived by scrypt from a
 * passphrase, or taken from a 32-byte key file; HKDF-SHA256 splits it into an encryption key and a key check.
 * Pure functions of their inputs (plus random salt and IV when encrypting).
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import { VaultError } from "./errors.js";
import {
  authData,
  type Envelope,
  formatEnvelope,
  IV_BYTES,
  KEY_CHECK_BYTES,
  parseEnvelope,
  SALT_BYTES,
  type ScryptParams,
} from "./format.js";
import type { VaultKey } from "./keys.js";

/** OWASP's minimum for scrypt: N = 2^17, r = 8, p = 1 (128 MiB, about 0.3 s). */
export const DEFAULT_SCRYPT: ScryptParams = { logN: 17, r: 8, p: 1 };
/** The most a vault may ask of the reader: a file is untrusted input and must not exhaust memory. */
const MAX_SCRYPT_MEMORY = 1024 * 1024 * 1024;

export interface EncryptOptions {
  /** scrypt cost for passphrase keys (tests use a small one). */
  scrypt?: ScryptParams;
  /** Write the inline one-line form instead of header + wrapped lines. */
  oneline?: boolean;
}

/** What opening a vault gives: the plaintext and the key that opened it. */
export interface Opened {
  plaintext: Buffer;
  key: VaultKey;
  /** The vault id recorded in the vault (may differ from key.id when the key was found by trying all). */
  id: string;
  format: "bosun-1" | "ansible-1.1" | "ansible-1.2";
}

/** Returns plaintext encrypted with key as vault text, recording key.id in the header. */
export function encryptVault(plaintext: string | Uint8Array, key: VaultKey, opts: EncryptOptions = {}): string {
  const kdf = key.kind === "passphrase" ? "scrypt" : "key";
  const scrypt = kdf === "scrypt" ? checkScrypt(opts.scrypt ?? DEFAULT_SCRYPT, "encrypt") : undefined;
  const salt = randomBytes(SALT_BYTES);
  const { encKey, keyCheck } = subkeys(key, salt, scrypt);
  const env: Envelope = {
    id: key.id,
    kdf,
    salt,
    scrypt,
    keyCheck,
    iv: randomBytes(IV_BYTES),
    ciphertext: Buffer.alloc(0),
    tag: Buffer.alloc(0),
  };
  const cipher = createCipheriv("aes-256-gcm", encKey, env.iv);
  cipher.setAAD(authData(env));
  env.ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  env.tag = cipher.getAuthTag();
  return formatEnvelope(env, { oneline: opts.oneline });
}

/**
 * Returns the plaintext of vault text and the key that opened it. Keys whose id matches the header are
 * tried first, then the others. Throws VaultError: "integrity check failed" when the vault was damaged or
 * modified, "wrong password or key" when no key fits. Never returns unauthenticated bytes.
 */
export function decryptVault(text: string, keys: readonly VaultKey[], where: string): Opened {
  const env = parseEnvelope(text, where);
  const wanted = env.kdf === "scrypt" ? "passphrase" : "key";
  const usable = keys.filter((k) => k.kind === wanted);
  if (usable.length === 0) {
    const what = wanted === "key" ? "a key file (bosun vault init)" : "a password";
    const given = keys.length ? `only ${keys.map((k) => `${k.id} (${k.kind})`).join(", ")} given` : "no vault keys given";
    throw new VaultError(`${where}: encrypted with ${what} for vault id "${env.id}"; ${given}`);
  }
  const ordered = [...usable.filter((k) => k.id === env.id), ...usable.filter((k) => k.id !== env.id)];
  const scrypt = env.scrypt ? checkScrypt(env.scrypt, where) : undefined;
  for (const key of ordered) {
    const { encKey, keyCheck } = subkeys(key, env.salt, scrypt);
    if (!timingSafeEqual(keyCheck, env.keyCheck)) continue;
    const decipher = createDecipheriv("aes-256-gcm", encKey, env.iv);
    decipher.setAAD(authData(env));
    decipher.setAuthTag(env.tag);
    try {
      const plaintext = Buffer.concat([decipher.update(env.ciphertext), decipher.final()]);
      return { plaintext, key, id: env.id, format: "bosun-1" };
    } catch {
      // The key is right (its check matched) and the checksum passed: only deliberate editing gets here.
      throw new VaultError(`${where}: integrity check failed: the vault was modified (authentication tag mismatch)`);
    }
  }
  throw new VaultError(
    `${where}: wrong password or key for vault id "${env.id}" (tried ${ordered.map((k) => `${k.id} from ${k.source}`).join(", ")})`,
  );
}

function checkScrypt(s: ScryptParams, where: string): ScryptParams {
  const memory = 128 * 2 ** s.logN * s.r;
  if (s.logN < 10 || s.logN > 24 || s.r < 1 || s.p < 1 || s.p > 16 || memory > MAX_SCRYPT_MEMORY) {
    throw new VaultError(`${where}: scrypt parameters out of range (N=2^${s.logN}, r=${s.r}, p=${s.p}; at most 1 GiB of memory)`);
  }
  return s;
}

/** Derived master keys by (key material, salt, cost): the same inline value read for 50 hosts costs one scrypt. */
const masterCache = new Map<string, Buffer>();
const CACHE_SIZE = 256;

function masterKey(key: VaultKey, salt: Buffer, s: ScryptParams | undefined): Buffer {
  if (!s) return key.material();
  const id = createHash("sha256").update(key.material()).update(salt).update(`${s.logN}:${s.r}:${s.p}`).digest("hex");
  let master = masterCache.get(id);
  if (!master) {
    const N = 2 ** s.logN;
    master = scryptSync(key.material(), salt, 32, { N, r: s.r, p: s.p, maxmem: 128 * N * s.r * s.p + 16 * 1024 * 1024 });
    if (masterCache.size >= CACHE_SIZE) masterCache.delete(masterCache.keys().next().value as string);
    masterCache.set(id, master);
  }
  return master;
}

function subkeys(key: VaultKey, salt: Buffer, s: ScryptParams | undefined): { encKey: Buffer; keyCheck: Buffer } {
  const master = masterKey(key, salt, s);
  return {
    encKey: Buffer.from(hkdfSync("sha256", master, salt, "bosun-vault/1 encryption", 32)),
    keyCheck: Buffer.from(hkdfSync("sha256", master, salt, "bosun-vault/1 key check", KEY_CHECK_BYTES)),
  };
}
