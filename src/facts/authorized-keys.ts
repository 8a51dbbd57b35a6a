import type { FactRequest } from "../core/operation.js";
import { AUTHORIZED_KEYS } from "./authorized-keys-batch.js";
import { keyValues, parseUserEntry, type UserEntry, userEntryCommand } from "./user.js";

/** A user's ~/.ssh/authorized_keys as found on the host (home from the passwd database). */
export interface AuthorizedKeysFact {
  user: UserEntry;
  /** ~/.ssh: absent, or its mode/owner/group. */
  dir?: { mode: string; owner: string; group: string };
  /** ~/.ssh/authorized_keys: absent, or its mode/owner/group and content. */
  file?: { mode: string; owner: string; group: string; content: string };
}

/** Returns the fact of user's authorized_keys file (the home is resolved on the host with getent). */
export function authorizedKeysFact(user: string): FactRequest<AuthorizedKeysFact> {
  return {
    key: `authorized_keys:${user}`,
    command: [
      userEntryCommand(user),
      // The home field of the entry userEntryCommand left in $__e (no second getent | cut).
      `__h=\${__e#*:*:*:*:*:}; __h=\${__h%:*}`,
      `if [ -n "$__h" ] && [ -d "$__h/.ssh" ]; then stat -c 'dir=%a %U %G' "$__h/.ssh"; fi`,
      `if [ -n "$__h" ] && [ -f "$__h/.ssh/authorized_keys" ]; then`,
      `  stat -c 'file=%a %U %G' "$__h/.ssh/authorized_keys"; printf content=; base64 -w0 < "$__h/.ssh/authorized_keys"; echo`,
      "fi",
    ].join("\n"),
    parse: (out) => parseAuthorizedKeysFact(out, user),
    batch: { kind: AUTHORIZED_KEYS, arg: user },
  };
}

/** Parses the output of authorizedKeysFact's command. */
export function parseAuthorizedKeysFact(output: string, user: string): AuthorizedKeysFact {
  const kv = keyValues(output);
  const attrs = (s: string | undefined) => {
    const [mode = "", owner = "", group = ""] = (s ?? "").split(" ");
    return { mode: mode.padStart(4, "0"), owner, group };
  };
  return {
    user: parseUserEntry(output, user),
    dir: kv.dir !== undefined ? attrs(kv.dir) : undefined,
    file: kv.file !== undefined ? { ...attrs(kv.file), content: Buffer.from(kv.content ?? "", "base64").toString("utf8") } : undefined,
  };
}

/** A public key line of an authorized_keys file. */
export interface PublicKey {
  /** The line as written (trimmed). */
  line: string;
  /** Options before the key type (`from="…",no-pty`), "" when none. */
  options: string;
  type: string;
  /** The base64 key blob: what identifies a key. */
  blob: string;
  comment: string;
}

const KEY_TYPES = new Set([
  "ssh-ed25519",
  "ssh-rsa",
  "ssh-dss",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
]);

/** Returns the key of an authorized_keys line, or undefined for a blank line, comment or malformed key. */
export function parsePublicKey(text: string): PublicKey | undefined {
  const line = text.trim();
  if (line === "" || line.startsWith("#")) return undefined;
  // The key is the first word that is a key type followed by its base64 blob; anything before it is options.
  const re = /(\S+)\s+([A-Za-z0-9+/]+={0,2})(?:\s+(.*))?$/y;
  for (let at = 0; at < line.length; at++) {
    if (at > 0 && !/\s/.test(line[at - 1] as string)) continue;
    re.lastIndex = at;
    const m = re.exec(line);
    const type = m?.[1] as string;
    if (!m || !KEY_TYPES.has(type.replace(/-cert-v01@openssh\.com$/, "")) || blobType(m[2] as string) !== type) continue;
    return { line, options: line.slice(0, at).trim(), type, blob: m[2] as string, comment: (m[3] ?? "").trim() };
  }
  return undefined;
}

/** Returns the key type named inside a base64 blob (its first length-prefixed string). */
function blobType(b64: string): string | undefined {
  const buf = Buffer.from(b64, "base64");
  if (buf.length < 4) return undefined;
  const n = buf.readUInt32BE(0);
  return n > 0 && n < 64 && buf.length >= 4 + n + 4 ? buf.subarray(4, 4 + n).toString("latin1") : undefined;
}

/** Returns a short, recognisable form of a key for plans: "ssh-ed25519 …Wq3rT2kLmN0p alice@laptop". */
export function shortKey(k: PublicKey): string {
  return `${k.type} …${k.blob.replace(/=+$/, "").slice(-12)}${k.comment ? ` ${k.comment}` : ""}`;
}
