import { spawn } from "node:child_process";
import { Duplex } from "node:stream";
import ssh2, { type Client } from "ssh2";
import { ConnectionError, type HostKeyError } from "../errors.js";
import { expandTokens, type SshHostConfig } from "./ssh-config.js";
import type { AuthPlan } from "./ssh2-auth.js";
import { type HostKeyContext, hostKeyAlgorithms, hostVerifier } from "./ssh2-hostkey.js";

/** One machine to authenticate to: the target or a ProxyJump hop, with what was resolved for it. */
export interface Ssh2Endpoint {
  label: string;
  cfg: SshHostConfig;
  auth: AuthPlan;
  hostKey: HostKeyContext;
}

export interface Ssh2ConnectSettings {
  connectTimeoutS: number;
  acceptNewHostKeys: boolean;
}

/** Network errors worth a retry, worded as OpenSSH prints them (so logs and tests read the same). */
const TRANSIENT: Record<string, string> = {
  ECONNREFUSED: "Connection refused",
  ETIMEDOUT: "Connection timed out",
  ECONNRESET: "Connection reset by peer",
  EHOSTUNREACH: "No route to host",
  ENETUNREACH: "Network is unreachable",
  EPIPE: "Broken pipe",
  EAI_AGAIN: "Temporary failure in name resolution",
};

/**
 * Returns the ConnectionError for an ssh2 connect failure, worded like classifySshFailure's for
 * OpenSSH: host key refusals and auth failures are final, network trouble and a handshake timeout
 * are transient (retried).
 */
export function classifySsh2Error(
  ep: Pick<Ssh2Endpoint, "label" | "auth"> & { cfg?: Pick<Ssh2Endpoint["cfg"], "hostname" | "port"> },
  err: Error & { code?: string; level?: string },
): ConnectionError {
  const label = ep.label;
  if (err instanceof ConnectionError) return err;
  if (err.code === "EMFILE" || err.code === "ENFILE") {
    return new ConnectionError(
      label,
      "too many open files (EMFILE): each host's connection holds a descriptor; raise the limit with `ulimit -n` (e.g. ulimit -n 65536) or lower --forks",
      false,
    );
  }
  if (err.level === "client-authentication") {
    const why = ep.auth.skipped.length ? `; ${ep.auth.skipped.join("; ")}` : "";
    const tried = ep.auth.methods.length ? "" : " (no ssh-agent and no usable identity file)";
    return new ConnectionError(label, `authentication failed (Permission denied: no key was accepted${tried}${why})`, false);
  }
  if (err.level === "client-timeout")
    return new ConnectionError(label, `connection timed out during the SSH handshake (${err.message})`, true);
  if (err.code === "ENOTFOUND") return new ConnectionError(label, `Could not resolve hostname: ${err.message}`, false);
  const words = err.code ? TRANSIENT[err.code] : undefined;
  if (words)
    return new ConnectionError(label, `ssh: connect to host ${ep.cfg?.hostname ?? "?"} port ${ep.cfg?.port ?? 22}: ${words}`, true);
  if (/closed|reset|No response from server/i.test(err.message))
    return new ConnectionError(label, `connection closed during the SSH handshake (${err.message})`, true);
  return new ConnectionError(label, err.message, false);
}

/** Opens one authenticated ssh2 connection to ep, over sock when given (a hop's forwarded channel or a ProxyCommand). */
export function connectEndpoint(ep: Ssh2Endpoint, s: Ssh2ConnectSettings, sock?: NodeJS.ReadWriteStream): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let refused: HostKeyError | undefined;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(classifySsh2Error(ep, refused ?? err));
    };
    client.once("ready", () => {
      settled = true;
      // Later errors (a dropped connection) end up as 'close' on the channels in flight.
      client.on("error", () => {});
      resolve(client);
    });
    client.on("error", fail);
    client.once("close", () => fail(new Error("connection closed during the SSH handshake")));
    const cfg = ep.cfg;
    client.connect({
      host: cfg.hostname,
      port: cfg.port,
      username: cfg.user,
      sock: sock as never,
      readyTimeout: s.connectTimeoutS * 1000,
      // ServerAlive*: Bosun passes 5 s × 3 like the OpenSSH transport, so a silent host is given up in ~15 s.
      keepaliveInterval: cfg.serverAliveIntervalS * 1000,
      keepaliveCountMax: cfg.serverAliveCountMax,
      hostVerifier: hostVerifier(ep.label, ep.hostKey, s.acceptNewHostKeys, (e) => {
        refused = e;
      }),
      algorithms: { serverHostKey: hostKeyAlgorithms(ep.hostKey.known) as never },
      authHandler: ep.auth.methods,
    });
    skipHostKeysNotice(client);
  });
}

