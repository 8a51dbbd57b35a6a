import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import type { RoleContext } from "../../../src/index.js";
import { postfixMainCf } from "../../../src/roles/common/postfix.js";
import { refuseLockout, sshdConfig } from "../../../src/roles/common/sshd.js";
import { checkSite, siteConfig } from "../../../src/roles/nginx/config.js";
import { prometheusConfig } from "../../../src/roles/prometheus/config.js";
import { clientConfig, serverConfig, serverLogrotate } from "../../../src/roles/rsyslog/config.js";

describe("common role files", () => {
  it("sshd hardening turns passwords off and root to keys only by default", () => {
    const c = sshdConfig({});
    assert.match(c, /^PasswordAuthentication no$/m);
    assert.match(c, /^PermitRootLogin prohibit-password$/m);
    assert.doesNotMatch(c, /AllowUsers/);
    assert.match(sshdConfig({ allowUsers: ["ops", "deploy"] }), /^AllowUsers ops deploy$/m);
  });

  it("sshd settings that would refuse Bosun's own account are refused before any host is touched", () => {
    assert.throws(() => refuseLockout({ allowUsers: ["alice"] }, "root"), /allowUsers leaves out "root", the account Bosun connects with/);
    assert.throws(() => refuseLockout({ permitRootLogin: "no" }, "root"), /permitRootLogin "no" refuses root/);
    assert.doesNotThrow(() => refuseLockout({ allowUsers: ["deploy"], permitRootLogin: "no" }, "deploy"));
  });

  it("postfix relays everything to the relay host, listens on loopback only, delivers nothing locally", () => {
    const c = postfixMainCf({ relayHost: "[10.0.0.5]:587", rootAlias: "ops@example.com" }, "web1");
    assert.match(c, /^relayhost = \[10\.0\.0\.5\]:587$/m);
    assert.match(c, /^inet_interfaces = loopback-only$/m);
    assert.match(c, /^mydestination =$/m);
    assert.match(c, /^recipient_canonical_maps = inline:\{ root@web1=ops@example\.com \}$/m);
  });
});

describe("nginx site config", () => {
  const site = {
    name: "app",
    serverNames: ["app.example.com"],
    tls: { cert: "CERT", key: "KEY" },
    routes: [
      { path: "/grafana/", upstream: "127.0.0.1:3000", stripPrefix: true },
      { path: "/reports/", upstream: "https://10.0.0.7:8443", websocket: true },
    ],
  };

  it("redirects HTTP to HTTPS and proxies each route to its upstream", () => {
    const c = siteConfig(site);
    assert.match(c, /listen 80;\n\s+server_name app\.example\.com;\n\s+return 301 https:\/\/\$host\$request_uri;/);
    assert.match(c, /listen 443 ssl http2;/);
    assert.match(c, /ssl_certificate_key \/etc\/nginx\/tls\/app\.key;/);
    assert.match(c, /location \/grafana\/ \{\n\s+proxy_pass http:\/\/127\.0\.0\.1:3000\/;/);
    assert.match(c, /location \/reports\/ \{\n\s+proxy_pass https:\/\/10\.0\.0\.7:8443;[\s\S]*Upgrade \$http_upgrade/);
  });

  it("serves plain HTTP without TLS", () => {
    const c = siteConfig({ name: "plain", root: "/srv/www" });
    assert.doesNotMatch(c, /ssl|return 301/);
    assert.match(c, /root \/srv\/www;/);
  });

  it("refuses parameters that would make a broken or injected config, naming site and field", () => {
    assert.throws(() => checkSite({ name: "a b", root: "/x" }), /nginx site "a b": name/);
    assert.throws(
      () => checkSite({ name: "a", routes: [{ path: "/x", upstream: "h:1" }] }),
      /route path "\/x" must start and end with "\/"/,
    );
    assert.throws(() => checkSite({ name: "a", routes: [{ path: "/x/", upstream: "h:1; evil" }] }), /upstream "h:1; evil"/);
    assert.throws(() => checkSite({ name: "a" }), /give routes, a root, or both/);
  });
});

describe("prometheus config from the inventory", () => {
  const hosts: Record<string, string[]> = { all: ["web1", "db1"], web: ["web1"], empty: [] };
  const ctx = {
    host: "mon1",
    groupHosts: (g: string) => hosts[g] ?? [],
    hostVars: (h: string) => (h === "web1" ? { bosun_host: "10.0.0.11" } : {}),
  } as unknown as RoleContext;

  it("scrapes every node exporter of the group, labelled with the host's inventory name", () => {
    const doc = parse(prometheusConfig({ scrapeJobs: [{ name: "app", group: "web", port: 9200 }] }, ctx));
    const node = doc.scrape_configs.find((j: { job_name: string }) => j.job_name === "node");
    assert.deepEqual(node.static_configs, [
      { targets: ["10.0.0.11:9100"], labels: { host: "web1" } },
      { targets: ["db1:9100"], labels: { host: "db1" } },
    ]);
    const app = doc.scrape_configs.find((j: { job_name: string }) => j.job_name === "app");
    assert.deepEqual(app.static_configs, [{ targets: ["10.0.0.11:9200"], labels: { host: "web1" } }]);
    assert.deepEqual(doc.rule_files, ["/etc/prometheus/rules/*.yml"]);
  });

  it("fails naming the group when it has no hosts, and a job without targets", () => {
    assert.throws(() => prometheusConfig({ nodeExporterGroup: "empty" }, ctx), /group "empty" has no hosts/);
    assert.throws(() => prometheusConfig({ scrapeJobs: [{ name: "x" }] }, ctx), /job "x" has neither targets nor group/);
  });
});

describe("rsyslog files", () => {
  it("the collector writes per host and program, from TCP and UDP", () => {
    const c = serverConfig({ port: 514, tcp: true, udp: true, dir: "/var/log/remote" });
    assert.match(c, /string="\/var\/log\/remote\/%HOSTNAME:::secpath-replace%\/%PROGRAMNAME:::secpath-replace%\.log"/);
    assert.match(c, /input\(type="imtcp" port="514" ruleset="bosunRemote"\)/);
    assert.match(c, /input\(type="imudp" port="514" ruleset="bosunRemote"\)/);
    assert.doesNotMatch(serverConfig({ port: 514, tcp: true, udp: false, dir: "/x" }), /imudp/);
    assert.match(serverLogrotate("/var/log/remote", 30), /rotate 30\n\s+maxage 30/);
  });

  it("a client forwards through a disk-assisted queue kept across restarts", () => {
    const c = clientConfig({ target: "10.0.0.9", port: 514, protocol: "tcp", maxDiskSpace: "1g", retryInterval: 10 });
    assert.match(c, /queue\.type="LinkedList" queue\.filename="bosun_fwd"/);
    assert.match(c, /queue\.saveOnShutdown="on"/);
  });
});
