/** sh text for the postgres role's host-side steps. SQL travels base64-encoded inside the script (stdin), never in argv. */
import { quote } from "../../index.js";

/** Returns sh that pipes sql to psql as the postgres superuser in db, stopping at the first error. */
export function psqlAsPostgres(db: string, sql: string): string {
  const b64 = Buffer.from(sql, "utf8").toString("base64");
  // printf is a shell builtin: the SQL (which may hold a password verifier) is on no command line.
  return `cd / && printf %s ${b64} | base64 -d | runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d ${quote(db)} -f -`;
}

/** Where a failed migration's error is recorded on the host (one file per database, removed by the next success). */
export const MIGRATION_ERRORS = "/var/lib/postgresql/bosun-migrations";

export const pgScript = {
  /**
   * Returns sh that generates a random password on the host, sets it on the role (SQL on psql's stdin,
   * printf being a builtin: on no command line) and prints it on stdout only (for hostSecret).
   */
  generatePassword(roleIdent: string): string {
    return [
      "__pw=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\\n')",
      `printf '%s%s%s\\n' ${quote(`ALTER ROLE ${roleIdent} WITH PASSWORD '`)} "$__pw" "';" | (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d postgres -f -) >&2`,
      "printf '%s\\n' \"$__pw\"",
    ].join("\n");
  },

  /** Returns a guard: exit 0 when the query prints 1 (psql as postgres; fails, so "not yet", when the server or db is missing). */
  queryIsTrue(db: string, query: string): string {
    return `cd / && runuser -u postgres -- psql -XAtq -d ${quote(db)} -c ${quote(query)} 2>/dev/null | grep -qx 1`;
  },

  /** Returns a check that fails with PostgreSQL's own message when the cluster's configuration files (includes too) do not parse. */
  checkConfig(version: number): string {
    return `cd / && runuser -u postgres -- /usr/lib/postgresql/${version}/bin/postgres -C data_directory -c config_file=/etc/postgresql/${version}/main/postgresql.conf >/dev/null`;
  },

  /** Returns a check that fails listing pg_hba.conf's bad lines (PostgreSQL parses the file on disk, the server keeps its loaded rules). */
  checkHba(): string {
    const q = "SELECT 'line ' || line_number || ': ' || error FROM pg_hba_file_rules WHERE error IS NOT NULL";
    return `cd / && __hba=$(runuser -u postgres -- psql -XAtq -c ${quote(q)}) && { [ -z "$__hba" ] || { echo "$__hba"; exit 1; }; }`;
  },

  /** Returns sh that restarts the cluster's unit and waits (up to 30 s) until it accepts connections. */
  restartAndWait(unit: string, port: number): string {
    return `systemctl restart ${quote(unit)}\n__i=0; until pg_isready -q -p ${port}; do __i=$((__i+1)); [ $__i -lt 150 ] || { echo "postgres: ${unit} is not ready 30 s after its restart" >&2; exit 1; }; sleep 0.2; done`;
  },

  /**
   * Returns sh that applies one migration in one transaction. On failure the transaction rolls back,
   * the error is recorded on the host (MIGRATION_ERRORS/DB.failed) and the host stops.
   */
  migrate(db: string, name: string, sql: string, wrap: { before: string; after: string }): string {
    const failed = quote(`${MIGRATION_ERRORS}/${db}.failed`);
    const b64 = Buffer.from(sql, "utf8").toString("base64");
    // psql 15 runs every -c and -f of one call in the one transaction --single-transaction opens.
    const run = `cd / && printf %s ${b64} | base64 -d | runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d ${quote(db)} -c ${quote(wrap.before)} -f - -c ${quote(wrap.after)}`;
    return [
      `mkdir -p ${MIGRATION_ERRORS} && chmod 0750 ${MIGRATION_ERRORS}`,
      `if ! __out=$(${run} 2>&1); then`,
      `  { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) ${db}/${name} failed and was rolled back:"; printf '%s\\n' "$__out"; } > ${failed}`,
      `  printf '%s\\n' ${quote(`postgres: migration ${db}/${name} failed and was rolled back; later migrations did not run (recorded in ${MIGRATION_ERRORS}/${db}.failed):`)} "$__out" >&2`,
      "  exit 1",
      "fi",
      `rm -f ${failed}`,
    ].join("\n");
  },
};
