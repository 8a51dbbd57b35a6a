import { escapeControl } from "../util/text.js";

/**
 * Returns text quoted for an error message, with control characters, DEL, C1 controls and bidi
 * overrides escaped (\x1b, \u202e) and backslashes doubled: inventory content echoed back must
 * never drive the terminal, and the quoted form must map back to exactly one original.
 */
export function quoted(text: string): string {
  return `"${escapeControls(text).replaceAll('"', '\\"')}"`;
}

/** Returns text with control characters escaped and everything else as is (util/text's exact form). */
export function escapeControls(text: string): string {
  return escapeControl(text, { exact: true });
}
