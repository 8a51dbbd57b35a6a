import type { Content } from "bosun";

/** A reverse-proxy route: requests under `path` go to `upstream`. */
export interface NginxRoute {
  /** URL path prefix, starting and ending with "/": "/grafana/". */
  path: string;
  /** Where requests go: "127.0.0.1:3000", "http://10.0.0.5:8080" or "https://…". */
  upstream: string;
  /** Remove the route's prefix before passing the request on ("/grafana/x" arrives as "/x"). Default false. */
  stripPrefix?: boolean;
  /** Pass WebSocket upgrades through. Default false. */
  websocket?: boolean;
}

/** TLS from files: the certificate (PEM, chain included) and its key, a Secret from the vault. */
export interface NginxTlsFiles {
  /** Certificate chain in PEM, leaf first. */
  cert: string;
  /** Private key in PEM; pass the vaulted Secret, never plaintext in a repository. */
  key: Content;
}

/** A virtual host. */
export interface NginxSite {
  /** Site name: file /etc/nginx/conf.d/bosun-NAME.conf (letters, digits, `-`, `_`). */
  name: string;
  /** server_name values. Default ["_"] (any name). */
  serverNames?: string[];
  /** Reverse-proxy routes. */
  routes?: NginxRoute[];
  /** Serve static files from this directory for requests no route matches. */
  root?: string;
  /** TLS: certificate files (key from the vault), "self-signed" (made on the host once, for labs), or none (HTTP only). */
  tls?: NginxTlsFiles | "self-signed";
  /** With TLS: answer plain HTTP with a permanent redirect to HTTPS. Default true. */
  redirectHttp?: boolean;
  /** HTTP port. Default 80. */
  httpPort?: number;
  /** HTTPS port. Default 443. */
  httpsPort?: number;
  /** Mark this site's listeners `default_server`. Default false. */
  defaultServer?: boolean;
  /** Largest accepted request body, nginx syntax ("10m"). Default nginx's 1m. */
  clientMaxBodySize?: string;
}

export const TLS_DIR = "/etc/nginx/tls";

/** Returns the file of a site's config. */
export const siteFile = (name: string) => `/etc/nginx/conf.d/bosun-${name}.conf`;

/** Throws naming the site and field when a site's parameters cannot make a valid config. */
export function checkSite(s: NginxSite): void {
  const where = `nginx site ${JSON.stringify(s.name)}`;
  if (!/^[A-Za-z0-9_-]+$/.test(s.name)) throw new Error(`${where}: name must be letters, digits, "-" or "_"`);
  for (const n of s.serverNames ?? []) if (!/^[\w.*~^$-]+$/.test(n)) throw new Error(`${where}: bad server name "${n}"`);
  for (const r of s.routes ?? []) {
    if (!/^\/([\w.~-]+\/)*$/.test(r.path)) throw new Error(`${where}: route path "${r.path}" must start and end with "/"`);
    if (!/^(https?:\/\/)?[\w.-]+(:\d+)?$/.test(r.upstream))
      throw new Error(`${where}: route ${r.path}: upstream "${r.upstream}" is not host:port or a URL`);
  }
  if (s.root !== undefined && !/^\/[\w./-]*$/.test(s.root)) throw new Error(`${where}: root "${s.root}" must be an absolute path`);
  if (!s.routes?.length && s.root === undefined) throw new Error(`${where}: give routes, a root, or both`);
  if (s.clientMaxBodySize !== undefined && !/^\d+[kmg]?$/i.test(s.clientMaxBodySize)) throw new Error(`${where}: bad clientMaxBodySize`);
}

function location(r: NginxRoute): string {
  const base = /^https?:\/\//.test(r.upstream) ? r.upstream : `http://${r.upstream}`;
  return [
    `    location ${r.path} {`,
    `        proxy_pass ${base}${r.stripPrefix ? "/" : ""};`,
    "        proxy_set_header Host $host;",
    "        proxy_set_header X-Real-IP $remote_addr;",
    "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "        proxy_set_header X-Forwarded-Proto $scheme;",
    ...(r.websocket
      ? [
          "        proxy_http_version 1.1;",
          "        proxy_set_header Upgrade $http_upgrade;",
          '        proxy_set_header Connection "upgrade";',
        ]
      : []),
    "    }",
  ].join("\n");
}

/** Returns the server blocks of a site (pure: unit-tested). */
export function siteConfig(s: NginxSite): string {
  const names = (s.serverNames ?? ["_"]).join(" ");
  const dflt = s.defaultServer ? " default_server" : "";
  const http = s.httpPort ?? 80;
  const body = [
    ...(s.clientMaxBodySize ? [`    client_max_body_size ${s.clientMaxBodySize};`] : []),
    ...(s.root ? [`    root ${s.root};`, "    location / {", "        try_files $uri $uri/ =404;", "    }"] : []),
    ...(s.routes ?? []).map(location),
  ];
  const out = [`# Managed by bosun (nginx): site ${s.name}`];
  if (s.tls) {
    const tls = [
      "server {",
      `    listen ${s.httpsPort ?? 443} ssl http2${dflt};`,
      `    server_name ${names};`,
      `    ssl_certificate ${TLS_DIR}/${s.name}.crt;`,
      `    ssl_certificate_key ${TLS_DIR}/${s.name}.key;`,
      "    ssl_protocols TLSv1.2 TLSv1.3;",
      "    ssl_session_cache shared:bosun_ssl:10m;",
      "    add_header Strict-Transport-Security max-age=31536000 always;",
      ...body,
      "}",
    ];
    if (s.redirectHttp ?? true) {
      out.push("server {", `    listen ${http}${dflt};`, `    server_name ${names};`, "    return 301 https://$host$request_uri;", "}");
    }
    out.push(...tls);
  } else {
    out.push("server {", `    listen ${http}${dflt};`, `    server_name ${names};`, ...body, "}");
  }
  return `${out.join("\n")}\n`;
}
