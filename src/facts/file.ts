import { createHash } from "node:crypto";
import type { FactRequest } from "../core/operation.js";
import { quote } from "../util/shell.js";
import { FILE_BATCH, MAX_FACT_CONTENT } from "./file-batch.js";

export { MAX_FACT_CONTENT };

export interface FileFact {
  type: "absent" | "file" | "directory" | "link" | "other";
  mode?: string;
  owner?: string;
  group?: string;
  size?: number;
  sha256?: string;
  /** Link target, for a symlink. */
  target?: string;
  /** Content, for a regular file of at most MAX_FACT_CONTENT bytes. */
  content?: Buffer;
}

/** Returns the fact describing path (lstat: a symlink is reported as a link, not followed). */
export function fileFact(path: string): FactRequest<FileFact> {
  const p = quote(path);
  return {
    key: `file:${path}`,
    command: [
      `p=${p}`,
      `if [ -L "$p" ]; then echo type=link; echo "target=$(readlink "$p")"; stat -c 'owner=%U group=%G' "$p"`,
      `elif [ -d "$p" ]; then echo type=directory; stat -c 'mode=%a owner=%U group=%G' "$p"`,
      // One stat for attributes and size; the hash of content that comes back is computed by the parser,
      // so a small file costs two processes (stat, base64) instead of six: they add up over a fleet.
      `elif [ -f "$p" ]; then echo type=file; __s=$(stat -c 'mode=%a owner=%U group=%G size=%s' "$p"); echo "$__s"`,
      `  if [ "\${__s##*size=}" -le ${MAX_FACT_CONTENT} ] 2>/dev/null; then printf content=; base64 -w0 < "$p"; echo`,
      `  else echo "sha256=$(sha256sum < "$p" | cut -d' ' -f1)"; fi`,
      `elif [ -e "$p" ]; then echo type=other; else echo type=absent; fi`,
    ].join("\n"),
    parse: parseFileFact,
    batch: { kind: FILE_BATCH, arg: path },
  };
}

/** Parses the key=value lines of fileFact's command. */
export function parseFileFact(output: string): FileFact {
  const kv: Record<string, string> = {};
  for (const line of output.split("\n")) {
    // target= and content= take the whole line (a link target may hold spaces); stat's line holds several pairs.
    const words = /^(target|content|type|sha256)=/.test(line) ? [line] : line.split(" ");
    for (const w of words) {
      const eq = w.indexOf("=");
      if (eq > 0) kv[w.slice(0, eq)] = w.slice(eq + 1);
    }
  }
  const type = (kv.type ?? "absent") as FileFact["type"];
  const content = kv.content !== undefined ? Buffer.from(kv.content, "base64") : undefined;
  return {
    type,
    mode: kv.mode !== undefined ? normalizeMode(kv.mode) : undefined,
    owner: kv.owner,
    group: kv.group,
    size: kv.size !== undefined ? Number(kv.size) : undefined,
    sha256: kv.sha256 ?? (content ? createHash("sha256").update(content).digest("hex") : undefined),
    target: kv.target,
    content,
  };
}

/** Returns a mode as 4 octal digits ("644" → "0644"); throws on anything but an octal mode. */
export function normalizeMode(mode: string | number): string {
  const s = typeof mode === "number" ? mode.toString(8) : mode;
  if (!/^[0-7]{3,4}$/.test(s)) throw new Error(`bad file mode "${mode}" (expected octal like "0644")`);
  return s.padStart(4, "0");
}

/** Returns a fact that is the exit status of a command (0 = true). For guards like `unless`. */
export function rcFact(command: string): FactRequest<number> {
  return {
    key: `rc:${command}`,
    // In a subshell, as the apply guards run it: an `exit` or a list (`a; b`) is then judged, and silenced, whole.
    command: `( ${command} ) >/dev/null 2>&1; echo "rc=$?"`,
    parse: (out) => Number(/rc=(\d+)/.exec(out)?.[1] ?? 1),
  };
}
