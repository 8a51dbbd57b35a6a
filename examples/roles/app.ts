import { apt, command, cron, directory, file, handler, link, role, service, systemdUnit, user } from "bosun";

export interface AppParams {
  /** Release to deploy (`-e app_version=…` overrides); each version has its own directory, `current` points at the live one. */
  version: string;
  port?: number;
  /** Environment for the service, written to an env file (mode 0640). */
  env?: Record<string, string>;
}

/**
 * A versioned app release under systemd: /srv/app/releases/<version>, a `current` symlink, an env file,
 * a unit, and a handler that restarts it and waits for its health check when anything changed.
 */
export const app = role(
  "app",
  (p: AppParams, ctx) => {
    const port = p.port ?? 9100;
    const version = String(ctx.var("app_version", p.version));
    if (!/^[\w.-]+$/.test(version)) throw new Error(`app: bad version "${version}"`);
    const release = `/srv/app/releases/${version}`;
    apt(["python3", "curl"], { installRecommends: false });
    user("app", { system: true, home: "/srv/app", createHome: false, shell: "/usr/sbin/nologin", comment: "example app" });
    directory("/srv/app/releases", { mode: "0755" });
    directory("/srv/data/app", { mode: "0750", owner: "app", group: "app" });
    directory(`${release}/public`, { mode: "0755" });
    file(`${release}/public/index.html`, { content: `<h1>app ${version}</h1>\n<p>served by ${ctx.host}</p>\n` });
    file(`${release}/public/health`, { content: "ok\n" });
    file(`${release}/public/version`, { content: `${version}\n` });
    link("/srv/app/current", { target: release, notify: "restart app" });
    const env = { APP_PORT: String(port), APP_VERSION: version, ...p.env };
    file("/srv/app/app.env", {
      content: Object.entries(env)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(""),
      mode: "0640",
      owner: "root",
      group: "app",
      notify: "restart app",
    });
    systemdUnit("app", {
      content: `[Unit]
Description=example app (bosun)
After=network.target

[Service]
EnvironmentFile=/srv/app/app.env
ExecStart=/usr/bin/python3 -m http.server \${APP_PORT} --bind 127.0.0.1 --directory /srv/app/current/public
Restart=on-failure
User=app
Group=app
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=/srv/data/app

[Install]
WantedBy=multi-user.target
`,
      notify: "restart app",
    });
    service("app", { state: "started", enabled: true });
    // Keep the three newest releases (never the live one).
    cron("app-prune-releases", {
      schedule: "17 3 * * *",
      command: 'cd /srv/app/releases && ls -1t | tail -n +4 | grep -vx "$(basename "$(readlink -f /srv/app/current)")" | xargs -r rm -rf',
    });
    handler("restart app", () => {
      service("app", { state: "restarted" });
      // The health check: the release is live only when it answers.
      command(
        `for i in $(seq 1 50); do curl -fsS http://127.0.0.1:${port}/health >/dev/null 2>&1 && exit 0; sleep 0.2; done; echo "app did not become healthy on port ${port}" >&2; exit 1`,
        {
          name: "health check",
        },
      );
    });
  },
  { tags: ["app"] },
);
