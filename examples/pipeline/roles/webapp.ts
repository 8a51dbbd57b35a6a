import { apt, copy, directory, file, handler, link, role, service, systemdUnit, user } from "bosun";

export interface WebappParams {
  /** Release to run (the var webapp_version overrides): examples/pipeline/releases/<version> is its artifact. */
  version: string;
  port?: number;
}

/** Returns the artifact directory of a release on the controller. */
export const releaseDir = (version: string) => new URL(`../releases/${version}/`, import.meta.url).pathname;

/**
 * A versioned web app: the release's files under /srv/webapp/releases/<version>, a `current` symlink,
 * and a unit serving `current` with python3's http.server. Switching releases restarts the unit; the
 * stage's verify checks decide whether the release works (a broken one answers /health with an error).
 */
export const webapp = role(
  "webapp",
  (p: WebappParams, ctx) => {
    // The pipeline's `version` input arrives as the var webapp_version.
    const version = String(ctx.var("webapp_version", p.version));
    if (!/^[\w.-]+$/.test(version)) throw new Error(`webapp: bad version "${version}"`);
    const port = p.port ?? 9200;
    const release = `/srv/webapp/releases/${version}`;
    apt(["python3", "curl"], { installRecommends: false });
    user("webapp", { system: true, home: "/srv/webapp", createHome: false, shell: "/usr/sbin/nologin", comment: "pipeline example app" });
    directory("/srv/webapp/releases", { mode: "0755" });
    directory(release, { mode: "0755" });
    for (const f of ["index.html", "health"]) copy(`${release}/${f}`, { src: `${releaseDir(version)}${f}`, mode: "0644" });
    file(`${release}/version`, { content: `${version}\n`, mode: "0644" });
    link("/srv/webapp/current", { target: release, notify: "restart webapp" });
    systemdUnit("webapp", {
      content: `[Unit]
Description=pipeline example app (bosun)
After=network.target

[Service]
ExecStart=/usr/bin/python3 -m http.server ${port} --bind 0.0.0.0 --directory /srv/webapp/current
Restart=on-failure
User=webapp
Group=webapp
NoNewPrivileges=yes
ProtectSystem=strict

[Install]
WantedBy=multi-user.target
`,
      notify: "restart webapp",
    });
    service("webapp", { state: "started", enabled: true });
    handler("restart webapp", () => service("webapp", { state: "restarted" }));
  },
  { tags: ["webapp"] },
);
