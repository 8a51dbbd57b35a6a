/**
 * Text quoted back to the user (a value from a file, a flag, a host's output in an error) may hold
 * escape sequences or binary: printed raw it could rewrite the terminal. Everything an error quotes
 * goes through here.
 */

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e" };

const CONTROLS = /[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROLS_AND_BACKSLASH = /[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\\]/g;

/**
 * Returns s with control characters (C0, DEL, C1, bidi marks and overrides) shown as visible
 * escapes: "\e[31m", "\x00". `exact: true` spells every one as \xNN or \uNNNN and doubles
 * backslashes, so the escaped text maps back to exactly one original (the inventory loaders' form).
 */
export function escapeControl(s: string, opts: { exact?: boolean } = {}): string {
  return s.replace(opts.exact ? CONTROLS_AND_BACKSLASH : CONTROLS, (c) => {
    if (c === "\\") return "\\\\";
    const named = opts.exact ? undefined : NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, "0")}` : `\\x${code.toString(16).padStart(2, "0")}`;
  });
}

/** Returns s escaped and in double quotes, cut to max characters: for quoting user input in one-line messages. */
export function quoteValue(s: string, max = 80): string {
  const e = escapeControl(s);
  const cut = e.length > max ? `${e.slice(0, max)}…` : e;
  return `"${cut.replaceAll('"', '\\"')}"`;
}

/** Returns the first line of a (library) message, control characters escaped. */
export function firstLine(message: string): string {
  return escapeControl(message.split("\n")[0] ?? "");
}
