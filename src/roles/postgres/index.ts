/**
 * The `postgres` role: Debian's PostgreSQL with listen addresses, pg_hba entries, roles and databases
 * with passwords from the vault, extensions, SQL migrations applied in order exactly once each in a
 * transaction, and nightly pg_dump backups by a systemd timer. See docs/roles/postgres.md.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  apt,
  command,
  directory,
  file,
  flushHandlers,
  handler,
  hostSecret,
  role,
  Secret,
  service,
  systemdUnit,
  validatedFile,
} from "../../index.js";
import { renderBackupScript, renderBackupService, renderBackupTimer } from "./backup.js";
import { pgScript, psqlAsPostgres } from "./psql.js";
import {
  confValue,
  type HbaEntry,
  ident,
  literal,
  MIGRATIONS_TABLE,
  migrationWrap,
  renderHba,
  roleSql,
  roleUpToDate,
  scramVerifier,
} from "./sql.js";

export type { HbaEntry };

/** A database role (user). */
export interface PgRole {
  name: string;
  /** Its password, from the vault. Sent to the host only as a SCRAM-SHA-256 verifier. None: no password login. */
  password?: Secret;
  /**
   * Instead of `password`: a random password generated on the host once, set on the role, kept in
   * /srv/key/postgres/NAME.password (0600) and written back into this vault file (YAML, relative to the
   * site file's directory) under `key` (default "postgres_NAME_password"), for clients to read as a Secret.
   */
  generatePassword?: { vault: string; key?: string };
  /** May log in (default true). */
  login?: boolean;
  superuser?: boolean;
  createdb?: boolean;
  createrole?: boolean;
}

/** A database. */
export interface PgDatabase {
  name: string;
  /** The role that owns it (declare it in `roles`); migrations run as this role. */
  owner: string;
  /** Extensions created in it (those of Debian's postgresql package: pgcrypto, citext, pg_trgm, …). */
  extensions?: string[];
  /** A directory on the control machine whose `*.sql` files are applied in name order, each once, each in a transaction. */
  migrations?: string;
}

export interface PostgresParams {
  /** Major version of Debian's PostgreSQL (bookworm: 15); names the cluster paths. */
  version?: number;
  /** listen_addresses (default ["localhost"]); a change restarts the server. */
  listenAddresses?: string[];
  /** Port (default 5432). */
  port?: number;
  /** More postgresql.conf settings, e.g. { max_connections: 200, shared_buffers: "256MB" }. */
  settings?: Record<string, string | number | boolean>;
  /** pg_hba.conf entries after the defaults (postgres by peer; local and loopback connections by password). */
  hba?: HbaEntry[];
  roles?: PgRole[];
  databases?: PgDatabase[];
  /** Nightly dumps of every listed database (default on); false turns them off. */
  backup?: false | { schedule?: string; keepDays?: number; dir?: string };
}

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const MIGRATION = /^[0-9][\w.-]*\.sql$/;

/** Returns the migration files of dir in the order they apply, or throws naming the directory. */
export function migrationFiles(db: string, dir: string): { name: string; sql: string }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".sql"));
  } catch {
    throw new Error(`postgres: database ${db}: migrations directory not found: ${path.resolve(dir)}`);
  }
  const bad = names.filter((n) => !MIGRATION.test(n));
  if (bad.length) throw new Error(`postgres: ${path.resolve(dir)}: migration names must start with a number: ${bad.join(", ")}`);
  return names
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .map((name) => ({ name, sql: readFileSync(path.join(dir, name), "utf8") }));
}

