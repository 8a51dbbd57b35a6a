import { createHash } from "node:crypto";
import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation } from "../core/operation.js";
import { fileFact } from "../facts/file.js";
import { quote } from "../util/shell.js";
import { redact } from "../vault/redact.js";
import { type Attrs, attrArgs, attrChanges, normalizeAttrs, requireAbsolute } from "./attrs.js";
import { type Content, contentBytes, isSensitive, maskedText } from "./content.js";
import { contentDiff } from "./diff.js";

export interface FileOptions extends CommonOptions, Attrs {
  content: Content;
}

/** Returns (without declaring) the operation that makes path a regular file with this content and attributes. */
export function fileOp(path: string, o: FileOptions, kind = "file"): Operation {
  requireAbsolute(kind, path);
  const attrs = normalizeAttrs(o);
  const bytes = contentBytes(o.content);
  // Diffs of sensitive content compare masked text with the host's text masked the same way.
  const sensitive = isSensitive(o.content);
  const shown = sensitive ? Buffer.from(maskedText(o.content)) : bytes;
  const before = (b: Buffer | undefined) => (b && sensitive ? Buffer.from(redact(b.toString("utf8"))) : b);
  const sha = createHash("sha256").update(bytes).digest("hex");
  const fact = fileFact(path);
  return {
    kind,
    name: path,
    ...commonFields(o),
    facts: () => [fact],
    plan(facts) {
      const cur = facts.get(fact);
      if (cur.type === "directory") throw new Error(`${path} is a directory; refusing to replace it with a file`);
      if (cur.type !== "file") {
        const what = cur.type === "absent" ? "create" : `replace ${cur.type}`;
        return {
          changed: true,
          summary: `${what} (${bytes.length} bytes${attrs.mode ? `, mode ${attrs.mode}` : ""})`,
          diff: contentDiff(path, undefined, shown),
        };
      }
      const changes = attrChanges(cur, attrs);
      if (cur.sha256 !== sha) {
        changes.unshift("content");
        return {
          changed: true,
          summary: `update ${changes.join(", ")}`,
          diff: contentDiff(path, before(cur.content), shown, { secret: sensitive }),
        };
      }
      return changes.length > 0 ? { changed: true, summary: changes.join(", ") } : { changed: false, summary: "up to date" };
    },
    apply: () => `__put ${quote(path)} ${bytes.toString("base64")} ${attrArgs(attrs)}`,
  };
}

/**
 * Ensures path is a regular file with exactly this content (written atomically: temp file + rename)
 * and, when given, this mode/owner/group.
 */
export function file(path: string, o: FileOptions): Operation {
  return declareOp(fileOp(path, o));
}
