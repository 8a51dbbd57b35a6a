/**
 * API tokens: random secrets given to people and tools once; the server keeps only their SHA-256
 * (a token has 256 bits of entropy, so a fast hash is enough: there is nothing to brute-force).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { TokenScope } from "./config.js";

export interface TokenEntry {
  name: string;
  sha256: string;
  scope: TokenScope;
}

/** Who is asking: a token's name and scope (or "anonymous" on a loopback server with no tokens). */
export interface Principal {
  name: string;
  scope: TokenScope;
}

/** Returns a new random token ("bsn_" + 43 base64url characters). */
export function newToken(): string {
  return `bsn_${randomBytes(32).toString("base64url")}`;
}

/** Returns the SHA-256 of a token, as stored in [server] tokens. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Returns the entry a presented token matches (compared in constant time), or undefined. */
export function findToken(entries: TokenEntry[], presented: string): TokenEntry | undefined {
  const h = Buffer.from(hashToken(presented), "hex");
  let found: TokenEntry | undefined;
  for (const e of entries) if (timingSafeEqual(h, Buffer.from(e.sha256, "hex"))) found ??= e;
  return found;
}

/** Returns the bearer token of an Authorization header value, or undefined. */
export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1];
}

/** True when scope allows an action needing `needed` (operator includes read). */
export function allows(scope: TokenScope, needed: TokenScope): boolean {
  return needed === "read" || scope === "operator";
}
