import os from "node:os";
import { ConnectionError } from "../errors.js";
import { sshG } from "./ssh-g-batch.js";

/**
 * The effective ~/.ssh/config for one destination, as `ssh -G` prints it (Host and Match blocks,
 * Include, defaults all applied by OpenSSH itself: no second parser of ssh_config to get wrong).
 * Options given with -o/-l/-p/-i win over the files, like on ssh's command line.
 */
export interface SshHostConfig {
  hostname: string;
  user: string;
  port: number;
  identityFiles: string[];
  identitiesOnly: boolean;
  proxyJump?: string;
  proxyCommand?: string;
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  strictHostKeyChecking: string;
  hashKnownHosts: boolean;
  connectTimeoutS?: number;
  serverAliveIntervalS: number;
  serverAliveCountMax: number;
  certificateFiles: string[];
  gssapiAuthentication: boolean;
  pkcs11Provider?: string;
  hostKeyAlias?: string;
}

/** Returns the config `ssh -G` printed (lowercase "key value" lines; list keys repeat or hold several words). */
export function parseSshG(text: string): SshHostConfig {
  const one = new Map<string, string>();
  const many = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const m = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const key = (m[1] as string).toLowerCase();
    const value = m[2] as string;
    if (!one.has(key)) one.set(key, value);
    many.set(key, [...(many.get(key) ?? []), value]);
  }
  const opt = (k: string) => {
    const v = one.get(k);
    return v === undefined || v === "none" ? undefined : v;
  };
  const words = (k: string) => (opt(k) ?? "").split(/\s+/).filter(Boolean);
  const num = (k: string) => (opt(k) === undefined ? undefined : Number(opt(k)));
  return {
    hostname: opt("hostname") ?? "",
    user: opt("user") ?? os.userInfo().username,
    port: num("port") ?? 22,
    identityFiles: many.get("identityfile") ?? [],
    identitiesOnly: one.get("identitiesonly") === "yes",
    proxyJump: opt("proxyjump"),
    proxyCommand: opt("proxycommand"),
    userKnownHostsFiles: words("userknownhostsfile"),
    globalKnownHostsFiles: words("globalknownhostsfile"),
    strictHostKeyChecking: one.get("stricthostkeychecking") ?? "ask",
    hashKnownHosts: one.get("hashknownhosts") === "yes",
    connectTimeoutS: num("connecttimeout"),
    serverAliveIntervalS: num("serveraliveinterval") ?? 0,
    serverAliveCountMax: num("serveralivecountmax") ?? 3,
    certificateFiles: (many.get("certificatefile") ?? []).filter((v) => v !== "none"),
    gssapiAuthentication: one.get("gssapiauthentication") === "yes",
    pkcs11Provider: opt("pkcs11provider"),
    hostKeyAlias: opt("hostkeyalias"),
  };
}

/** What Bosun puts on ssh's command line for a destination (inventory values win over ssh_config). */
export interface SshGArgs {
  address: string;
  user?: string;
  port?: number;
  identityFile?: string;
  /** -o options (ConnectTimeout=…, UserKnownHostsFile=…), as the OpenSSH transport passes them. */
  options: string[];
}

/** Returns the `ssh -G` argv for a destination. */
export function sshGArgv(a: SshGArgs): string[] {
  const args = ["-G"];
  for (const o of a.options) args.push("-o", o);
  if (a.user) args.push("-l", a.user);
  if (a.port) args.push("-p", String(a.port));
  if (a.identityFile) args.push("-i", a.identityFile);
  // "--": an address can never be read as an option.
  args.push("--", a.address);
  return args;
}

const resolved = new Map<string, Promise<SshHostConfig>>();

/** Returns the effective config for a destination (one `ssh -G` per distinct argv and run). */
export function resolveSshConfig(label: string, a: SshGArgs): Promise<SshHostConfig> {
  const argv = sshGArgv(a);
  const key = argv.join("\0");
  let p = resolved.get(key);
  if (!p) {
    p = sshG(argv).then((res) => {
      if (res.code !== 0) {
        resolved.delete(key);
        throw new ConnectionError(label, `ssh -G could not read the ssh config: ${res.output.trim() || `exit ${res.code}`}`, false);
      }
      return parseSshG(res.output);
    });
    resolved.set(key, p);
  }
  return p;
}

/**
 * Returns s with ssh_config's tokens expanded (ssh -G prints IdentityFile and ProxyCommand as
 * written): ~ and %d home, %u local user, %h host, %p port, %r remote user, %n original name, %%.
 */
export function expandTokens(s: string, t: { host: string; port: number; user: string; original: string }): string {
  const home = os.homedir();
  const v: Record<string, string> = {
    "%": "%",
    d: home,
    u: os.userInfo().username,
    h: t.host,
    p: String(t.port),
    r: t.user,
    n: t.original,
  };
  return s.replace(/^~(?=\/|$)/, home).replace(/%([%dhuprn])/g, (_, c: string) => v[c] ?? "");
}
