import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation } from "../core/operation.js";
import { fileFact } from "../facts/file.js";
import { quote } from "../util/shell.js";
import { type Attrs, attrArgs, attrChanges, normalizeAttrs, requireAbsolute } from "./attrs.js";

export interface TouchOptions extends CommonOptions, Attrs {
  /** "now" (default, as touch(1) and Ansible's state touch): set it to the current time on every run, a change each time. "preserve": keep it. */
  modificationTime?: "now" | "preserve";
  /** Same for the access time. */
  accessTime?: "now" | "preserve";
}

/**
 * Ensures path exists (an empty file is created when it does not) with the given attributes, and sets
 * its times to now unless both are "preserve" — Ansible's `file: state=touch`, which reports a change on
 * every run unless modification_time and access_time are both `preserve`.
 * `touch("/var/log/app.log", { owner: "app", mode: "0640", modificationTime: "preserve", accessTime: "preserve" })`
 */
export function touch(path: string, o: TouchOptions = {}): Operation {
  requireAbsolute("touch", path);
  const attrs = normalizeAttrs(o);
  const times = { m: o.modificationTime ?? "now", a: o.accessTime ?? "now" };
  for (const [k, t] of Object.entries(times))
    if (t !== "now" && t !== "preserve")
      throw new Error(`touch ${path}: ${k === "m" ? "modificationTime" : "accessTime"} must be "now" or "preserve"`);
  // touch -m / -a set only one of the times; both "now" is plain touch.
  const now = times.m === "now" && times.a === "now" ? "" : times.m === "now" ? "-m" : times.a === "now" ? "-a" : undefined;
  const fact = fileFact(path);
  const p = quote(path);
  return declareOp({
    kind: "touch",
    name: path,
    ...commonFields(o),
    facts: () => [fact],
    plan(facts) {
      const cur = facts.get(fact);
      if (cur.type === "absent") return { changed: true, summary: `create empty file${attrs.mode ? ` (mode ${attrs.mode})` : ""}` };
      const changes = attrChanges(cur, attrs);
      if (now !== undefined) changes.push(`set ${now === "-m" ? "modification time" : now === "-a" ? "access time" : "times"} to now`);
      return changes.length > 0 ? { changed: true, summary: changes.join(", ") } : { changed: false, summary: "exists" };
    },
    apply: () =>
      [
        // A new file gets the umask's mode, as touch(1) gives it (and Ansible's file module).
        `if [ ! -e ${p} ]; then : > ${p}; __changed${now === undefined ? "" : `; else touch ${now} ${p}; __changed`}; fi`,
        `__attrs ${p} ${attrArgs(attrs)}`,
      ].join("\n"),
  });
}
