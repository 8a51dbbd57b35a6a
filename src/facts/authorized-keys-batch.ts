/**
 * The authorized_keys facts of many users in six processes: ONE `getent passwd` and ONE `groups`
 * for the accounts (as USERS), then the ~/.ssh directories and authorized_keys files the shell
 * finds (same tests as the single command: -d, -f) go through the file batch's stat, cat | base64
 * and sha256sum (FILE_BATCH_BODY).
 */
import type { FactBatchKind } from "../core/operation.js";
import { quote } from "../util/shell.js";
import { FILE_BATCH_BODY, readFileBatch } from "./file-batch.js";
import { entryOf } from "./group.js";
import { USERS } from "./user.js";

/** The batch kind of authorizedKeysFact: args are user names. */
export const AUTHORIZED_KEYS: FactBatchKind = {
  id: "authorized_keys",
  command: (users) =>
    [
      `set -- ${users.map(quote).join(" ")}`,
      `__ba=$(getent passwd "$@"); printf '%s\\n@groups\\n' "$__ba"; groups "$@"; echo @files`,
      // Each user's home from its passwd line (builtins only), and the paths that pass the single command's tests.
      `__bn='\n'; __bc=$#`,
      "for __bu do",
      `  __br=$__ba$__bn; __h=`,
      `  while [ -n "$__br" ]; do __bl=\${__br%%"$__bn"*}; __br=\${__br#*"$__bn"}`,
      `    [ "\${__bl%%:*}" = "$__bu" ] && { __h=\${__bl#*:*:*:*:*:}; __h=\${__h%:*}; break; }`,
      "  done",
      `  [ -n "$__h" ] || continue`,
      `  [ -d "$__h/.ssh" ] && set -- "$@" "$__h/.ssh"`,
      `  [ -f "$__h/.ssh/authorized_keys" ] && set -- "$@" "$__h/.ssh/authorized_keys"`,
      "done",
      `shift $__bc`,
      // Not indented: the body holds a quoted newline.
      `if [ $# -gt 0 ]; then ${FILE_BATCH_BODY}`,
      "else echo @content; echo; echo @sha256; fi",
    ].join("\n"),
  split: (output, rc, users) => {
    const at = output.indexOf("\n@files\n");
    if (at < 0) throw new Error("authorized_keys batch: output without its @files part");
    const accounts = USERS.split(output.slice(0, at), rc, users);
    // Each user's home, field 6 of its passwd line, as the shell above picked it.
    const passwd = output.slice(0, at).split("\n@groups\n")[0] ?? "";
    const homes = new Map<string, string>();
    for (const u of users) {
      const f = entryOf(passwd, u).output.split(":");
      if (f.length >= 7) homes.set(u, f[5] as string);
    }
    const paths = users.flatMap((u) => (homes.has(u) ? [`${homes.get(u)}/.ssh`, `${homes.get(u)}/.ssh/authorized_keys`] : []));
    const files = readFileBatch(output.slice(at + "\n@files\n".length), paths);
    const out = new Map<string, { output: string; rc: number }>();
    for (const u of users) {
      const account = accounts.get(u);
      const home = homes.get(u);
      if (!account) continue;
      const lines = [account.output];
      const dir = files.stats.get(`${home}/.ssh`);
      if (home !== undefined && dir) lines.push(`dir=${dir.mode} ${dir.owner} ${dir.group}`);
      const keys = `${home}/.ssh/authorized_keys`;
      const file = files.stats.get(keys);
      if (home !== undefined && file) {
        const content = files.contents.get(keys);
        // A symlink, a big file or a cut that did not hold: this user is gathered alone.
        if (!file.kind.startsWith("regular ") || content === undefined) continue;
        lines.push(`file=${file.mode} ${file.owner} ${file.group}`, `content=${content.toString("base64")}`);
      }
      out.set(u, { output: lines.join("\n"), rc: 0 });
    }
    return out;
  },
};
