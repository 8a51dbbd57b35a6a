import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation } from "../core/operation.js";
import { requireAccountName } from "../facts/group.js";
import { type UserEntry, userFact } from "../facts/user.js";
import { join, quote } from "../util/shell.js";
import { requireId } from "./group.js";

export interface UserOptions extends CommonOptions {
  uid?: number;
  /** Primary group: a name or a gid. Default on creation: a group named like the user (existing or new). */
  group?: string | number;
  /** Supplementary groups (they must exist). */
  groups?: string[];
  /** true (default): add the user to `groups`, keeping other memberships; false: exactly `groups`. */
  append?: boolean;
  shell?: string;
  home?: string;
  /** Create the home directory (from /etc/skel) when creating the user. Default: true, false for system users. */
  createHome?: boolean;
  /** Create it as a system user (uid from the system range); only used when creating. */
  system?: boolean;
  /** GECOS field (full name). */
  comment?: string;
  state?: "present" | "absent";
  /** With state "absent": also remove the home directory and mail spool. */
  remove?: boolean;
}

/** Ensures a local user account and its attributes (useradd/usermod), or its absence (userdel). */
export function user(name: string, o: UserOptions = {}): Operation {
  requireAccountName("user", name);
  const want = validate(name, o);
  const state = o.state ?? "present";
  const fact = userFact(name);
  return declareOp({
    kind: "user",
    name,
    ...commonFields(o),
    facts: () => [fact],
    plan(facts) {
      const cur = facts.get(fact);
      if (state === "absent") {
        if (!cur.exists) return { changed: false, summary: "absent" };
        return { changed: true, summary: o.remove ? `remove (and home ${cur.home})` : "remove" };
      }
      if (!cur.exists) {
        const parts = [
          o.uid !== undefined ? `uid ${o.uid}` : "",
          o.group !== undefined ? `group ${o.group}` : "",
          want.groups.length ? `groups ${want.groups.map((g) => `+${g}`).join(" ")}` : "",
          o.shell ? `shell ${o.shell}` : "",
          o.home ? `home ${o.home}` : "",
          o.system ? "system" : "",
        ].filter(Boolean);
        return { changed: true, summary: `create${parts.length ? ` (${parts.join(", ")})` : ""}` };
      }
      const changes = userChanges(cur, o, want.groups, want.append);
      return changes.length ? { changed: true, summary: changes.join(", ") } : { changed: false, summary: `uid ${cur.uid}` };
    },
    apply: () => (state === "absent" ? removeScript(name, o.remove === true) : presentScript(name, o, want.groups, want.append)),
  });
}

/** Throws on options a host would reject; returns the normalised group list and append flag. */
function validate(name: string, o: UserOptions): { groups: string[]; append: boolean } {
  const k = `user ${name}`;
  if (o.state !== undefined && o.state !== "present" && o.state !== "absent")
    throw new Error(`${k}: bad state "${o.state}" (expected present or absent)`);
  requireId(k, "uid", o.uid);
  if (typeof o.group === "number") requireId(k, "group id", o.group);
  else if (o.group !== undefined && !/^\d+$/.test(o.group)) requireAccountName(`${k}: group`, o.group);
  for (const g of o.groups ?? []) requireAccountName(`${k}: groups`, g);
  for (const [what, v] of [
    ["shell", o.shell],
    ["home", o.home],
  ] as const) {
    if (v !== undefined && (!v.startsWith("/") || /[:\n]/.test(v)))
      throw new Error(`${k}: ${what} must be an absolute path without ":", got "${v}"`);
  }
  if (o.comment !== undefined && /[:\n]/.test(o.comment)) throw new Error(`${k}: comment must not contain ":" or a newline`);
  if (o.remove && o.state !== "absent") throw new Error(`${k}: remove only applies with state "absent"`);
  return { groups: [...new Set(o.groups ?? [])], append: o.append ?? true };
}

