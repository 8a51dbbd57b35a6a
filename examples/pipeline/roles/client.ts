import { apt, cron, file, role } from "bosun";

export interface ClientParams {
  /** Version of the client configuration. */
  version: string;
  /** URL of the app the client talks to. */
  appUrl: string;
}

/** A client of the app: its configuration file and a cron probe that logs the app's version. */
export const client = role(
  "client",
  (p: ClientParams, ctx) => {
    const version = String(ctx.var("client_version", p.version));
    apt(["curl"], { installRecommends: false });
    file("/etc/webapp-client.conf", { content: `# Managed by bosun\nversion=${version}\napp_url=${p.appUrl}\n`, mode: "0644" });
    cron("webapp-client-probe", {
      schedule: "*/5 * * * *",
      command: `curl -fsS --max-time 5 ${p.appUrl}/version >> /var/log/webapp-client.log 2>&1 || true`,
    });
  },
  { tags: ["client"] },
);
