import { createHmac, randomBytes } from "node:crypto";
import { readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * known_hosts as OpenSSH reads it (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain or hashed
 * (|1|salt|hmac) host patterns, comma lists, * ? wildcards, !negation, [host]:port, and the
 * @revoked / @cert-authority markers. Parsed once per file and run (pyinfra#721: paramiko re-read
 * a large file per host, 2 s each), shared by every host and hop.
 */
export interface KnownHostLine {
  marker?: "revoked" | "cert-authority";
  /** Comma-separated patterns, or a hashed entry. */
  hosts: { hashed: { salt: Buffer; hmac: Buffer } } | { patterns: string[] };
  keyType: string;
  /** The key blob (SSH wire format), as the server sends it. */
  key: Buffer;
}

/** Returns the entries of a known_hosts text; lines it cannot read are skipped like OpenSSH does. */
export function parseKnownHosts(text: string): KnownHostLine[] {
  const out: KnownHostLine[] = [];
  for (const raw of text.split("\n")) {
    const words = raw.trim().split(/\s+/);
    if (!words[0] || words[0].startsWith("#")) continue;
    let marker: KnownHostLine["marker"];
    if (words[0] === "@revoked" || words[0] === "@cert-authority") marker = words.shift()?.slice(1) as KnownHostLine["marker"];
    const [hostField, keyType, b64] = words;
    if (!hostField || !keyType || !b64) continue;
    const key = Buffer.from(b64, "base64");
    if (key.length === 0) continue;
    const h = /^\|1\|([^|]+)\|([^|]+)$/.exec(hostField);
    const hosts = h
      ? { hashed: { salt: Buffer.from(h[1] as string, "base64"), hmac: Buffer.from(h[2] as string, "base64") } }
      : { patterns: hostField.split(",").filter(Boolean) };
    out.push({ marker, hosts, keyType, key });
  }
  return out;
}

/** Returns the name known_hosts uses for host:port: the bare host on 22, else "[host]:port". */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globMatch(pattern: string, name: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "i").test(name);
}

/** Returns whether a line's host field matches name (a negated pattern that matches wins). */
export function lineMatches(line: KnownHostLine, name: string): boolean {
  if ("hashed" in line.hosts) {
    const { salt, hmac } = line.hosts.hashed;
    return createHmac("sha1", salt).update(name).digest().equals(hmac);
  }
  let hit = false;
  for (const p of line.hosts.patterns) {
    if (p.startsWith("!")) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) hit = true;
  }
  return hit;
}

/** What known_hosts says about one host: its plain keys, whether a CA is trusted for it, revoked keys. */
export interface HostKeys {
  keys: { keyType: string; key: Buffer }[];
  hasCertAuthority: boolean;
  revoked: Buffer[];
}

/** Returns what the lines say about name. */
export function lookupHost(lines: readonly KnownHostLine[], name: string): HostKeys {
  const res: HostKeys = { keys: [], hasCertAuthority: false, revoked: [] };
  for (const l of lines) {
    // A revoked key is refused for every host it is listed for; "*" is the usual pattern.
    if (!lineMatches(l, name)) continue;
    if (l.marker === "revoked") res.revoked.push(l.key);
    else if (l.marker === "cert-authority") res.hasCertAuthority = true;
    else res.keys.push({ keyType: l.keyType, key: l.key });
  }
  return res;
}

/** Returns the key type named inside an SSH wire-format key blob (its first string). */
export function blobKeyType(blob: Buffer): string {
  if (blob.length < 4) return "";
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString("latin1");
}

/** Returns one known_hosts line for a newly accepted key; hashed (|1|salt|hmac) when hash is set. */
export function knownHostsLine(name: string, key: Buffer, hash: boolean): string {
  let field = name;
  if (hash) {
    const salt = randomBytes(20);
    field = `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
  }
  return `${field} ${blobKeyType(key)} ${key.toString("base64")}\n`;
}

const cache = new Map<string, { mtimeMs: number; size: number; lines: Promise<KnownHostLine[]> }>();

/**
 * Returns the parsed lines of file (none if it does not exist), re-read only when it changed. Hosts
 * connecting at once share one read: each read of its own would keep its own copy of the whole text
 * alive for as long as the connection (a key type is a slice of the text it was split from).
 */
export async function loadKnownHosts(file: string): Promise<KnownHostLine[]> {
  let st: { mtimeMs: number; size: number };
  try {
    st = await stat(file);
  } catch {
    return [];
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.lines;
  const lines = readFile(file, "utf8").then(parseKnownHosts);
  cache.set(file, { mtimeMs: st.mtimeMs, size: st.size, lines });
  lines.catch(() => {
    if (cache.get(file)?.lines === lines) cache.delete(file);
  });
  return lines;
}

// Appends to one file run one at a time in this process; the rename keeps other readers safe.
const appendChains = new Map<string, Promise<void>>();

/**
 * Appends line to file atomically (copy + rename: a reader never sees half a line), one append at a
 * time per file, so hosts accepted concurrently are all recorded.
 */
export function appendKnownHost(file: string, line: string): Promise<void> {
  const prev = appendChains.get(file) ?? Promise.resolve();
  const next = prev.then(async () => {
    const old = await readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return "";
      throw e;
    });
    const sep = old === "" || old.endsWith("\n") ? "" : "\n";
    const mode = await stat(file).then(
      (s) => s.mode & 0o777,
      () => 0o644,
    );
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.bosun-${process.pid}-${randomBytes(4).toString("hex")}`);
    await writeFile(tmp, old + sep + line, { mode });
    await rename(tmp, file);
    cache.delete(file);
  });
  appendChains.set(
    file,
    next.catch(() => {}),
  );
  return next;
}
