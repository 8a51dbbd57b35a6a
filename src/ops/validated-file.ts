/**
 * A file write that a checker on the host must accept before the new content goes live: the guard
 * that keeps a typo in nginx, sshd, rsyslog or Prometheus configs from replacing a working config.
 * Two ways to check, as the config's own tools allow:
 *  - the command names the file with `%s` (`sshd -t -f %s`, `promtool check config %s`): it runs on
 *    a temp file beside the target holding the new content, and only an accepted file is renamed in;
 *  - the command checks a whole config tree (`nginx -t`, `rsyslogd -N1`): the new file is put in
 *    place, checked, and on failure the previous file comes back (or the new one goes away), so the
 *    service, reloaded only by handlers after the check, never sees it.
 */
import { createHash } from "node:crypto";
import { declareOp } from "../core/collector.js";
import type { Operation } from "../core/operation.js";
import { quote } from "../util/shell.js";
import { attrArgs, normalizeAttrs } from "./attrs.js";
import { contentBytes, isSensitive } from "./content.js";
import { type FileOptions, fileOp } from "./file.js";

export interface ValidatedFileOptions extends FileOptions {
  /**
   * The check the new content must pass on the host. With `%s`: run on a temp file holding the new
   * content (same directory, final mode). Without: run with the new file in place; failure restores the old one.
   */
  validate: string;
}

/** Returns the sh lines that fail the op with the checker's output, naming the file and the check. */
function rejected(path: string, validate: string, undo: string): string[] {
  const msg = `file ${path}: \`${validate}\` rejected the new content; ${path} is unchanged:`;
  return [
    `  if ! __vout=$( (${validate}) 2>&1); then`,
    `    ${undo}`,
    `    printf '%s\\n' ${quote(msg)} "$__vout" >&2`,
    "    exit 1",
    "  fi",
  ];
}

/**
 * Ensures path holds this content, like `file`, but only content the `validate` command accepts
 * on the host goes live; a rejected write fails the op with the checker's message and leaves the old file.
 * Sensitive content (a Secret, sensitive``) is planned without a diff.
 * `validatedFile("/etc/ssh/sshd_config.d/10-hardening.conf", { content, validate: "sshd -t -f %s" })`
 */
export function validatedFile(path: string, o: ValidatedFileOptions): Operation {
  if (!o.validate.trim()) throw new Error(`validatedFile ${path}: validate must be a command`);
  const f = fileOp(path, o);
  const bytes = contentBytes(o.content);
  const sha = createHash("sha256").update(bytes).digest("hex");
  const attrs = attrArgs(normalizeAttrs(o));
  const p = quote(path);
  const dir = path.slice(0, path.lastIndexOf("/")) || "/";
  const base = path.slice(path.lastIndexOf("/") + 1);
  // Beside the target (same filesystem, relative includes resolve), dot-named so config globs skip it.
  const beside = (what: string) => `${quote(`${dir === "/" ? "" : dir}/.bosun-${what}.`)}$$${quote(`.${base}`)}`;
  const differs = `[ ! -f ${p} ] || [ -L ${p} ] || [ "$(sha256sum < ${p} | cut -d' ' -f1)" != ${sha} ]`;
  const onTemp = o.validate.includes("%s");
  const body = onTemp
    ? [
        `  __vt=${beside("tmp")}; rm -f "$__vt"`,
        `  printf %s ${bytes.toString("base64")} | base64 -d > "$__vt"`,
        `  if [ -e ${p} ]; then chmod "$(stat -c %a ${p})" "$__vt"; chown "$(stat -c %u:%g ${p})" "$__vt"; fi`,
        `  __attrs "$__vt" ${attrs}`,
        ...rejected(path, o.validate.replaceAll("%s", '"$__vt"'), 'rm -f "$__vt"'),
        `  mv -f "$__vt" ${p}; __changed`,
      ]
    : [
        `  __vb=${beside("bak")}; rm -f "$__vb"`,
        `  if [ -e ${p} ]; then cp -p ${p} "$__vb"; fi`,
        `  __put ${p} ${bytes.toString("base64")} ${attrs}`,
        ...rejected(path, o.validate, `if [ -e "$__vb" ]; then mv -f "$__vb" ${p}; else rm -f ${p}; fi`),
        `  rm -f "$__vb"`,
      ];
  return declareOp({
    ...f,
    // The host's old version of a secret (an old TLS key) is not a registered secret: never show it in a diff.
    plan: isSensitive(o.content) ? (facts) => ({ ...f.plan(facts), diff: undefined }) : f.plan,
    apply: () => [`if ${differs}; then`, ...body, "fi", `__attrs ${p} ${attrs}`].join("\n"),
  });
}
