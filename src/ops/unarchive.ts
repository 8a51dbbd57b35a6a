import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation } from "../core/operation.js";
import { fileFact } from "../facts/file.js";
import { quote } from "../util/shell.js";
import { requireAbsolute } from "./attrs.js";

export interface UnarchiveOptions extends CommonOptions {
  /** Archive on the control machine (relative to the current directory): .tar.gz, .tgz, .tar or .zip. */
  src: string;
  /** A path the archive creates: extract again when it is missing, even if this archive was extracted before. */
  creates?: string;
}

/** Largest archive carried inside the apply script; bigger ones should be fetched with download(). */
export const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024;

const FORMATS: [RegExp, "tar.gz" | "tar" | "zip"][] = [
  [/\.(tar\.gz|tgz)$/i, "tar.gz"],
  [/\.tar$/i, "tar"],
  [/\.zip$/i, "zip"],
];

/** Returns the marker file recording the sha256 of the archive last extracted into dest. */
export function archiveMarker(dest: string, src: string): string {
  return `${dest.replace(/\/+$/, "")}/.bosun-archive-${path.basename(src).replace(/[^A-Za-z0-9._-]/g, "_")}.sha256`;
}

/**
 * Ensures an archive from the control machine is extracted into dest (created if needed): extracts when
 * this archive (by sha256, recorded in dest/.bosun-archive-NAME.sha256) was not extracted there yet, or
 * when `creates` is missing. Files keep the archive's modes; the extracting user owns them.
 */
export function unarchive(dest: string, o: UnarchiveOptions): Operation {
  requireAbsolute("unarchive", dest);
  const k = `unarchive ${dest}`;
  if (o.creates !== undefined) requireAbsolute(`${k}: creates`, o.creates);
  const src = path.resolve(String(o.src));
  const format = FORMATS.find(([re]) => re.test(src))?.[1];
  if (!format) throw new Error(`${k}: src must be a .tar.gz, .tgz, .tar or .zip file, got ${src}`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(src);
  } catch {
    throw new Error(`${k}: archive not found on the control machine: ${src}`);
  }
  if (bytes.length > MAX_ARCHIVE_BYTES) {
    throw new Error(`${k}: ${src} is ${Math.round(bytes.length / 2 ** 20)} MiB; archives over 64 MiB should be fetched with download()`);
  }
  const sha = createHash("sha256").update(bytes).digest("hex");
  const marker = archiveMarker(dest, src);
  const markerFact = fileFact(marker);
  const createsFact = o.creates !== undefined ? fileFact(o.creates) : undefined;
  const destFact = fileFact(dest);
  const name = path.basename(src);
  return declareOp({
    kind: "unarchive",
    name: dest,
    ...commonFields(o),
    facts: () => [destFact, markerFact, ...(createsFact ? [createsFact] : [])],
    plan(facts) {
      const d = facts.get(destFact);
      if (d.type !== "absent" && d.type !== "directory") throw new Error(`${dest} exists and is not a directory`);
      const recorded = facts.get(markerFact).content?.toString("utf8").trim();
      const why =
        createsFact && facts.get(createsFact).type === "absent"
          ? `${o.creates} is missing`
          : recorded === undefined
            ? "not extracted yet"
            : recorded !== sha
              ? `archive changed (sha256 ${recorded.slice(0, 12)}… → ${sha.slice(0, 12)}…)`
              : undefined;
      return why
        ? { changed: true, summary: `extract ${name} (${bytes.length} bytes): ${why}` }
        : { changed: false, summary: `${name} extracted (sha256 ${sha.slice(0, 12)}…)` };
    },
    apply() {
      const d = quote(dest);
      const a = `"$__d/archive"`;
      const extract =
        format === "zip"
          ? `command -v unzip >/dev/null 2>&1 || { echo "unarchive: unzip is not installed on this host" >&2; exit 1; }\nunzip -q -o ${a} -d ${d}`
          : `tar -x${format === "tar.gz" ? "z" : ""}f ${a} -C ${d} --no-same-owner`;
      return [
        `__need=; [ "$(cat ${quote(marker)} 2>/dev/null)" = ${sha} ] || __need=1`,
        ...(o.creates !== undefined ? [`[ -e ${quote(o.creates)} ] || __need=1`] : []),
        `if [ -n "$__need" ]; then`,
        `[ -d ${d} ] || mkdir -p ${d}`,
        `__put ${a} ${bytes.toString("base64")} 0600 - -`,
        extract,
        `rm -f ${a}`,
        `__put ${quote(marker)} ${Buffer.from(`${sha}\n`).toString("base64")} 0644 - -`,
        "__changed",
        "fi",
      ].join("\n");
    },
  });
}