/** Returns the human list of changes from the current account to the desired one ("shell /bin/sh → /bin/zsh"). */
export function userChanges(cur: UserEntry, o: UserOptions, groups: string[], append: boolean): string[] {
  const out: string[] = [];
  if (o.uid !== undefined && cur.uid !== o.uid) out.push(`uid ${cur.uid} → ${o.uid}`);
  const byGid = typeof o.group === "number" || (o.group !== undefined && /^\d+$/.test(o.group));
  if (o.group !== undefined && (byGid ? cur.gid !== Number(o.group) : cur.group !== o.group))
    out.push(`group ${byGid ? cur.gid : cur.group} → ${o.group}`);
  if (o.comment !== undefined && cur.comment !== o.comment)
    out.push(`comment ${JSON.stringify(cur.comment)} → ${JSON.stringify(o.comment)}`);
  if (o.home !== undefined && cur.home !== o.home) out.push(`home ${cur.home} → ${o.home}`);
  if (o.shell !== undefined && cur.shell !== o.shell) out.push(`shell ${cur.shell} → ${o.shell}`);
  if (o.groups !== undefined) {
    // The primary group the account will have: its membership is not a supplementary one.
    const primary = o.group !== undefined && !byGid ? String(o.group) : cur.group;
    const supplementary = (cur.groups ?? []).filter((g) => g !== cur.group);
    const wanted = groups.filter((g) => g !== primary);
    const delta = [
      ...wanted.filter((g) => !supplementary.includes(g)).map((g) => `+${g}`),
      ...(append ? [] : supplementary.filter((g) => !wanted.includes(g)).map((g) => `-${g}`)),
    ];
    if (delta.length) out.push(`groups ${delta.join(" ")}`);
  }
  return out;
}

function removeScript(name: string, remove: boolean): string {
  const n = quote(name);
  return `if getent passwd ${n} >/dev/null; then userdel${remove ? " -r" : ""} ${n}; __changed; fi`;
}

function presentScript(name: string, o: UserOptions, groups: string[], append: boolean): string {
  const n = quote(name);
  const createHome = o.createHome ?? !o.system;
  const add = [
    ...(o.uid !== undefined ? ["-u", o.uid] : []),
    ...(o.group !== undefined ? ["-g", o.group] : []),
    ...(groups.length ? ["-G", groups.join(",")] : []),
    ...(o.shell !== undefined ? ["-s", o.shell] : []),
    ...(o.home !== undefined ? ["-d", o.home] : []),
    createHome ? "-m" : "-M",
    ...(o.system ? ["-r"] : []),
    ...(o.comment !== undefined ? ["-c", o.comment] : []),
  ];
  // Without a group, useradd would fail to create the user's own group when it already exists: use it.
  const ownGroup = o.group === undefined ? `$(getent group ${n} >/dev/null && echo -g ${n})` : "";
  const check = (field: number, value: string | number, flag: string) =>
    `  [ "$(__uf ${field})" = ${quote(value)} ] || { usermod ${flag} ${quote(value)} ${n}; __changed; }`;
  const sh = [
    `__uf() { getent passwd ${n} | cut -d: -f"$1"; }`,
    `if ! getent passwd ${n} >/dev/null; then`,
    `  useradd ${join(add)} ${ownGroup} ${n}; __changed`,
    "else",
    ":",
  ];
  if (o.uid !== undefined) sh.push(check(3, o.uid, "-u"));
  if (o.group !== undefined) {
    if (typeof o.group === "number" || /^\d+$/.test(o.group)) sh.push(check(4, o.group, "-g"));
    else sh.push(`  [ "$(id -gn ${n})" = ${quote(o.group)} ] || { usermod -g ${quote(o.group)} ${n}; __changed; }`);
  }
  if (o.comment !== undefined) sh.push(check(5, o.comment, "-c"));
  if (o.home !== undefined) sh.push(check(6, o.home, "-d"));
  if (o.shell !== undefined) sh.push(check(7, o.shell, "-s"));
  if (o.groups !== undefined) sh.push(groupsScript(n, groups, append));
  sh.push("fi");
  return sh.join("\n");
}

/** Returns the sh that adds the user to groups (append) or sets exactly these supplementary groups. */
function groupsScript(n: string, groups: string[], append: boolean): string {
  const list = join(groups);
  if (append) {
    return [
      `__pg=$(id -gn ${n}); __have=" $(id -Gn ${n}) "; __add=`,
      `for __g in ${list}; do [ "$__g" = "$__pg" ] && continue; case "$__have" in *" $__g "*) ;; *) __add="$__add,$__g";; esac; done`,
      `[ -z "$__add" ] || { usermod -a -G "\${__add#,}" ${n}; __changed; }`,
    ].join("\n");
  }
  return [
    `__pg=$(id -gn ${n})`,
    `__have=$(for __g in $(id -Gn ${n}); do [ "$__g" = "$__pg" ] || echo "$__g"; done | sort -u | paste -sd, -)`,
    `__want=$(for __g in ${list}; do [ "$__g" = "$__pg" ] || echo "$__g"; done | sort -u | paste -sd, -)`,
    `[ "$__have" = "$__want" ] || { usermod -G "$__want" ${n}; __changed; }`,
  ].join("\n");
}