/** PostgreSQL from Debian, configured, with its roles, databases, extensions, migrations and backups. */
export const postgres = role(
  "postgres",
  (p: PostgresParams = {}) => {
    const v = p.version ?? 15;
    const etc = `/etc/postgresql/${v}/main`;
    const unit = `postgresql@${v}-main`;
    for (const n of [...(p.roles ?? []).map((r) => r.name), ...(p.databases ?? []).map((d) => d.name)])
      if (!NAME.test(n)) throw new Error(`postgres: "${n}" must be a lower-case SQL name (letters, digits, _)`);
    for (const d of p.databases ?? [])
      if (!(p.roles ?? []).some((r) => r.name === d.owner))
        throw new Error(`postgres: database ${d.name}: owner ${d.owner} is not in roles`);

    apt(["postgresql"], { installRecommends: false });
    const settings = { listen_addresses: (p.listenAddresses ?? ["localhost"]).join(","), port: p.port ?? 5432, ...p.settings };
    const conf = Object.entries(settings).map(([k, val]) => {
      if (!/^[a-z_.]+$/.test(k)) throw new Error(`postgres: settings: bad parameter name "${k}"`);
      return `${k} = ${confValue(val)}\n`;
    });
    // Checked by PostgreSQL itself before it goes live: a rejected file is put back, the server never sees it.
    validatedFile(`${etc}/conf.d/50-bosun.conf`, {
      content: `# Managed by bosun (role postgres)\n${conf.join("")}`,
      mode: "0644",
      owner: "postgres",
      group: "postgres",
      validate: pgScript.checkConfig(v),
      notify: "restart postgresql",
    });
    validatedFile(`${etc}/pg_hba.conf`, {
      content: renderHba(p.hba ?? []),
      mode: "0640",
      owner: "postgres",
      group: "postgres",
      validate: pgScript.checkHba(),
      notify: "reload postgresql",
    });
    service(unit, { state: "started", enabled: true });
    // Config changes take effect before roles and migrations use the server.
    handler("restart postgresql", () => {
      command(pgScript.restartAndWait(unit, p.port ?? 5432), { name: `restart ${unit} and wait until ready` });
    });
    handler("reload postgresql", () => service(unit, { state: "reloaded" }));
    flushHandlers();

    for (const r of p.roles ?? []) {
      const attrs = {
        login: r.login ?? true,
        superuser: r.superuser ?? false,
        createdb: r.createdb ?? false,
        createrole: r.createrole ?? false,
      };
      if (r.password && r.generatePassword) throw new Error(`postgres: role ${r.name}: give password or generatePassword, not both`);
      const keep = Boolean(r.generatePassword);
      const verifier = r.password ? scramVerifier(r.name, r.password.reveal()) : undefined;
      // Registered as a Secret: psql's error output (which may quote the statement) is masked like a password.
      if (verifier) new Secret(verifier);
      const sql = psqlAsPostgres("postgres", roleSql(r.name, attrs, verifier, keep));
      command(
        { masked: `psql: role ${r.name} (SQL masked)`, reveal: () => sql },
        {
          name: `role ${r.name}`,
          unless: pgScript.queryIsTrue("postgres", roleUpToDate(r.name, attrs, verifier, keep)),
        },
      );
      if (r.generatePassword)
        hostSecret(`postgres role ${r.name} password`, {
          path: `/srv/key/postgres/${r.name}.password`,
          create: pgScript.generatePassword(ident(r.name)),
          vault: { file: r.generatePassword.vault, key: r.generatePassword.key ?? `postgres_${r.name}_password` },
        });
    }
    for (const d of p.databases ?? []) {
      command(psqlAsPostgres("postgres", `CREATE DATABASE ${ident(d.name)} OWNER ${ident(d.owner)};`), {
        name: `database ${d.name}`,
        unless: pgScript.queryIsTrue("postgres", `SELECT 1 FROM pg_database WHERE datname = ${literal(d.name)}`),
      });
      command(psqlAsPostgres("postgres", `ALTER DATABASE ${ident(d.name)} OWNER TO ${ident(d.owner)};`), {
        name: `owner of database ${d.name}`,
        unless: pgScript.queryIsTrue(
          "postgres",
          `SELECT 1 FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = ${literal(d.name)} AND r.rolname = ${literal(d.owner)}`,
        ),
      });
      for (const ext of d.extensions ?? []) {
        command(psqlAsPostgres(d.name, `CREATE EXTENSION IF NOT EXISTS ${ident(ext)};`), {
          name: `extension ${ext} in ${d.name}`,
          unless: pgScript.queryIsTrue(d.name, `SELECT 1 FROM pg_extension WHERE extname = ${literal(ext)}`),
        });
      }
      if (!d.migrations) continue;
      for (const m of migrationFiles(d.name, d.migrations)) {
        command(pgScript.migrate(d.name, m.name, m.sql, migrationWrap(d.owner, m.name, m.sql)), {
          name: `migration ${d.name}/${m.name}`,
          unless: pgScript.queryIsTrue(d.name, `SELECT 1 FROM ${MIGRATIONS_TABLE} WHERE name = ${literal(m.name)}`),
        });
      }
    }
    if (p.backup !== false && (p.databases ?? []).length > 0) {
      const b = p.backup ?? {};
      const script = "/usr/local/sbin/bosun-pg-backup";
      directory(b.dir ?? "/srv/backup/postgresql", { mode: "0700", owner: "postgres", group: "postgres" });
      file(script, {
        content: renderBackupScript({
          databases: (p.databases ?? []).map((d) => d.name),
          dir: b.dir ?? "/srv/backup/postgresql",
          keepDays: b.keepDays ?? 7,
        }),
        mode: "0755",
      });
      systemdUnit("bosun-pg-backup.service", { content: renderBackupService(script) });
      systemdUnit("bosun-pg-backup.timer", { content: renderBackupTimer(b.schedule ?? "*-*-* 02:30:00") });
      service("bosun-pg-backup.timer", { state: "started", enabled: true });
    }
  },
  { tags: ["postgres"] },
);
