import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation } from "../core/operation.js";
import { fileFact } from "../facts/file.js";
import { quote } from "../util/shell.js";
import { type Attrs, attrArgs, attrChanges, normalizeAttrs, requireAbsolute } from "./attrs.js";

export interface DownloadOptions extends CommonOptions, Attrs {
  /** http(s) or ftp URL. It may carry a token: it never appears on a command line on the host. */
  url: string;
  /** Expected SHA-256 of the file (hex). */
  sha256: string;
}

/** Returns the first 12 hex digits of a checksum, for summaries. */
const short = (sha: string | undefined) => (sha ? sha.slice(0, 12) : "-");

/** Returns url with any user:password@ and query string hidden, for summaries. */
export function displayUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1***@").replace(/\?.*$/, "?***");
}

/**
 * Ensures dest is the file at url with this sha256: fetched (curl or wget, whichever the host has) only
 * when dest's checksum differs, into a temp file in dest's directory, verified, then renamed into place.
 */
export function download(dest: string, o: DownloadOptions): Operation {
  requireAbsolute("download", dest);
  const k = `download ${dest}`;
  if (typeof o.url !== "string" || !/^(https?|ftp):\/\/[^\s]+$/i.test(o.url)) throw new Error(`${k}: url must be an http(s) or ftp URL`);
  if (typeof o.sha256 !== "string" || !/^[0-9a-fA-F]{64}$/.test(o.sha256))
    throw new Error(`${k}: sha256 must be 64 hex digits, got ${JSON.stringify(o.sha256)}`);
  const sha = o.sha256.toLowerCase();
  const attrs = normalizeAttrs(o);
  const fact = fileFact(dest);
  return declareOp({
    kind: "download",
    name: dest,
    ...commonFields(o),
    facts: () => [fact],
    plan(facts) {
      const cur = facts.get(fact);
      if (cur.type === "directory") throw new Error(`${dest} is a directory; refusing to replace it with a file`);
      if (cur.type !== "file") return { changed: true, summary: `download ${displayUrl(o.url)} (sha256 ${short(sha)}…)` };
      if (cur.sha256 !== sha)
        return { changed: true, summary: `download ${displayUrl(o.url)}: sha256 ${short(cur.sha256)}… → ${short(sha)}…` };
      const changes = attrChanges(cur, attrs);
      return changes.length ? { changed: true, summary: changes.join(", ") } : { changed: false, summary: `sha256 ${short(sha)}…` };
    },
    apply: () => downloadScript(dest, o.url, sha, attrArgs(attrs)),
  });
}

/** Returns the sh that fetches url to dest unless dest already has checksum sha, then sets attributes. */
function downloadScript(dest: string, url: string, sha: string, attrs: string): string {
  const p = quote(dest);
  // The URL goes to curl/wget in a file of the script's private temp dir, not in argv (ps shows argv).
  const curlUrl = `url = "${url.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"\n`;
  return [
    `__url=${quote(displayUrl(url))}`,
    `if [ ! -f ${p} ] || [ "$(sha256sum < ${p} | cut -d' ' -f1)" != ${sha} ]; then`,
    `  __dir=$(dirname ${p}); [ -d "$__dir" ] || { echo "download: directory $__dir does not exist" >&2; exit 1; }`,
    `  __t="$__dir/.bosun-tmp.$$.$(basename ${p})"; rm -f "$__t"`,
    "  if command -v curl >/dev/null 2>&1; then",
    `    printf %s ${quote(curlUrl)} > "$__d/url"`,
    `    curl -fsSL --retry 2 -K "$__d/url" -o "$__t" || { rm -f "$__t"; echo "download: curl failed to fetch $__url" >&2; exit 1; }`,
    "  elif command -v wget >/dev/null 2>&1; then",
    `    printf '%s\\n' ${quote(url)} > "$__d/url"`,
    `    wget -q -i "$__d/url" -O "$__t" || { rm -f "$__t"; echo "download: wget failed to fetch $__url" >&2; exit 1; }`,
    `  else echo "download: neither curl nor wget is installed on this host" >&2; exit 1; fi`,
    `  rm -f "$__d/url"; __got=$(sha256sum < "$__t" | cut -d' ' -f1)`,
    `  if [ "$__got" != ${sha} ]; then`,
    `    rm -f "$__t"; echo "download: checksum mismatch for $__url: expected sha256 ${sha}, got $__got" >&2; exit 1`,
    "  fi",
    `  if [ -e ${p} ]; then chmod "$(stat -c %a ${p})" "$__t"; chown "$(stat -c %u:%g ${p})" "$__t"; else chmod 0644 "$__t"; fi`,
    `  mv -f "$__t" ${p}; __changed`,
    "fi",
    `__attrs ${p} ${attrs}`,
  ].join("\n");
}
