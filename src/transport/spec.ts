import { revealString } from "../vault/vars.js";
import type { BecomeSpec } from "./types.js";

/** How to reach one host, read from its merged inventory vars. */
export interface ConnectionSpec {
  /** Inventory name (what logs and errors show). */
  name: string;
  connection: "ssh" | "local";
  address: string;
  user?: string;
  port?: number;
  identityFile?: string;
  knownHostsFile?: string;
  proxyJump?: string;
  become: BecomeSpec;
}

/**
 * Connection vars Bosun reads, with the Ansible names it also accepts so existing inventories work.
 * Bosun's own name wins when both are set.
 */
export const CONNECTION_VARS = {
  address: ["bosun_host", "ansible_host"],
  user: ["bosun_user", "ansible_user"],
  port: ["bosun_port", "ansible_port"],
  identityFile: ["bosun_ssh_key", "ansible_ssh_private_key_file"],
  knownHostsFile: ["bosun_known_hosts"],
  proxyJump: ["bosun_ssh_jump"],
  connection: ["bosun_connection", "ansible_connection"],
  become: ["bosun_become", "ansible_become"],
  becomeUser: ["bosun_become_user", "ansible_become_user"],
  becomePassword: ["bosun_become_password", "ansible_become_password", "ansible_become_pass"],
} as const;

function isSecretLike(v: object): boolean {
  return typeof (v as { reveal?: unknown }).reveal === "function";
}

function pick(vars: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const k of keys) if (vars[k] !== undefined && vars[k] !== null && vars[k] !== "") return vars[k];
  return undefined;
}

/** Returns the connection spec of host name from its merged vars; throws naming the host on a bad value. */
export function connectionFromVars(name: string, vars: Record<string, unknown>): ConnectionSpec {
  const str = (k: keyof typeof CONNECTION_VARS) => {
    const v = pick(vars, CONNECTION_VARS[k]);
    if (v === undefined) return undefined;
    // Connection values may come from the vault (a become password, an address): reveal them for the transport.
    if (typeof v === "object" && (v === null || !isSecretLike(v)))
      throw new Error(`${name}: ${CONNECTION_VARS[k][0]} must be a string, found ${JSON.stringify(v)}`);
    return revealString(v);
  };
  const portText = str("port");
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new Error(`${name}: ${CONNECTION_VARS.port[0]} must be a port number 1-65535, found "${portText}"`);
  }
  const connection = str("connection") ?? (name === "localhost" ? "local" : "ssh");
  if (connection !== "ssh" && connection !== "local") {
    throw new Error(`${name}: ${CONNECTION_VARS.connection[0]} must be "ssh" or "local", found "${connection}"`);
  }
  const becomeRaw = pick(vars, CONNECTION_VARS.become);
  return {
    name,
    connection,
    address: str("address") ?? name,
    user: str("user"),
    port,
    identityFile: str("identityFile"),
    knownHostsFile: str("knownHostsFile"),
    proxyJump: str("proxyJump"),
    become: {
      enabled: becomeRaw === true || becomeRaw === "true" || becomeRaw === "yes",
      user: str("becomeUser") ?? "root",
      password: str("becomePassword"),
    },
  };
}
