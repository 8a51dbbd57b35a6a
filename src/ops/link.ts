import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation } from "../core/operation.js";
import { fileFact } from "../facts/file.js";
import { quote } from "../util/shell.js";
import { requireAbsolute } from "./attrs.js";

export interface LinkOptions extends CommonOptions {
  /** What the symlink points to. */
  target: string;
}

/** Ensures path is a symlink to target (replacing a file or a wrong link, never a directory). */
export function link(path: string, o: LinkOptions): Operation {
  requireAbsolute("link", path);
  const fact = fileFact(path);
  const p = quote(path);
  const t = quote(o.target);
  return declareOp({
    kind: "link",
    name: path,
    ...commonFields(o),
    facts: () => [fact],
    plan(facts) {
      const cur = facts.get(fact);
      if (cur.type === "link" && cur.target === o.target) return { changed: false, summary: `→ ${o.target}` };
      if (cur.type === "directory") throw new Error(`${path} is a directory; refusing to replace it with a link`);
      const what = cur.type === "link" ? `retarget ${cur.target}` : cur.type === "absent" ? "create" : `replace ${cur.type}`;
      return { changed: true, summary: `${what} → ${o.target}` };
    },
    apply: () =>
      `if [ "$(readlink ${p} 2>/dev/null)" != ${t} ]; then [ ! -d ${p} ] || [ -L ${p} ] || { echo "${path} is a directory" >&2; exit 1; }; ln -sfn ${t} ${p}.bosun-tmp && mv -Tf ${p}.bosun-tmp ${p}; __changed; fi`,
  });
}
