/** What ops managing one drop-in file of a system directory (cron.d, sudoers.d) share. */
import { type CommonOptions, commonFields, type Operation } from "../core/operation.js";
import { fileFact } from "../facts/file.js";
import { quote } from "../util/shell.js";

/**
 * Throws unless name is a drop-in name the reading program honours: cron (run-parts naming) and
 * sudo skip files in their .d directories whose names hold a dot, so such a drop-in would do nothing.
 */
export function requireDropInName(kind: string, name: string, dir: string): void {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new Error(
      `${kind}: bad name "${name}" (letters, digits, _ and - only: files in ${dir} with other characters, like a dot, are ignored)`,
    );
  }
}

/** Returns (without declaring) the operation that removes a drop-in file, named like the op that manages it. */
export function removedDropInOp(kind: string, name: string, path: string, o: CommonOptions): Operation {
  const fact = fileFact(path);
  return {
    kind,
    name,
    ...commonFields(o),
    facts: () => [fact],
    plan: (facts) =>
      facts.get(fact).type === "absent" ? { changed: false, summary: "absent" } : { changed: true, summary: `remove ${path}` },
    apply: () => `__rm ${quote(path)}`,
  };
}
