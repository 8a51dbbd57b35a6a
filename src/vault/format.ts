/**
 * The Bosun vault text format, version 1 — encoding only, no keys (see docs/vault.md):
 *
 *   $BOSUN_VAULT;1;<vault-id>;<kdf>
 *   <base64 payload, wrapped at 76 columns>
 *
 * or, for inline values, the same on one line: `$BOSUN_VAULT;1;<vault-id>;<kdf>;<base64 payload>`.
 *
 *   payload  = params | key check (16) | iv (12) | ciphertext | GCM tag (16) | checksum (16)
 *   params   = salt (16) | log2 N (1) | r (1) | p (1)     kdf "scrypt" (passphrase)
 *            = salt (16)                                  kdf "key" (32-byte key file)
 *   checksum = SHA-256(header line + "\n" + payload up to the checksum), first 16 bytes
 *
 * The checksum is not a security measure (the GCM tag is): it lets a reader tell a damaged or
 * edited file ("integrity check failed") from a wrong key, which an AEAD tag alone cannot.
 */
import { createHash } from "node:crypto";
import { VaultError } from "./errors.js";

export const MAGIC = "$BOSUN_VAULT";
export const FORMAT_VERSION = 1;
export const SALT_BYTES = 16;
export const KEY_CHECK_BYTES = 16;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const CHECKSUM_BYTES = 16;
const WRAP = 76;

export type Kdf = "scrypt" | "key";

/** scrypt cost: N = 2^logN, block size r, parallelism p. */
export interface ScryptParams {
  logN: number;
  r: number;
  p: number;
}

/** The fields of one vault, decoded but still encrypted. */
export interface Envelope {
  id: string;
  kdf: Kdf;
  salt: Buffer;
  /** Present when kdf is "scrypt". */
  scrypt?: ScryptParams;
  keyCheck: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

const ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** Returns id if it can name a vault key (letters, digits, `_.-`, at most 64); throws otherwise. */
export function checkVaultId(id: string): string {
  if (!ID.test(id)) throw new VaultError(`bad vault id "${id}": expected 1-64 letters, digits, "_", "." or "-"`);
  return id;
}

/** Returns true when text is a Bosun vault (file or inline value), judged by its first characters only. */
export function isVaulted(text: string): boolean {
  return text.trimStart().startsWith(`${MAGIC};`);
}

/** Returns the header line: `$BOSUN_VAULT;1;<id>;<kdf>`. */
export function headerLine(id: string, kdf: Kdf): string {
  return `${MAGIC};${FORMAT_VERSION};${checkVaultId(id)};${kdf}`;
}

function params(env: Envelope): Buffer {
  if (env.kdf === "key") return env.salt;
  const s = env.scrypt as ScryptParams;
  return Buffer.concat([env.salt, Buffer.from([s.logN, s.r, s.p])]);
}

/** Returns the additional authenticated data of GCM: header line, newline, and the payload before the ciphertext. */
export function authData(env: Envelope): Buffer {
  return Buffer.concat([Buffer.from(`${headerLine(env.id, env.kdf)}\n`), params(env), env.keyCheck, env.iv]);
}

function checksum(header: string, payload: Buffer): Buffer {
  return createHash("sha256").update(`${header}\n`).update(payload).digest().subarray(0, CHECKSUM_BYTES);
}

/** Returns the vault text of env: a header line and wrapped base64 lines, ending in a newline; or one line if oneline. */
export function formatEnvelope(env: Envelope, opts: { oneline?: boolean } = {}): string {
  const header = headerLine(env.id, env.kdf);
  const payload = Buffer.concat([params(env), env.keyCheck, env.iv, env.ciphertext, env.tag]);
  const body = Buffer.concat([payload, checksum(header, payload)]).toString("base64");
  if (opts.oneline) return `${header};${body}`;
  const lines = [header];
  for (let i = 0; i < body.length; i += WRAP) lines.push(body.slice(i, i + WRAP));
  return `${lines.join("\n")}\n`;
}

const B64_LINE = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Returns the envelope in text: a whole vault file (one trailing newline allowed) or a one-line inline value.
 * Strict on purpose: any byte after the magic that differs from what formatEnvelope wrote, whitespace included,
 * is VaultError "integrity check failed". Callers holding an inline value from YAML trim it first.
 */
export function parseEnvelope(text: string, where: string): Envelope {
  if (!text.startsWith(`${MAGIC};`)) throw new VaultError(`${where}: not a Bosun vault (expected a first line starting with "${MAGIC};")`);
  const damaged = (why: string) => new VaultError(`${where}: integrity check failed: the vault is damaged or was modified (${why})`);
  const lines = (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  let header = lines[0] as string;
  let bodyLines = lines.slice(1);
  const fields = header.split(";");
  if (fields.length === 5 && bodyLines.length === 0) {
    bodyLines = [fields.pop() as string];
    header = fields.join(";");
  }
  if (fields.length !== 4) throw damaged(`expected 4 fields in the header, found ${fields.length}`);
  const body = bodyLines.join("");
  if (bodyLines.length === 0 || !bodyLines.every((l) => B64_LINE.test(l)) || body.length % 4 !== 0) throw damaged("body is not base64");
  const raw = Buffer.from(body, "base64");
  // Non-canonical base64 (padding bits set) decodes to the same bytes: refuse it, or a flip there would pass.
  if (raw.toString("base64") !== body) throw damaged("body is not canonical base64");
  if (raw.length < CHECKSUM_BYTES) throw damaged("body too short");
  const payload = raw.subarray(0, raw.length - CHECKSUM_BYTES);
  // Every version keeps this trailer, so a failed checksum is damage, never "a newer version".
  if (!checksum(header, payload).equals(raw.subarray(raw.length - CHECKSUM_BYTES))) throw damaged("checksum mismatch");
  const [, version, id, kdf] = fields as [string, string, string, string];
  if (version !== String(FORMAT_VERSION)) {
    throw new VaultError(`${where}: vault format version ${version} is not supported (this Bosun reads version ${FORMAT_VERSION})`);
  }
  if (kdf !== "scrypt" && kdf !== "key") throw new VaultError(`${where}: unknown key derivation "${kdf}" (expected scrypt or key)`);
  checkVaultId(id);
  const paramBytes = SALT_BYTES + (kdf === "scrypt" ? 3 : 0);
  if (payload.length < paramBytes + KEY_CHECK_BYTES + IV_BYTES + TAG_BYTES) throw damaged("body too short");
  let at = 0;
  const take = (n: number) => payload.subarray(at, (at += n));
  const salt = take(SALT_BYTES);
  const scrypt = kdf === "scrypt" ? { logN: take(1)[0] as number, r: take(1)[0] as number, p: take(1)[0] as number } : undefined;
  const keyCheck = take(KEY_CHECK_BYTES);
  const iv = take(IV_BYTES);
  const ciphertext = take(payload.length - at - TAG_BYTES);
  const tag = take(TAG_BYTES);
  return { id, kdf, salt, scrypt, keyCheck, iv, ciphertext, tag };
}
