import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation } from "../core/operation.js";
import { fileFact } from "../facts/file.js";
import { quote } from "../util/shell.js";
import { type Attrs, attrArgs, attrChanges, normalizeAttrs, requireAbsolute } from "./attrs.js";

export interface DirectoryOptions extends CommonOptions, Attrs {}

/** Ensures path is a directory (parents created as needed) with the given attributes. */
export function directory(path: string, o: DirectoryOptions = {}): Operation {
  requireAbsolute("directory", path);
  const attrs = normalizeAttrs(o);
  const fact = fileFact(path);
  return declareOp({
    kind: "directory",
    name: path,
    ...commonFields(o),
    facts: () => [fact],
    plan(facts) {
      const cur = facts.get(fact);
      if (cur.type === "absent") return { changed: true, summary: `create${attrs.mode ? ` (mode ${attrs.mode})` : ""}` };
      if (cur.type !== "directory") throw new Error(`${path} exists and is a ${cur.type}, not a directory`);
      const changes = attrChanges(cur, attrs);
      return changes.length > 0 ? { changed: true, summary: changes.join(", ") } : { changed: false, summary: "up to date" };
    },
    apply: () => `__mkdir ${quote(path)} ${attrArgs(attrs)}`,
  });
}
