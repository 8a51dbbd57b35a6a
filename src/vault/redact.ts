/**
 * The registry of secret plaintexts known to this process, and redact() which hides them in text
 * on its way out (logs, error messages, command output). Every Secret registers itself on creation;
 * so does every vault passphrase. Values shorter than MIN_REDACT_LENGTH are not registered:
 * replacing every "ab" in a log would hide more than it protects.
 *
 * Beyond exact matches, any run of at least MIN_PARTIAL_LENGTH characters taken from a secret is hidden
 * too: a host program that alters a value slightly (dash's echo turning "\\0" into a control character)
 * must not print most of it.
 */
export const MIN_REDACT_LENGTH = 4;
export const REDACTED = "***";
/** Shortest piece of a secret that is hidden on its own. */
export const MIN_PARTIAL_LENGTH = 8;

const known = new Set<string>();
/** The values whose pieces are hidden too (Secrets, not passphrases). */
const pieceSources = new Set<string>();
/** Longest first, so a secret that contains another is replaced whole. Rebuilt lazily. */
let ordered: string[] | undefined;
/** Every MIN_PARTIAL_LENGTH-character window of every secret (except blank or repetitive ones). Rebuilt lazily. */
let grams: Set<string> | undefined;

/**
 * Records plaintext as secret. A multi-line value also registers each of its lines (trimmed),
 * because output often carries one line of a key or certificate without the rest.
 */
export function registerSecret(plaintext: string, opts: { pieces?: boolean } = {}): void {
  // A vault passphrase never goes to a host, so no host program can alter it: exact matches suffice,
  // and hiding every 8-character piece of "correct-horse-battery" would blank ordinary words.
  if (opts.pieces !== false && plaintext.length >= MIN_PARTIAL_LENGTH && !pieceSources.has(plaintext)) {
    pieceSources.add(plaintext);
    grams = undefined;
  }
  const candidates = [plaintext];
  if (plaintext.includes("\n")) candidates.push(...plaintext.split(/\r?\n/).map((l) => l.trim()));
  // Its spelling inside JSON too (`"` and `\\` escaped): text serialized before it was masked stays safe.
  for (const c of [...candidates]) {
    const json = JSON.stringify(c).slice(1, -1);
    if (json !== c) candidates.push(json);
  }
  for (const c of candidates) {
    if (c.length >= MIN_REDACT_LENGTH && !known.has(c)) {
      known.add(c);
      ordered = undefined;
      grams = undefined;
    }
  }
}

/** Returns text with every registered secret plaintext replaced by `***`. */
export function redact(text: string): string {
  if (known.size === 0 || text.length < MIN_REDACT_LENGTH) return text;
  ordered ??= [...known].sort((a, b) => b.length - a.length);
  let out = text;
  for (const s of ordered) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return redactPieces(out);
}

/** Returns text with every run of characters covered by windows of secrets replaced by `***`. */
function redactPieces(text: string): string {
  grams ??= secretGrams();
  if (grams.size === 0 || text.length < MIN_PARTIAL_LENGTH) return text;
  const hidden = new Uint8Array(text.length);
  let any = false;
  for (let i = 0; i + MIN_PARTIAL_LENGTH <= text.length; i++) {
    if (grams.has(text.slice(i, i + MIN_PARTIAL_LENGTH))) {
      hidden.fill(1, i, i + MIN_PARTIAL_LENGTH);
      any = true;
    }
  }
  if (!any) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (!hidden[i]) out += text[i];
    else if (i === 0 || !hidden[i - 1]) out += REDACTED;
  }
  return out;
}

function secretGrams(): Set<string> {
  const set = new Set<string>();
  for (const s of pieceSources) {
    for (let i = 0; i + MIN_PARTIAL_LENGTH <= s.length; i++) {
      const g = s.slice(i, i + MIN_PARTIAL_LENGTH);
      // "        " or "--------" from a key's layout is not the secret, and is everywhere in output.
      if (new Set(g.replace(/\s/g, "")).size >= 4) set.add(g);
    }
  }
  return set;
}

/**
 * Returns value with every string in it (deeply, keys included) redacted: for data that will be
 * serialized (JSON), so a secret holding `"` or `\\` is masked before escaping changes its spelling.
 */
export function redactDeep<T>(value: T): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v)])) as T;
  return value;
}

/** Forgets every registered secret (tests, or a long-running server between runs). */
export function forgetSecrets(): void {
  known.clear();
  pieceSources.clear();
  ordered = undefined;
  grams = undefined;
}
