import { posix } from "node:path";
import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation } from "../core/operation.js";
import { fileFact } from "../facts/file.js";
import { quote } from "../util/shell.js";
import { requireAbsolute } from "./attrs.js";

/** Ensures nothing exists at path (file, link, or directory with its contents). */
export function absent(path: string, o: CommonOptions = {}): Operation {
  requireAbsolute("absent", path);
  // Normalised first: "//", "/etc//" or "/tmp/.." must not slip past the check.
  const norm = posix.normalize(path).replace(/(.)\/+$/, "$1");
  if (norm === "/" || ["/etc", "/usr", "/var", "/home", "/root", "/bin", "/lib", "/boot"].includes(norm)) {
    throw new Error(`absent: refusing to remove ${path}`);
  }
  const fact = fileFact(path);
  return declareOp({
    kind: "absent",
    name: path,
    ...commonFields(o),
    facts: () => [fact],
    plan(facts) {
      const cur = facts.get(fact);
      return cur.type === "absent" ? { changed: false, summary: "absent" } : { changed: true, summary: `remove ${cur.type}` };
    },
    apply: () => `__rm ${quote(path)}`,
  });
}
