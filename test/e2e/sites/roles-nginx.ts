/**
 * Site for test/e2e/roles-nginx.test.ts: two small upstreams (busybox httpd on loopback) and nginx in
 * front of them over TLS, certificate from an inventory var, key from a vaulted one.
 */
import { apt, deploy, directory, file, role, service, systemdUnit } from "bosun";
import { nginx } from "../../../src/roles/index.js";

const upstreams = role("upstreams", () => {
  apt(["busybox-static"], { installRecommends: false });
  for (const [name, port] of [
    ["a", 9101],
    ["b", 9102],
  ] as const) {
    directory(`/srv/up-${name}/b`, { mode: "0755" });
    file(`/srv/up-${name}/index.html`, { content: `upstream ${name}\n` });
    file(`/srv/up-${name}/b/index.html`, { content: `upstream ${name} saw /b/\n` });
    systemdUnit(`up-${name}`, {
      content: `[Service]\nExecStart=/bin/busybox httpd -f -p 127.0.0.1:${port} -h /srv/up-${name}\n\n[Install]\nWantedBy=multi-user.target\n`,
    });
    service(`up-${name}`, { state: "started", enabled: true });
  }
});

const proxy = role("proxy", () => {}, {
  deps: (_p, ctx) => [
    nginx({
      sites: [
        {
          name: "web",
          serverNames: ["web.lab"],
          tls: { cert: String(ctx.var("tls_cert")), key: ctx.var("tls_key") },
          routes: [
            { path: "/a/", upstream: "127.0.0.1:9101", stripPrefix: true },
            // -e broken=1: an upstream that does not resolve, which `nginx -t` must stop before it goes live.
            { path: "/b/", upstream: ctx.vars.broken ? "no-such-upstream.lab:9102" : "http://127.0.0.1:9102" },
          ],
        },
      ],
    }),
  ],
});

export default deploy("roles-nginx", [{ hosts: "web", roles: [upstreams(), proxy()] }]);
