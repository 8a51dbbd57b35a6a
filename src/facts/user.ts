import type { FactBatchKind, FactRequest } from "../core/operation.js";
import { quote } from "../util/shell.js";
import { entryOf } from "./group.js";

/** A user's account as the host sees it (passwd entry, primary group name and all group names). */
export interface UserEntry {
  exists: boolean;
  uid?: number;
  gid?: number;
  comment?: string;
  home?: string;
  shell?: string;
  /** Name of the primary group. */
  group?: string;
  /** Every group the user is in, primary included (`id -Gn`). */
  groups?: string[];
}

/** Returns the sh that prints a user's passwd entry and group names as passwd=/group=/groups= lines (and leaves the entry in $__e, empty for no user). */
export function userEntryCommand(name: string): string {
  const n = quote(name);
  return `__e=; if __e=$(getent passwd ${n}); then echo "passwd=$__e"; echo "group=$(id -gn ${n})"; echo "groups=$(id -Gn ${n})"; fi`;
}

/** Returns the fact of a user's account (`getent passwd NAME`, `id -gn NAME`, `id -Gn NAME`). */
export function userFact(name: string): FactRequest<UserEntry> {
  return {
    key: `user:${name}`,
    command: userEntryCommand(name),
    parse: (out) => parseUserEntry(out, name),
    batch: { kind: USERS, arg: name },
  };
}

/**
 * The batch kind of userFact: ONE `getent passwd` and ONE `groups` for every name (`groups NAME…`
 * prints "NAME : primary others…" per user, the names `id -Gn NAME` prints, primary first).
 */
export const USERS: FactBatchKind = {
  id: "user",
  command: (names) => {
    const list = names.map(quote).join(" ");
    return `getent passwd ${list}; echo @groups; groups ${list}; true`;
  },
  split: (output, _rc, names) => {
    const [passwd = "", groups = ""] = output.split("\n@groups\n");
    const out = new Map<string, { output: string; rc: number }>();
    for (const n of names) {
      const entry = entryOf(passwd, n);
      const line = groups.split("\n").find((l) => l.startsWith(`${n} : `));
      if (entry.rc !== 0) out.set(n, { output: "", rc: 0 });
      // A user that exists with no groups line was added meanwhile: gathered alone.
      else if (line !== undefined) {
        const names = line.slice(n.length + 3);
        out.set(n, { output: `passwd=${entry.output}\ngroup=${names.split(" ")[0]}\ngroups=${names}`, rc: 0 });
      }
    }
    return out;
  },
};

/** Parses the lines of userEntryCommand; no passwd= line for name means the user does not exist. */
export function parseUserEntry(output: string, name: string): UserEntry {
  const kv = keyValues(output);
  const f = kv.passwd?.split(":");
  if (!f || f.length < 7 || f[0] !== name) return { exists: false };
  return {
    exists: true,
    uid: Number(f[2]),
    gid: Number(f[3]),
    comment: f[4],
    home: f[5],
    shell: f[6],
    group: kv.group || undefined,
    groups: (kv.groups ?? "").split(" ").filter(Boolean),
  };
}

/** Returns key=value lines as a record (the value is the rest of the line). */
export function keyValues(output: string): Record<string, string> {
  const kv: Record<string, string> = {};
  for (const line of output.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) kv[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return kv;
}
