/**
 * Returns text quoted for an error message, with control characters, DEL, C1 controls and bidi
 * overrides escaped (\x1b, \u202e): inventory content echoed back must never drive the terminal.
 * (A general helper is planned in src/util; this one covers the inventory loaders meanwhile.)
 */
export function quoted(text: string): string {
  return `"${escapeControls(text).replaceAll('"', '\\"')}"`;
}

/** Returns text with control characters escaped and everything else as is. */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\\]/g, (c) => {
    if (c === "\\") return "\\\\";
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
