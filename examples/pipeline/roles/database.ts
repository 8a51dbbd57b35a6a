import { apt, file, handler, role, service } from "bosun";

export interface DatabaseParams {
  maxConnections: number;
}

/** PostgreSQL from Debian, with Bosun's settings in a conf.d drop-in. */
export const database = role(
  "database",
  (p: DatabaseParams, ctx) => {
    const maxConnections = Number(ctx.var("pg_max_connections", p.maxConnections));
    apt(["postgresql"], { installRecommends: false });
    file("/etc/postgresql/15/main/conf.d/bosun.conf", {
      content: `# Managed by bosun\nmax_connections = ${maxConnections}\nlisten_addresses = '*'\n`,
      mode: "0644",
      notify: "restart postgresql",
    });
    service("postgresql", { state: "started", enabled: true });
    handler("restart postgresql", () => service("postgresql", { state: "restarted" }));
  },
  { tags: ["database"] },
);
