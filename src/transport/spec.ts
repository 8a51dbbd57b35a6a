import { BosunError } from "../errors.js";
import { escapeControl } from "../util/text.js";
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
  /** bosun_transport: this host's SSH implementation, overriding the run's default. */
  transport?: TransportKind;
  become: BecomeSpec;
}

/** The SSH implementations Bosun has: the system OpenSSH client, or the in-process ssh2 library. */
export const TRANSPORT_KINDS = ["openssh", "ssh2"] as const;
export type TransportKind = (typeof TRANSPORT_KINDS)[number];

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
  transport: ["bosun_transport"],
  connection: ["bosun_connection", "ansible_connection"],
  become: ["bosun_become", "ansible_become"],
  becomeUser: ["bosun_become_user", "ansible_become_user"],
  becomePassword: ["bosun_become_password", "ansible_become_password", "ansible_become_pass"],
} as const;

export type ConnectionField = keyof typeof CONNECTION_VARS;

/** The field each connection var name sets (ansible_port → port). */
export const CONNECTION_FIELD: ReadonlyMap<string, ConnectionField> = new Map(
  Object.entries(CONNECTION_VARS).flatMap(([field, keys]) => keys.map((k) => [k, field as ConnectionField])),
);

function isSecretLike(v: object): boolean {
  return typeof (v as { reveal?: unknown }).reveal === "function";
}

// What ssh gets on its command line: nothing may look like an option or carry spaces or controls.
const HOST = /^[\p{L}\p{N}_.:%[\]-]+$/u;
const USER = /^[\p{L}\p{N}_.@$\\-]+$/u;
const PATH_OK = /^[^\u0000-\u001f\u007f]+$/;
const JUMP = /^[\p{L}\p{N}_.:%@[\],-]+$/u;

/**
 * Returns what is wrong with value for a connection field (a sentence starting "must"), or
 * undefined when it is fine. A value starting with "-" is never fine: ssh would read it as an option.
 */
export function connectionValueProblem(field: ConnectionField, value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const v = typeof value === "object" && isSecretLike(value) ? revealString(value) : value;
  if (field === "port") {
    const n = typeof v === "string" && /^\d+$/.test(v.trim()) ? Number(v) : v;
    return Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535 ? undefined : "must be a port number 1-65535";
  }
  if (field === "become")
    return typeof v === "boolean" || typeof v === "number" || /^(true|false|yes|no)$/i.test(String(v))
      ? undefined
      : "must be true or false";
  if (typeof v !== "string") return "must be a string";
  if (field === "becomePassword") return undefined;
  if (v.startsWith("-")) return 'must not start with "-" (ssh would read it as an option)';
  if (field === "connection") return v === "ssh" || v === "local" ? undefined : 'must be "ssh" or "local"';
  if (field === "transport") return (TRANSPORT_KINDS as readonly string[]).includes(v) ? undefined : 'must be "openssh" or "ssh2"';
  if (field === "address") return HOST.test(v) ? undefined : "must be a host name or an IP address";
  if (field === "user" || field === "becomeUser") return USER.test(v) ? undefined : "must be a user name (letters, digits, . _ - @)";
  if (field === "proxyJump") return JUMP.test(v) ? undefined : "must be [user@]host[:port][,…]";
  return PATH_OK.test(v) ? undefined : "must be a path without control characters";
}

/** Returns what is wrong with an inventory host name, or undefined (it is the address when none is set). */
export function hostNameProblem(name: string): string | undefined {
  if (name.startsWith("-")) return 'must not start with "-" (ssh would read it as an option)';
  if (/[\s\u0000-\u001f\u007f]/.test(name)) return "must not contain spaces or control characters";
  return undefined;
}

function pick(vars: Record<string, unknown>, field: ConnectionField): { key: string; value: unknown } | undefined {
  for (const k of CONNECTION_VARS[field])
    if (vars[k] !== undefined && vars[k] !== null && vars[k] !== "") return { key: k, value: vars[k] };
  return undefined;
}

/**
 * Returns the connection spec of host name from its merged vars; throws naming the host and the
 * var as written (ansible_port, not bosun_port) on a bad value. Inventories are checked when
 * loaded; this catches what -e and play vars set later.
 */
export function connectionFromVars(name: string, vars: Record<string, unknown>): ConnectionSpec {
  const str = (field: ConnectionField) => {
    const p = pick(vars, field);
    if (!p) return undefined;
    const problem = connectionValueProblem(field, p.value);
    if (problem) {
      const shown = typeof p.value === "object" && p.value !== null && isSecretLike(p.value) ? "a vaulted value" : JSON.stringify(p.value);
      throw new BosunError(`host "${name}": ${p.key} ${problem}, found ${escapeControl(shown ?? String(p.value))}`);
    }
    // Connection values may come from the vault (a become password, an address): reveal them for the transport.
    return revealString(p.value);
  };
  const nameProblem = str("address") === undefined ? hostNameProblem(name) : undefined;
  if (nameProblem) throw new BosunError(`host ${escapeControl(JSON.stringify(name))}: the host name ${nameProblem} (set ansible_host)`);
  const portText = str("port");
  const connection = str("connection") ?? (name === "localhost" ? "local" : "ssh");
  const becomeRaw = pick(vars, "become")?.value;
  str("become");
  return {
    name,
    connection: connection as "ssh" | "local",
    address: str("address") ?? name,
    user: str("user"),
    port: portText === undefined ? undefined : Number(portText),
    identityFile: str("identityFile"),
    knownHostsFile: str("knownHostsFile"),
    proxyJump: str("proxyJump"),
    transport: str("transport") as TransportKind | undefined,
    become: {
      enabled: becomeRaw === true || becomeRaw === "true" || becomeRaw === "yes",
      user: str("becomeUser") ?? "root",
      password: str("becomePassword"),
    },
  };
}
