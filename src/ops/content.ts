import { redact } from "../vault/redact.js";
import { revealString } from "../vault/vars.js";

/** Content that must not be shown: it renders masked everywhere but in the bytes sent to the host. */
export interface SensitiveContent {
  /** What people see: every secret as `***`. */
  readonly masked: string;
  /** The real content, used only to build what is sent to the host. */
  reveal(): string | Uint8Array;
}

/** File content an operation writes: text, bytes, a Secret, or text built with sensitive``. */
export type Content = string | Uint8Array | SensitiveContent | { reveal(): string };

export function isSensitive(c: unknown): c is SensitiveContent | { reveal(): string } {
  return typeof c === "object" && c !== null && typeof (c as { reveal?: unknown }).reveal === "function";
}

/** Returns the bytes to put on the host. */
export function contentBytes(c: Content): Buffer {
  const v = isSensitive(c) ? c.reveal() : c;
  return typeof v === "string" ? Buffer.from(v, "utf8") : Buffer.from(v);
}

/** Returns what people may see of content: masked when sensitive. */
export function maskedText(c: Content): string {
  if (!isSensitive(c)) return typeof c === "string" ? c : Buffer.from(c).toString("utf8");
  return "masked" in c && typeof c.masked === "string" ? c.masked : redact(String(c.reveal()));
}

/**
 * Tagged template for text that includes secrets: `sensitive\`password=${secret}\``.
 * The host gets the plaintext; plans, diffs, logs and records get `***`.
 */
export function sensitive(strings: TemplateStringsArray, ...values: unknown[]): SensitiveContent {
  const build = (f: (v: unknown) => string) => strings.reduce((acc, s, i) => acc + s + (i < values.length ? f(values[i]) : ""), "");
  const masked = build((v) => String(v));
  return { masked, reveal: () => build(revealString) };
}
