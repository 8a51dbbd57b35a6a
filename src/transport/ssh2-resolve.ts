import { existsSync } from "node:fs";
import os from "node:os";
import { ConnectionError } from "../errors.js";
import type { ConnectionSpec } from "./spec.js";
import { expandTokens, resolveSshConfig, type SshGArgs, type SshHostConfig } from "./ssh-config.js";
import { authPlan, exists, isSecurityKeyType, publicKeyType } from "./ssh2-auth.js";
import type { Ssh2Endpoint } from "./ssh2-connect.js";
import { hostKeyContext } from "./ssh2-hostkey.js";

/** What decides whether ssh2 can do what OpenSSH would for one endpoint. */
export interface FallbackFacts {
  certificateFiles: string[];
  pkcs11Provider?: string;
  /** Identity files that exist and hold FIDO (sk-*) keys. */
  securityKeys: string[];
  /** known_hosts trusts a @cert-authority for the host and lists no plain key. */
  hostCertOnly: boolean;
  /** GSSAPIAuthentication is on, a Kerberos ticket cache exists, and no agent or key could be offered instead. */
  gssapiNeeded: boolean;
}

/** Returns why this endpoint must go through OpenSSH instead (one sentence), or undefined when ssh2 can serve it. */
export function fallbackReason(f: FallbackFacts): string | undefined {
  if (f.certificateFiles.length) return `CertificateFile ${f.certificateFiles[0]}: ssh2 cannot authenticate with user certificates`;
  if (f.pkcs11Provider) return `PKCS11Provider ${f.pkcs11Provider}: ssh2 cannot use PKCS#11 tokens`;
  if (f.securityKeys.length) return `identity file ${f.securityKeys[0]} is a FIDO security key (sk-*): ssh2 cannot use those`;
  if (f.hostCertOnly) return "known_hosts trusts only a @cert-authority for this host: ssh2 cannot verify host certificates";
  if (f.gssapiNeeded) return "GSSAPI (Kerberos) is the only way to authenticate: ssh2 has no GSSAPI";
  return undefined;
}

function kerberosTicket(): boolean {
  if (process.env.KRB5CCNAME) return true;
  const uid = os.userInfo().uid;
  return existsSync(`/tmp/krb5cc_${uid}`);
}

/** The target and hops of one host, ready for connectChain, or why OpenSSH must serve it. */
export interface Ssh2Route {
  target: Ssh2Endpoint;
  hops: Ssh2Endpoint[];
  fallback?: string;
}

interface Inherit {
  identityFile?: string;
  knownHostsFile?: string;
}

async function endpoint(label: string, args: SshGArgs, original: string): Promise<{ ep: Ssh2Endpoint; facts: FallbackFacts }> {
  const raw = await resolveSshConfig(label, args);
  const tok = { host: raw.hostname, port: raw.port, user: raw.user, original };
  const cfg: SshHostConfig = {
    ...raw,
    identityFiles: raw.identityFiles.map((f) => expandTokens(f, tok)),
    certificateFiles: raw.certificateFiles.map((f) => expandTokens(f, tok)),
    userKnownHostsFiles: raw.userKnownHostsFiles.map((f) => expandTokens(f, tok)),
    globalKnownHostsFiles: raw.globalKnownHostsFiles.map((f) => expandTokens(f, tok)),
  };
  const present: string[] = [];
  for (const f of cfg.identityFiles) if (await exists(f)) present.push(f);
  const securityKeys: string[] = [];
  for (const f of present) if (isSecurityKeyType(await publicKeyType(f))) securityKeys.push(f);
  const usable = present.filter((f) => !securityKeys.includes(f));
  const auth = await authPlan(cfg.user, usable, cfg.identitiesOnly);
  const hostKey = await hostKeyContext(cfg);
  const facts: FallbackFacts = {
    certificateFiles: cfg.certificateFiles,
    pkcs11Provider: cfg.pkcs11Provider,
    securityKeys,
    hostCertOnly: hostKey.known.hasCertAuthority && hostKey.known.keys.length === 0,
    gssapiNeeded: cfg.gssapiAuthentication && auth.methods.length === 0 && auth.skipped.length === 0 && kerberosTicket(),
  };
  return { ep: { label, cfg, auth, hostKey }, facts };
}

/** Returns the -o options Bosun gives ssh for an endpoint (the same as the OpenSSH transport's). */
function bosunOptions(connectTimeoutS: number, knownHostsFile: string | undefined, extra: string[]): string[] {
  const o = [`ConnectTimeout=${connectTimeoutS}`, "ServerAliveInterval=5", "ServerAliveCountMax=3", ...extra];
  if (knownHostsFile) o.push(`UserKnownHostsFile=${knownHostsFile}`);
  return o;
}

/** Returns [user@]host[:port] split, or throws naming the host and the bad jump. */
export function parseJump(label: string, hop: string): { user?: string; host: string; port?: number } {
  const m = /^(?:([^@\s]+)@)?(\[[^\]\s]+\]|[^:@\s]+)(?::(\d+))?$/.exec(hop.trim());
  if (!m) throw new ConnectionError(label, `bad ProxyJump hop "${hop}" (expected [user@]host[:port])`, false);
  return { user: m[1], host: (m[2] as string).replace(/^\[|\]$/g, ""), port: m[3] ? Number(m[3]) : undefined };
}

/**
 * Resolves a host's route: its effective ssh config, then each ProxyJump hop's. Hops named by
 * bosun_ssh_jump get the host's identity file and known_hosts (as the OpenSSH transport gives them);
 * hops from ssh_config get their own config, as `ssh -J` would.
 */
export async function resolveRoute(spec: ConnectionSpec, connectTimeoutS: number): Promise<Ssh2Route> {
  const label = spec.name;
  const { ep: target, facts } = await endpoint(
    label,
    {
      address: spec.address,
      user: spec.user,
      port: spec.port,
      identityFile: spec.identityFile,
      options: bosunOptions(connectTimeoutS, spec.knownHostsFile, spec.proxyJump ? [`ProxyJump=${spec.proxyJump}`] : []),
    },
    spec.address,
  );
  const inherit: Inherit = spec.proxyJump ? { identityFile: spec.identityFile, knownHostsFile: spec.knownHostsFile } : {};
  const hops: Ssh2Endpoint[] = [];
  let fallback = fallbackReason(facts);
  for (const hop of (target.cfg.proxyJump ?? "").split(",").filter(Boolean)) {
    const j = parseJump(label, hop);
    // ProxyJump=none: a hop's own config must not send it through itself again.
    const r = await endpoint(
      label,
      {
        address: j.host,
        user: j.user,
        port: j.port,
        identityFile: inherit.identityFile,
        options: bosunOptions(connectTimeoutS, inherit.knownHostsFile, ["ProxyJump=none"]),
      },
      j.host,
    );
    hops.push(r.ep);
    const why = fallbackReason(r.facts);
    if (why && !fallback) fallback = `jump host ${hop}: ${why}`;
  }
  if (hops.length && target.cfg.proxyCommand) target.cfg.proxyCommand = undefined;
  return { target, hops, fallback };
}
