import type { FactBatchKind, FactRequest } from "../core/operation.js";
import { quote } from "../util/shell.js";

export interface GroupEntry {
  exists: boolean;
  gid?: number;
  /** Members listed in the group database (users whose primary group it is are not listed). */
  members?: string[];
}

/** Returns the fact of a group's entry in the group database (`getent group NAME`). */
export function groupFact(name: string): FactRequest<GroupEntry> {
  return {
    key: `group:${name}`,
    command: `getent group ${quote(name)}`,
    parse: (out) => parseGroupEntry(out, name),
    batch: { kind: GROUPS, arg: name },
  };
}

/** The batch kind of groupFact: ONE `getent group` for every name; each name gets its own line. */
export const GROUPS: FactBatchKind = {
  id: "group",
  command: (names) => `getent group ${names.map(quote).join(" ")}`,
  split: (output, _rc, names) => new Map(names.map((n) => [n, entryOf(output, n)])),
};

/** Returns the line of a getent database output whose first field is name, as `getent DB name` prints it. */
export function entryOf(output: string, name: string): { output: string; rc: number } {
  const line = output.split("\n").find((l) => l.split(":")[0] === name);
  return line === undefined ? { output: "", rc: 2 } : { output: line, rc: 0 };
}

/** Parses `getent group` output (`name:x:gid:a,b`); no line for name means the group does not exist. */
export function parseGroupEntry(output: string, name: string): GroupEntry {
  for (const line of output.split("\n")) {
    const f = line.split(":");
    if (f.length < 4 || f[0] !== name) continue;
    return { exists: true, gid: Number(f[2]), members: (f[3] as string).split(",").filter(Boolean) };
  }
  return { exists: false };
}

/** Throws unless name is a valid user or group name (never all digits: getent would look it up as an id). */
export function requireAccountName(kind: string, name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/.test(name)) {
    throw new Error(`${kind}: bad name "${name}" (expected a letter or _ then letters, digits, _ . -; at most 32 characters)`);
  }
}
