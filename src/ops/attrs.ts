import type { FileFact } from "../facts/file.js";
import { normalizeMode } from "../facts/file.js";
import { quote } from "../util/shell.js";

/** Mode, owner and group an operation manages; undefined means "leave as is". */
export interface Attrs {
  mode?: string | number;
  owner?: string;
  group?: string;
}

/** Returns the attrs with mode normalised ("644" → "0644"); throws on a bad mode. */
export function normalizeAttrs(a: Attrs): Attrs {
  return { mode: a.mode === undefined ? undefined : normalizeMode(a.mode), owner: a.owner, group: a.group };
}

/** Returns the human list of attribute changes from current to desired ("mode 0644 → 0600"). */
export function attrChanges(cur: FileFact, want: Attrs): string[] {
  const out: string[] = [];
  if (want.mode !== undefined && cur.mode !== want.mode) out.push(`mode ${cur.mode ?? "-"} → ${want.mode}`);
  if (want.owner !== undefined && cur.owner !== want.owner) out.push(`owner ${cur.owner ?? "-"} → ${want.owner}`);
  if (want.group !== undefined && cur.group !== want.group) out.push(`group ${cur.group ?? "-"} → ${want.group}`);
  return out;
}

/** Returns the three quoted shell words MODE OWNER GROUP ("-" where unmanaged) the prelude functions take. */
export function attrArgs(a: Attrs): string {
  return [a.mode ?? "-", a.owner ?? "-", a.group ?? "-"].map((x) => quote(String(x))).join(" ");
}

/** Throws unless path is absolute: operations never act relative to an unknown cwd. */
export function requireAbsolute(kind: string, path: string): void {
  if (!path.startsWith("/")) throw new Error(`${kind}: path must be absolute, got "${path}"`);
}
