/**
 * The registry of secret plaintexts known to this process, and redact() which hides them in text
 * on its way out (logs, error messages, command output). Every Secret registers itself on creation;
 * so does every vault passphrase. Values shorter than MIN_REDACT_LENGTH are not registered:
 * replacing every "ab" in a log would hide more than it protects.
 */
export const MIN_REDACT_LENGTH = 4;
export const REDACTED = "***";

const known = new Set<string>();
/** Longest first, so a secret that contains another is replaced whole. Rebuilt lazily. */
let ordered: string[] | undefined;

/**
 * Records plaintext as secret. A multi-line value also registers each of its lines (trimmed),
 * because output often carries one line of a key or certificate without the rest.
 */
export function registerSecret(plaintext: string): void {
  const candidates = [plaintext];
  if (plaintext.includes("\n")) candidates.push(...plaintext.split(/\r?\n/).map((l) => l.trim()));
  for (const c of candidates) {
    if (c.length >= MIN_REDACT_LENGTH && !known.has(c)) {
      known.add(c);
      ordered = undefined;
    }
  }
}

/** Returns text with every registered secret plaintext replaced by `***`. */
export function redact(text: string): string {
  if (known.size === 0 || text.length < MIN_REDACT_LENGTH) return text;
  ordered ??= [...known].sort((a, b) => b.length - a.length);
  let out = text;
  for (const s of ordered) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/** Forgets every registered secret (tests, or a long-running server between runs). */
export function forgetSecrets(): void {
  known.clear();
  ordered = undefined;
}