type GlobalRequestHandler = (p: unknown, name: string, wantReply: boolean, data: unknown) => unknown;

/**
 * Makes ssh2 ignore OpenSSH's `hostkeys-00@openssh.com` notice (every host key of the server, sent
 * after auth without asking a reply). ssh2 answers it by asking the server to prove each key: a round
 * trip, a signature per key on the host and their verification here (~11 ms of controller CPU per
 * host on the lab, 12% of a no-op's), only to emit a 'hostkeys' event Bosun never reads (OpenSSH itself
 * ignores the notice unless UpdateHostKeys). Reaches into ssh2 1.x's protocol handlers; when they are
 * not where expected (another ssh2 version), ssh2 keeps its own behaviour. Every other global request
 * (keepalive replies included) goes to ssh2 as before.
 */
export function skipHostKeysNotice(client: unknown): void {
  const handlers = (client as { _protocol?: { _handlers?: Record<string, unknown> } })._protocol?._handlers;
  const original = handlers?.GLOBAL_REQUEST;
  if (!handlers || typeof original !== "function") return;
  handlers.GLOBAL_REQUEST = ((p, name, wantReply, data) => {
    if (name === "hostkeys-00@openssh.com" && !wantReply) return undefined;
    return (original as GlobalRequestHandler)(p, name, wantReply, data);
  }) satisfies GlobalRequestHandler;
}

/** Returns the stdio of `sh -c ProxyCommand` as the socket ssh2 speaks over (the command dies with the socket). */
export function proxyCommandSocket(cfg: SshHostConfig, original: string): Duplex {
  const cmd = expandTokens(cfg.proxyCommand ?? "", { host: cfg.hostname, port: cfg.port, user: cfg.user, original });
  const child = spawn("sh", ["-c", cmd], { stdio: ["pipe", "pipe", "ignore"], detached: true });
  const sock = Duplex.from({ readable: child.stdout, writable: child.stdin });
  const stop = () => {
    if (child.exitCode === null) child.kill("SIGTERM");
  };
  sock.on("close", stop);
  sock.on("error", stop);
  child.on("exit", () => sock.destroy());
  return sock;
}

/** Returns a channel from via to host:port (ProxyJump's direct-tcpip), the next hop's socket. */
export function forwardOut(via: Client, host: string, port: number, label: string): Promise<NodeJS.ReadWriteStream> {
  return new Promise((resolve, reject) => {
    via.forwardOut("127.0.0.1", 0, host, port, (err, ch) => {
      if (err) reject(new ConnectionError(label, `the jump host could not open a channel to ${host}:${port} (${err.message})`, true));
      else resolve(ch);
    });
  });
}

/**
 * Connects through hops (ProxyJump, in order) to target, each hop's host key verified against its
 * own known_hosts view. Returns every client opened: the target last; closing them all tears the chain down.
 */
export async function connectChain(
  hops: readonly Ssh2Endpoint[],
  target: Ssh2Endpoint,
  s: Ssh2ConnectSettings,
  original: string,
): Promise<Client[]> {
  const clients: Client[] = [];
  try {
    const chain = [...hops, target];
    let sock: NodeJS.ReadWriteStream | undefined = chain[0]?.cfg.proxyCommand ? proxyCommandSocket(chain[0].cfg, original) : undefined;
    for (const [i, ep] of chain.entries()) {
      if (i > 0) {
        const prev = clients[i - 1] as Client;
        sock = await forwardOut(prev, ep.cfg.hostname, ep.cfg.port, target.label);
      }
      clients.push(await connectEndpoint(ep, s, sock));
    }
    return clients;
  } catch (err) {
    for (const c of clients.reverse()) c.end();
    throw err;
  }
}
