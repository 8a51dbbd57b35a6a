import assert from "node:assert/strict";
import path from "node:path";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { bosun, onHost, tempDir } from "./helpers.js";
import { applyOk, hostsFromEnv, labHostsNamed, runSite, shOn, VAULT_ENV, vaultInventory } from "./roles-service-kit.js";

const [DB, CLIENT] = hostsFromEnv("BOSUN_E2E_ROLES_POSTGRES_HOSTS", "db6,web13") as [string, string];
const SITE = "test/e2e/roles-postgres-site.ts";
const PASSWORD = `pw-${process.pid}-'"$x`;

describe("role postgres", () => {
  let inv = "";
  let dbAddress = "";
  const vaultFile = path.join(tempDir("bosun-e2e-pg-vault-"), "secrets.yml.vault");
  /** Runs a query from the client host over TCP with a password; returns psql's result. */
  const remote = (sql: string, password = PASSWORD) =>
    onHost(CLIENT, `PGPASSWORD=${shellQuote(password)} psql -h ${dbAddress} -U shop -d shop -XAtc ${shellQuote(sql)}`);

  before(async () => {
    const [db, client] = await labHostsNamed([DB, CLIENT]);
    dbAddress = (db as { address: string }).address;
    inv = await vaultInventory({ db: [db as { name: string; address: string }] }, { pg_vault: vaultFile }, { db_password: PASSWORD });
    await shOn(
      CLIENT,
      "command -v psql >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q postgresql-client >/dev/null; }",
    );
    // No earlier run's database, role, migrations or dumps (dropping is much faster than reinstalling PostgreSQL).
    await shOn(
      DB,
      "if command -v psql >/dev/null; then cd / && runuser -u postgres -- psql -Xq -c 'DROP DATABASE IF EXISTS shop' -c 'DROP ROLE IF EXISTS shop' -c 'DROP ROLE IF EXISTS reporter'; fi; rm -rf /srv/backup/postgresql /var/lib/postgresql/bosun-migrations /srv/key/postgres",
    );
    void client;
  });

  it("serves the database to another lab host with the vaulted password, migrations applied in numeric order", async () => {
    const first = await applyOk(SITE, inv);
    assert.deepEqual(
      first.changed.filter((c) => c.includes("migration")),
      ["001_accounts.sql", "2_seed.sql", "10_orders.sql"].map((m) => `${DB}: command migration shop/${m}`),
    );
    const r = await remote("SELECT count(*) FROM accounts; SELECT qty FROM orders; SELECT current_user");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "2\n1\nshop\n", "citext made the ALICE lookup match; the seed ran before 10_orders");
    const wrong = await remote("SELECT 1", "not-the-password");
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /password authentication failed for user "shop"/);
    assert.ok(![first.stdout, first.stderr].some((o) => o.includes(PASSWORD)), "the password is in no output");
    const stored = first.events.filter((e) => e.type === "secret_stored");
    assert.deepEqual(
      stored.map((e) => [e.host, e.op, (e as { key?: string }).key, (e as { file?: string }).file]),
      [[DB, "host_secret postgres role reporter password", "postgres_reporter_password", vaultFile]],
    );
  });

  it("a password generated on the host is written back into the vault file, and it authenticates from another lab host", async () => {
    const view = await bosun(["vault", "view", vaultFile], { env: VAULT_ENV });
    assert.equal(view.code, 0, view.stderr);
    const password = String(parse(view.stdout).postgres_reporter_password);
    assert.match(password, /^[A-Za-z0-9_-]{32}$/);
    assert.equal(await shOn(DB, "stat -c '%a %U' /srv/key/postgres/reporter.password"), "600 root\n");
    const r = await onHost(
      CLIENT,
      `PGPASSWORD=${shellQuote(password)} psql -h ${dbAddress} -U reporter -d shop -XAtc 'SELECT current_user'`,
    );
    assert.equal(r.stdout, "reporter\n", r.stderr);
    // The run shows only that a value was stored, in its events and its record; the value is nowhere.
    const runs = await bosun(["runs", "-n", "200", "--json"], { env: VAULT_ENV });
    assert.ok(!runs.stdout.includes(password), "the password is not in the run records");
    assert.match(runs.stdout, new RegExp(`postgres_reporter_password in ${vaultFile.replace(/[.]/g, "\\.")}`));
  });

  it("a second apply changes nothing and runs no migration again", async () => {
    const again = await applyOk(SITE, inv);
    assert.deepEqual(again.changed, []);
    assert.equal(await shOn(DB, "runuser -u postgres -- psql -XAtq -d shop -c 'SELECT count(*) FROM bosun_migrations'"), "3\n");
  });

  it("repairs a hand-edited pg_hba.conf after showing the diff", async () => {
    await shOn(DB, "echo 'host all all 0.0.0.0/0 trust' >> /etc/postgresql/15/main/pg_hba.conf");
    const plan = await runSite("plan", SITE, inv);
    assert.deepEqual(plan.changed, [`${DB}: file /etc/postgresql/15/main/pg_hba.conf`]);
    assert.match(plan.events.find((e) => e.changed)?.diff ?? "", /^-host\s+all\s+all\s+0\.0\.0\.0\/0\s+trust$/m);
    await applyOk(SITE, inv);
    assert.equal(await shOn(DB, "grep -c trust /etc/postgresql/15/main/pg_hba.conf || true"), "0\n");
  });

  it("refuses an invalid setting before restarting, and the server keeps serving", async () => {
    const bad = await runSite("apply", SITE, inv, { max_connections: "lots" });
    assert.equal(bad.code, 1);
    assert.match(bad.failed.join("\n"), /invalid value for parameter "max_connections": "lots"/);
    assert.equal((await remote("SELECT 1")).stdout, "1\n");
    await applyOk(SITE, inv);
  });

  it("a failing migration rolls back, stops the host and records its error on the host", async () => {
    const r = await runSite("apply", SITE, inv, { migrations: "failing" });
    assert.equal(r.code, 1);
    assert.match(r.failed.join("\n"), /migration shop\/11_broken\.sql failed and was rolled back.*no_such_function/s);
    assert.match(
      await shOn(DB, "cat /var/lib/postgresql/bosun-migrations/shop.failed"),
      /shop\/11_broken\.sql failed and was rolled back:\npsql:<stdin>:3: ERROR: {2}function no_such_function\(\) does not exist/,
    );
    const state = await remote("SELECT count(*) FROM accounts; SELECT to_regclass('half_done') IS NULL");
    assert.equal(state.stdout, "2\nt\n", "nothing of the failed migration stayed");
  });

  it("backs up every database with pg_dump from a timer", async () => {
    assert.match(
      await shOn(DB, "systemctl is-enabled bosun-pg-backup.timer; systemctl is-active bosun-pg-backup.timer"),
      /^enabled\nactive\n$/,
    );
    await shOn(DB, "systemctl start bosun-pg-backup.service");
    const dumps = await shOn(DB, "ls /srv/backup/postgresql; stat -c %a /srv/backup/postgresql");
    assert.match(dumps, /^shop-\d{8}T\d{6}Z\.dump\n700\n$/);
    assert.match(await shOn(DB, "pg_restore -l /srv/backup/postgresql/shop-*.dump"), /TABLE DATA public accounts/);
  });
});

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'"'"'`)}'`;
}
