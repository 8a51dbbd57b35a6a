// The postgres role on one lab host (e2e: roles-postgres.test.ts). Vars: db_password (vaulted),
// migrations (fixture directory name), max_connections, pg_vault (the vault file the reporter role's
// password, generated on the host, is written back to).
import { deploy, role } from "bosun";
import { postgres } from "bosun/roles";

const db = role("shop-db", () => {}, {
  deps: (_p: undefined, ctx) => [
    postgres({
      listenAddresses: ["*"],
      settings: { max_connections: ctx.var("max_connections", 50) as number },
      hba: [
        { type: "host", database: "shop", user: "shop", address: "198.18.0.0/24", method: "scram-sha-256" },
        { type: "host", database: "shop", user: "reporter", address: "198.18.0.0/24", method: "scram-sha-256" },
      ],
      roles: [
        { name: "shop", password: ctx.var("db_password") },
        { name: "reporter", generatePassword: { vault: String(ctx.var("pg_vault")) } },
      ],
      databases: [
        {
          name: "shop",
          owner: "shop",
          extensions: ["citext", "pgcrypto"],
          migrations: new URL(`roles-postgres-fixtures/${ctx.var("migrations", "migrations")}`, import.meta.url).pathname,
        },
      ],
      backup: { keepDays: 3 },
    }),
  ],
});

export default deploy("roles-postgres", [{ hosts: "all", roles: [db()] }]);
