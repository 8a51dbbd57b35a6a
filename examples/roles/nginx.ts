import { absent, apt, command, file, handler, link, role, service } from "bosun";

export interface Site {
  name: string;
  /** host:port the site proxies to. */
  upstream: string;
  serverName?: string;
  listen?: number;
}

/** Returns an nginx server block proxying to the site's upstream. */
export function siteConfig(s: Site): string {
  return `# Managed by bosun: site ${s.name}
server {
    listen ${s.listen ?? 80};
    server_name ${s.serverName ?? "_"};

    location / {
        proxy_pass http://${s.upstream};
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
}
`;
}

/** nginx as a reverse proxy: one server block per site, the default site removed, reloaded on change. */
export const nginx = role(
  "nginx",
  (p: { sites: Site[] }) => {
    apt(["nginx"], { installRecommends: false });
    absent("/etc/nginx/sites-enabled/default", { notify: "reload nginx" });
    for (const s of p.sites) {
      file(`/etc/nginx/sites-available/${s.name}`, { content: siteConfig(s), mode: "0644", notify: "reload nginx" });
      link(`/etc/nginx/sites-enabled/${s.name}`, { target: `/etc/nginx/sites-available/${s.name}`, notify: "reload nginx" });
    }
    service("nginx", { state: "started", enabled: true });
    handler("reload nginx", () => {
      command("nginx -t -q", { name: "nginx -t" });
      service("nginx", { state: "reloaded" });
    });
  },
  { tags: ["nginx"] },
);
