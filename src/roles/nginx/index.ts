import { absent, apt, command, directory, handler, role, service, validatedFile } from "bosun";
import { checkSite, type NginxRoute, type NginxSite, type NginxTlsFiles, siteConfig, siteFile, TLS_DIR } from "./config.js";

export type { NginxRoute, NginxSite, NginxTlsFiles };

/** Parameters of the nginx role. */
export interface NginxParams {
  /** Virtual hosts, one config file each. */
  sites: NginxSite[];
  /** Keep Debian's default site (the "Welcome to nginx" page). Default false: removed. */
  keepDefaultSite?: boolean;
  /** Hide the nginx version in headers and error pages. Default true. */
  hideVersion?: boolean;
}

/** Declares the site's certificate and key: checked with openssl on the host before they go live. */
function tlsFiles(name: string, tls: NginxTlsFiles | "self-signed"): void {
  const crt = `${TLS_DIR}/${name}.crt`;
  const key = `${TLS_DIR}/${name}.key`;
  if (tls === "self-signed") {
    command(
      `openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=${name} -keyout ${key}.new -out ${crt} 2>/dev/null && chmod 0600 ${key}.new && mv ${key}.new ${key}`,
      { creates: crt, name: `self-signed certificate ${name}`, notify: "reload nginx" },
    );
    return;
  }
  validatedFile(crt, {
    content: tls.cert,
    mode: "0644",
    owner: "root",
    group: "root",
    validate: "openssl x509 -noout -in %s",
    notify: "reload nginx",
  });
  // The key must parse and belong to the certificate (written just before): a mismatched pair never goes live.
  validatedFile(key, {
    content: tls.key,
    mode: "0600",
    owner: "root",
    group: "root",
    validate: `openssl pkey -noout -in %s && { [ "$(openssl pkey -in %s -pubout)" = "$(openssl x509 -in ${crt} -noout -pubkey)" ] || { echo 'the key does not match ${crt}' >&2; exit 1; }; }`,
    notify: "reload nginx",
  });
}

/**
 * nginx as TLS terminator and reverse proxy: one config per site (server blocks, routes to upstreams,
 * HTTP→HTTPS redirect), certificates from the vault or self-signed, every config checked with
 * `nginx -t` before it goes live, reloads through a handler that checks again and probes nginx after.
 * `nginx({ sites: [{ name: "app", serverNames: ["app.example.com"], tls: { cert, key }, routes: [{ path: "/", upstream: "127.0.0.1:8080" }] }] })`
 */
export const nginx = role(
  "nginx",
  (p: NginxParams) => {
    p.sites.forEach(checkSite);
    const dup = p.sites.find((s, i) => p.sites.findIndex((t) => t.name === s.name) !== i);
    if (dup) throw new Error(`nginx: two sites are named "${dup.name}"`);
    apt(["nginx", "openssl"], { installRecommends: false });
    if (!p.keepDefaultSite) absent("/etc/nginx/sites-enabled/default", { notify: "reload nginx" });
    validatedFile("/etc/nginx/conf.d/bosun-global.conf", {
      content: `# Managed by bosun (nginx)\nserver_tokens ${p.hideVersion === false ? "on" : "off"};\n`,
      mode: "0644",
      validate: "nginx -t -q",
      notify: "reload nginx",
    });
    if (p.sites.some((s) => s.tls)) directory(TLS_DIR, { mode: "0750", owner: "root", group: "root" });
    for (const s of p.sites) {
      if (s.tls) tlsFiles(s.name, s.tls);
      validatedFile(siteFile(s.name), { content: siteConfig(s), mode: "0644", validate: "nginx -t -q", notify: "reload nginx" });
    }
    service("nginx", { state: "started", enabled: true });
    handler("reload nginx", () => {
      command("nginx -t -q", { name: "nginx -t" });
      service("nginx", { state: "reloaded" });
      command("systemctl is-active --quiet nginx || { echo 'nginx is not running after its reload' >&2; exit 1; }", {
        name: "nginx is running",
      });
    });
  },
  { tags: ["nginx"] },
);
