/**
 * Pure pieces of the postgres role: SCRAM verifiers, quoting, pg_hba lines and the SQL each step sends.
 * Passwords reach PostgreSQL as SCRAM-SHA-256 verifiers computed here, so no plaintext password is ever
 * sent to the host, and a verifier is compared (by its hash) to decide whether a role is up to date.
 */
import { createHash, createHmac, pbkdf2Sync } from "node:crypto";

/** A pg_hba.conf entry. */
export interface HbaEntry {
  /** Connection type. */
  type: "local" | "host" | "hostssl" | "hostnossl";
  /** Database name, "all", "sameuser", or a comma list. */
  database: string;
  /** Role name, "all", or a comma list. */
  user: string;
  /** CIDR address for host* types, e.g. "198.18.0.0/24". */
  address?: string;
  /** Authentication method. */
  method: "scram-sha-256" | "md5" | "peer" | "trust" | "reject" | "cert";
}

/** The entries every cluster keeps first: the postgres superuser by peer on the socket, local apps by password. */
export const DEFAULT_HBA: HbaEntry[] = [
  { type: "local", database: "all", user: "postgres", method: "peer" },
  { type: "local", database: "all", user: "all", method: "peer" },
  { type: "host", database: "all", user: "all", address: "127.0.0.1/32", method: "scram-sha-256" },
  { type: "host", database: "all", user: "all", address: "::1/128", method: "scram-sha-256" },
];

const WORDS = /^[A-Za-z0-9_.,+-]+$/;
const CIDR = /^([0-9.]+\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;

/** Returns pg_hba.conf for these entries (defaults first); throws naming the bad entry. */
export function renderHba(entries: HbaEntry[]): string {
  const lines = [...DEFAULT_HBA, ...entries].map((e, i) => {
    const where = `postgres: hba[${i - DEFAULT_HBA.length}]`;
    if (!WORDS.test(e.database) || !WORDS.test(e.user)) throw new Error(`${where}: database and user must be names or "all"`);
    if (e.type === "local") {
      if (e.address) throw new Error(`${where}: a local entry has no address`);
      return ["local", e.database, e.user, "", e.method];
    }
    if (!e.address || !CIDR.test(e.address)) throw new Error(`${where}: ${e.type} needs an address in CIDR form, got ${e.address}`);
    return [e.type, e.database, e.user, e.address, e.method];
  });
  return `# Managed by bosun (role postgres)\n# TYPE  DATABASE  USER  ADDRESS  METHOD\n${lines.map((l) => l.join("\t")).join("\n")}\n`;
}

/** Returns a SQL identifier, quoted. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Returns a SQL string literal. */
export function literal(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Returns s for postgresql.conf: numbers and booleans bare, strings quoted. */
export function confValue(v: string | number | boolean): string {
  return typeof v === "string" ? literal(v) : String(v);
}

/**
 * Returns the SCRAM-SHA-256 verifier PostgreSQL stores for this password. The salt is derived from the
 * role and password (not random) so the same input gives the same verifier: that is what makes "is the
 * password up to date" decidable without the plaintext on the host.
 */
export function scramVerifier(role: string, password: string, iterations = 4096): string {
  const pw = password.normalize("NFKC");
  const salt = createHmac("sha256", pw).update(`bosun-postgres:${role}`).digest().subarray(0, 16);
  const salted = pbkdf2Sync(pw, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** Returns the hex sha256 of text (what the guard compares a stored verifier by). */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export interface RoleAttrs {
  login: boolean;
  superuser: boolean;
  createdb: boolean;
  createrole: boolean;
}

/** Returns the SQL that creates the role when missing and sets its attributes and password verifier. */
export function roleSql(name: string, a: RoleAttrs, verifier: string | undefined, keepPassword = false): string {
  const flags = [a.login ? "LOGIN" : "NOLOGIN", a.superuser ? "SUPERUSER" : "NOSUPERUSER", a.createdb ? "CREATEDB" : "NOCREATEDB"];
  flags.push(a.createrole ? "CREATEROLE" : "NOCREATEROLE");
  // A password generated on the host (generatePassword) is set by its own step: left alone here.
  if (!keepPassword) flags.push(verifier ? `PASSWORD ${literal(verifier)}` : "PASSWORD NULL");
  return [
    `DO $bosun$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${literal(name)}) THEN CREATE ROLE ${ident(name)}; END IF; END $bosun$;`,
    `ALTER ROLE ${ident(name)} WITH ${flags.join(" ")};`,
    "",
  ].join("\n");
}

/** Returns the query that prints 1 when the role exists with exactly these attributes and verifier. */
export function roleUpToDate(name: string, a: RoleAttrs, verifier: string | undefined, keepPassword = false): string {
  const pw = keepPassword
    ? "true"
    : verifier
      ? `encode(sha256(convert_to(rolpassword, 'UTF8')), 'hex') = ${literal(sha256(verifier))}`
      : "rolpassword IS NULL";
  return `SELECT 1 FROM pg_authid WHERE rolname = ${literal(name)} AND rolcanlogin = ${a.login} AND rolsuper = ${a.superuser} AND rolcreatedb = ${a.createdb} AND rolcreaterole = ${a.createrole} AND ${pw}`;
}

/** The table that records applied migrations, in each migrated database. */
export const MIGRATIONS_TABLE = "bosun_migrations";

/**
 * Returns the statements around one migration: before it (run as the database owner, the bookkeeping
 * table ready) and after it (recorded in the same transaction). The migration itself is sent unchanged,
 * so psql's line numbers are the file's.
 */
export function migrationWrap(owner: string, name: string, sql: string): { before: string; after: string } {
  return {
    before: `SET client_min_messages = warning; SET ROLE ${ident(owner)}; CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (name text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());`,
    after: `INSERT INTO ${MIGRATIONS_TABLE} (name, sha256) VALUES (${literal(name)}, ${literal(sha256(sql))});`,
  };
}
