import { createHash } from "node:crypto";
import { declareOp } from "../core/collector.js";
import type { CommonOptions, Operation } from "../core/operation.js";
import { quote } from "../util/shell.js";
import { type Content, contentBytes, isSensitive } from "./content.js";
import { removedDropInOp, requireDropInName } from "./drop-in.js";
import { fileOp } from "./file.js";

export interface SudoersOptions extends CommonOptions {
  /** The drop-in's rules (a final newline is added when missing: sudo requires it). Required for state "present". */
  content?: Content;
  state?: "present" | "absent";
}

/** Returns content ending with a newline (sudo rejects a last line without one); sensitive content stays sensitive. */
function withFinalNewline(c: Content): Content {
  const bytes = contentBytes(c);
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return c;
  if (typeof c === "string") return `${c}\n`;
  if (!isSensitive(c)) return Buffer.concat([bytes, Buffer.from("\n")]);
  const text = `${bytes.toString("utf8")}\n`;
  return { ...c, reveal: () => text };
}

/**
 * Ensures a sudoers drop-in /etc/sudoers.d/NAME (mode 0440, root:root). New content is checked with
 * `visudo -cf` before it replaces the file: invalid rules fail the op with visudo's message and leave
 * the old file in place, so a typo cannot lock everybody out of sudo.
 * `sudoers("deploy", { content: "deploy ALL=(root) NOPASSWD: /usr/bin/systemctl restart app\n" })`
 */
export function sudoers(name: string, o: SudoersOptions): Operation {
  requireDropInName("sudoers", name, "/etc/sudoers.d");
  const path = `/etc/sudoers.d/${name}`;
  const p = quote(path);
  const state = o.state ?? "present";
  if (state !== "present" && state !== "absent") throw new Error(`sudoers ${name}: state must be "present" or "absent"`);
  if (state === "absent") return declareOp(removedDropInOp("sudoers", name, path, o));
  if (o.content === undefined) throw new Error(`sudoers ${name}: state present needs content`);
  const content = withFinalNewline(o.content);
  const bytes = contentBytes(content);
  const f = fileOp(path, { content, mode: "0440", owner: "root", group: "root", tags: o.tags, notify: o.notify }, "sudoers");
  const b64 = bytes.toString("base64");
  const sha = createHash("sha256").update(bytes).digest("hex");
  return declareOp({
    ...f,
    name,
    apply: () =>
      [
        // The temp file's name holds dots, so sudo ignores it even while it sits in sudoers.d.
        `__t=/etc/sudoers.d/.bosun-tmp.$$.${name}`,
        `if [ ! -f ${p} ] || [ -L ${p} ] || [ "$(sha256sum < ${p} | cut -d' ' -f1)" != ${sha} ]; then`,
        `  command -v visudo >/dev/null || { echo ${quote(`sudoers ${name}: visudo not found (install the sudo package first)`)} >&2; exit 1; }`,
        `  rm -f "$__t"; printf %s ${b64} | base64 -d > "$__t"; chown root:root "$__t"; chmod 0440 "$__t"`,
        `  if ! __out=$(visudo -cf "$__t" 2>&1); then`,
        `    rm -f "$__t"`,
        `    printf '%s\\n' ${quote(`sudoers ${name}: visudo rejected the new content; ${path} is unchanged:`)} "$__out" >&2`,
        "    exit 1",
        "  fi",
        `  mv -f "$__t" ${p}; __changed`,
        "fi",
        `__attrs ${p} 0440 root root`,
      ].join("\n"),
  });
}
