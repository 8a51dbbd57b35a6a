import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation } from "../core/operation.js";
import { groupFact, requireAccountName } from "../facts/group.js";
import { join, quote } from "../util/shell.js";

export interface GroupOptions extends CommonOptions {
  gid?: number;
  /** Create it as a system group (gid from the system range); only used when creating. */
  system?: boolean;
  state?: "present" | "absent";
}

/** Throws unless id is a valid uid/gid. */
export function requireId(kind: string, what: string, id: number | undefined): void {
  if (id !== undefined && !(Number.isInteger(id) && id >= 0 && id < 4294967295)) {
    throw new Error(`${kind}: bad ${what} ${id} (expected an integer from 0 to 4294967294)`);
  }
}

/** Ensures a local group exists with this gid (groupadd/groupmod), or does not exist (groupdel). */
export function group(name: string, o: GroupOptions = {}): Operation {
  requireAccountName("group", name);
  requireId("group", "gid", o.gid);
  const state = o.state ?? "present";
  if (state !== "present" && state !== "absent") throw new Error(`group ${name}: bad state "${state}" (expected present or absent)`);
  const fact = groupFact(name);
  const n = quote(name);
  return declareOp({
    kind: "group",
    name,
    ...commonFields(o),
    facts: () => [fact],
    plan(facts) {
      const cur = facts.get(fact);
      if (state === "absent") return cur.exists ? { changed: true, summary: "remove" } : { changed: false, summary: "absent" };
      if (!cur.exists) {
        const what = [o.gid !== undefined ? `gid ${o.gid}` : "", o.system ? "system" : ""].filter(Boolean).join(", ");
        return { changed: true, summary: `create${what ? ` (${what})` : ""}` };
      }
      if (o.gid !== undefined && cur.gid !== o.gid) return { changed: true, summary: `gid ${cur.gid} → ${o.gid}` };
      return { changed: false, summary: `gid ${cur.gid}` };
    },
    apply() {
      if (state === "absent") return `if getent group ${n} >/dev/null; then groupdel ${n}; __changed; fi`;
      const add = join(["groupadd", ...(o.gid !== undefined ? ["-g", o.gid] : []), ...(o.system ? ["-r"] : []), name]);
      const sh = [`if ! getent group ${n} >/dev/null; then ${add}; __changed`];
      if (o.gid !== undefined)
        sh.push(`elif [ "$(getent group ${n} | cut -d: -f3)" != ${o.gid} ]; then groupmod -g ${o.gid} ${n}; __changed`);
      sh.push("fi");
      return sh.join("\n");
    },
  });
}
