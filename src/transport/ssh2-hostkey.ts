import { HostKeyError } from "../errors.js";
import { appendKnownHost, blobKeyType, type HostKeys, knownHostName, knownHostsLine, loadKnownHosts, lookupHost } from "./known-hosts.js";
import type { SshHostConfig } from "./ssh-config.js";

/** The known_hosts view of one destination (target or hop), read before connecting. */
export interface HostKeyContext {
  /** The name known_hosts lists: HostKeyAlias, else host or [host]:port. */
  name: string;
  known: HostKeys;
  /** Where an accepted key is written (the first UserKnownHostsFile). */
  writeFile?: string;
  hash: boolean;
}

/** Returns what every known_hosts file of cfg (user files, then global ones) says about it. */
export async function hostKeyContext(cfg: SshHostConfig): Promise<HostKeyContext> {
  const name = cfg.hostKeyAlias ?? knownHostName(cfg.hostname, cfg.port);
  const known: HostKeys = { keys: [], hasCertAuthority: false, revoked: [] };
  for (const file of [...cfg.userKnownHostsFiles, ...cfg.globalKnownHostsFiles]) {
    const k = lookupHost(await loadKnownHosts(file), name);
    known.keys.push(...k.keys);
    known.revoked.push(...k.revoked);
    known.hasCertAuthority ||= k.hasCertAuthority;
  }
  return { name, known, writeFile: cfg.userKnownHostsFiles[0], hash: cfg.hashKnownHosts };
}

const DEFAULT_HOST_KEY_ALGOS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
];

/**
 * Returns the host key algorithms to offer: those of the keys already known first, as OpenSSH
 * orders them, so a host with several keys is checked against the one we have, not reported changed.
 */
export function hostKeyAlgorithms(known: HostKeys): string[] {
  const first = new Set<string>();
  for (const { keyType } of known.keys) {
    if (keyType === "ssh-rsa") for (const a of ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]) first.add(a);
    else if (DEFAULT_HOST_KEY_ALGOS.includes(keyType)) first.add(keyType);
  }
  return [...first, ...DEFAULT_HOST_KEY_ALGOS.filter((a) => !first.has(a))];
}

/**
 * Returns the verdict on the key a server offered, with OpenSSH's StrictHostKeyChecking semantics:
 * revoked and changed keys always refused, unknown ones refused unless acceptNew. The errors carry
 * the same words as classifySshFailure's, so both transports report alike.
 */
export function judgeHostKey(label: string, ctx: HostKeyContext, key: Buffer, acceptNew: boolean): "known" | "new" | HostKeyError {
  if (ctx.known.revoked.some((k) => k.equals(key))) {
    return new HostKeyError(
      label,
      `host key REVOKED: ${ctx.name} offered a ${blobKeyType(key)} key marked @revoked in known_hosts; refusing`,
    );
  }
  if (ctx.known.keys.some((k) => k.key.equals(key))) return "known";
  if (ctx.known.keys.length > 0) {
    return new HostKeyError(
      label,
      `host key CHANGED: the key offered differs from known_hosts; refusing to connect (${blobKeyType(key)} key for ${ctx.name} is not the one recorded)`,
    );
  }
  if (acceptNew && ctx.writeFile) return "new";
  return new HostKeyError(
    label,
    `host key unknown: not in known_hosts; refusing (add it, or pass --accept-new-host-keys) (No ${blobKeyType(key)} host key is known for ${ctx.name})`,
  );
}

/** Returns an ssh2 hostVerifier for ctx; a refusal's reason goes to onRefused (ssh2 only says "verification failed"). */
export function hostVerifier(
  label: string,
  ctx: HostKeyContext,
  acceptNew: boolean,
  onRefused: (err: HostKeyError) => void,
): (key: Buffer, verify: (ok: boolean) => void) => void {
  return (key, verify) => {
    const v = judgeHostKey(label, ctx, key, acceptNew);
    if (v instanceof HostKeyError) {
      onRefused(v);
      return verify(false);
    }
    if (v === "known" || !ctx.writeFile) return verify(true);
    // Recorded before the handshake goes on: the next run (and the next host of this run) knows it.
    appendKnownHost(ctx.writeFile, knownHostsLine(ctx.name, key, ctx.hash)).then(
      () => {
        ctx.known.keys.push({ keyType: blobKeyType(key), key });
        verify(true);
      },
      (err: Error) => {
        onRefused(new HostKeyError(label, `could not record the new host key in ${ctx.writeFile}: ${err.message}`));
        verify(false);
      },
    );
  };
}
