import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation } from "../core/operation.js";
import { type AuthorizedKeysFact, authorizedKeysFact, type PublicKey, parsePublicKey, shortKey } from "../facts/authorized-keys.js";
import { requireAccountName } from "../facts/group.js";
import { quote } from "../util/shell.js";
import { attrChanges } from "./attrs.js";

export interface AuthorizedKeysOptions extends CommonOptions {
  /** Public key lines: `[options] TYPE BASE64 [comment]`, one key each. */
  keys: string[];
  /** true: the file holds exactly these keys (in this order); false (default): these keys are added, others kept. */
  exclusive?: boolean;
  /** absent: these keys are removed (others kept). */
  state?: "present" | "absent";
}

/** Returns the key of each line, throwing on a line that is not a public key. */
export function parseKeys(kind: string, keys: string[]): PublicKey[] {
  if (!Array.isArray(keys)) throw new Error(`${kind}: keys must be a list of public key lines`);
  const seen = new Set<string>();
  return keys.flatMap((text, i) => {
    const k = typeof text === "string" && !text.includes("\n") ? parsePublicKey(text) : undefined;
    if (!k) {
      const shown = String(text).length > 40 ? `${String(text).slice(0, 37)}...` : String(text);
      throw new Error(`${kind}: keys[${i}] is not one public key line (expected "[options] TYPE BASE64 [comment]"), got "${shown}"`);
    }
    if (seen.has(k.blob)) return [];
    seen.add(k.blob);
    return [k];
  });
}

/**
 * Ensures public keys in a user's ~/.ssh/authorized_keys (the home comes from the passwd database on
 * the host). ~/.ssh is kept 0700 and the file 0600, both owned by the user and its primary group.
 */
export function authorizedKeys(user: string, o: AuthorizedKeysOptions): Operation {
  requireAccountName("authorized_keys", user);
  const kind = `authorized_keys ${user}`;
  const state = o.state ?? "present";
  if (state !== "present" && state !== "absent") throw new Error(`${kind}: bad state "${state}" (expected present or absent)`);
  if (o.exclusive && state === "absent") throw new Error(`${kind}: exclusive only applies with state "present"`);
  const keys = parseKeys(kind, o.keys);
  if (keys.length === 0 && !o.exclusive) throw new Error(`${kind}: no keys given (use exclusive: true to remove every key)`);
  const exclusive = o.exclusive === true;
  const content = keys.map((k) => `${k.line}\n`).join("");
  const fact = authorizedKeysFact(user);
  return declareOp({
    kind: "authorized_keys",
    name: user,
    ...commonFields(o),
    facts: () => [fact],
    plan: (facts) => planKeys(user, facts.get(fact), keys, state, exclusive),
    apply() {
      const u = quote(user);
      const head = [
        state === "absent"
          ? `__e=$(getent passwd ${u}) || exit 0 # no user, no keys to remove (as planned)`
          : `__e=$(getent passwd ${u}) || { echo "authorized_keys: user ${user} does not exist" >&2; exit 1; }`,
        `__h=$(printf '%s\\n' "$__e" | cut -d: -f6); __g=$(id -gn ${u}); __f="$__h/.ssh/authorized_keys"`,
        `[ -d "$__h" ] || { echo "authorized_keys: home directory $__h of ${user} does not exist" >&2; exit 1; }`,
        // Root writes in a home the user controls: never follow a link the user may have planted.
        `for __l in "$__h/.ssh" "$__f"; do [ ! -L "$__l" ] || { echo "authorized_keys: $__l is a symlink; refusing to follow it" >&2; exit 1; }; done`,
        `__t="$__h/.ssh/.bosun-tmp.$$.authorized_keys"`,
      ];
      // A key is there when a non-comment line has its blob as a word (options and comment may differ).
      const lines = `'/^[ \\t]*#/{print;next} {k=1; for(i=1;i<=NF;i++) if($i in b) k=0} k'`;
      const blobs = `BEGIN{n=split(bs,a," "); for(i=1;i<=n;i++) b[a[i]]=1}`;
      if (state === "absent") {
        return [
          ...head,
          `if [ -f "$__f" ]; then`,
          `  rm -f "$__t"; awk -v bs=${quote(keys.map((k) => k.blob).join(" "))} '${blobs}'${lines} "$__f" > "$__t"`,
          `  if cmp -s "$__t" "$__f"; then rm -f "$__t"; else`,
          `    chmod "$(stat -c %a "$__f")" "$__t"; chown "$(stat -c %u:%g "$__f")" "$__t"; mv -f "$__t" "$__f"; __changed`,
          "  fi",
          "fi",
        ].join("\n");
      }
      const sh = [...head, `__mkdir "$__h/.ssh" 0700 ${u} "$__g"`];
      if (exclusive) {
        sh.push(`__put "$__f" ${quote(Buffer.from(content).toString("base64"))} 0600 ${u} "$__g"`);
        return sh.join("\n");
      }
      sh.push(
        `__has() { awk -v b="$1" '/^[ \\t]*#/{next} {for(i=1;i<=NF;i++) if($i==b) f=1} END{exit !f}' "$__t"; }`,
        `rm -f "$__t"; : > "$__t"; __add=`,
        `if [ -f "$__f" ]; then cat "$__f" > "$__t"; [ ! -s "$__t" ] || [ -z "$(tail -c1 "$__t")" ] || echo >> "$__t"; fi`,
        ...keys.map((k) => `__has ${quote(k.blob)} || { printf '%s\\n' ${quote(k.line)} >> "$__t"; __add=1; }`),
        `if [ -n "$__add" ] || [ ! -f "$__f" ]; then`,
        `  chmod 0600 "$__t"; chown ${u}:"$__g" "$__t"; mv -f "$__t" "$__f"; __changed`,
        `else rm -f "$__t"; fi`,
        `__attrs "$__f" 0600 ${u} "$__g"`,
      );
      return sh.join("\n");
    },
  });
}

/** Returns the plan for keys against the fact: keys added/removed in short form, attribute fixes. */
export function planKeys(user: string, cur: AuthorizedKeysFact, keys: PublicKey[], state: "present" | "absent", exclusive: boolean) {
  if (!cur.user.exists) {
    return state === "absent"
      ? { changed: false, summary: "user absent" }
      : { changed: true, summary: `user does not exist yet; add ${keys.map(shortKey).join(", ")} once it does` };
  }
  const lines = (cur.file?.content ?? "").split("\n");
  const present = lines.map(parsePublicKey).filter((k): k is PublicKey => k !== undefined);
  const has = new Set(present.map((k) => k.blob));
  const want = new Set(keys.map((k) => k.blob));
  const added = state === "present" ? keys.filter((k) => !has.has(k.blob)) : [];
  const removed = present.filter((k) => (state === "absent" ? want.has(k.blob) : exclusive && !want.has(k.blob)));
  const changes: string[] = [];
  const delta = [...added.map((k) => `+${shortKey(k)}`), ...removed.map((k) => `-${shortKey(k)}`)];
  if (delta.length) changes.push(`keys ${delta.join(", ")}`);
  const content = keys.map((k) => `${k.line}\n`).join("");
  if (exclusive && !delta.length && (cur.file?.content ?? "") !== content)
    changes.push(cur.file ? "rewrite (same keys; options, comments or order differ)" : "create (no keys)");
  if (state === "present") {
    const attrs = { owner: user, group: cur.user.group };
    if (!cur.dir) changes.push("create ~/.ssh");
    else changes.push(...attrChanges({ type: "directory", ...cur.dir }, { ...attrs, mode: "0700" }).map((c) => `~/.ssh ${c}`));
    if (cur.file)
      changes.push(
        ...attrChanges({ type: "file", mode: cur.file.mode, owner: cur.file.owner, group: cur.file.group }, { ...attrs, mode: "0600" }).map(
          (c) => `authorized_keys ${c}`,
        ),
      );
  }
  return changes.length
    ? { changed: true, summary: changes.join(", ") }
    : { changed: false, summary: `${present.length} key${present.length === 1 ? "" : "s"}` };
}
