/**
 * The `bosunServer` role: runs `bosun serve` on a host under systemd, so a fleet can have its GitOps
 * server like any other service. Installs git, a system user, bosun itself (from an archive
 * of a built checkout, or already present), /etc/bosun/bosun.toml from typed params, and a unit that
 * stops with SIGTERM and gives in-flight runs their grace period. See docs/roles/bosun-server.md.
 * Node.js ≥ 20 runs it: shipped from the controller as a runtime archive (`runtime`, a .tar.gz
 * holding bin/node — Debian 12 hosts have only Node 18), already on the host (`node`), or from the
 * distribution (`installNode`, where it is new enough).
 */
import { parse, stringify as toToml } from "smol-toml";
import {
  apt,
  type Content,
  directory,
  exposureProblem,
  file,
  group,
  handler,
  role,
  ServerConfigSchema,
  service,
  systemdUnit,
  unarchive,
  user,
  validatedFile,
} from "../index.js";

/** A TOML value: what the `[server]` table and `settings` may hold. */
import type { TomlValue } from "./service/index.js";

export interface BosunServerEnvironment {
  site: string;
  inventory: string;
  policy?: "auto" | "approve";
  limit?: string;
}

export interface BosunServerParams {
  /** The repository the server tracks (a URL or a path on the host). */
  repo: string;
  branch?: string;
  environments: Record<string, BosunServerEnvironment>;
  /** HOST:PORT; default 127.0.0.1:8700. A non-loopback address needs TLS (`tls`, or tlsCert and tlsKey) and tokens. */
  listen?: string;
  /**
   * TLS delivered by the role: the certificate (PEM, chain included) and its key, a Secret from the
   * vault. Written to /etc/bosun/tls/server.crt (0644) and server.key (0600), owned by the server's
   * user, checked with openssl before they go live; a change restarts the server.
   */
  tls?: BosunServerTls;
  /** Or: certificate and key files already on the host (PEM paths). */
  tlsCert?: string;
  tlsKey?: string;
  /** API tokens as hashes (`bosun serve token NAME --scope operator` prints one). */
  tokens?: { name: string; scope: "read" | "operator"; sha256: string }[];
  driftSchedule?: string;
  webhooks?: string[];
  pollInterval?: number;
  gracePeriod?: number;
  /** A pipeline file in the repository: its stages run from the dashboard and API. */
  pipeline?: string;
  /** Other top-level bosun.toml settings (ssh, inventories, vault…). */
  settings?: Record<string, TomlValue>;
  /** A .tar.gz of a built bosun (dist/ and node_modules/ included) on the control machine; omit when installDir already holds one. */
  archive?: string;
  /** Where bosun is (or is unpacked): default /opt/bosun. */
  installDir?: string;
  /** The system user the server runs as (its SSH key for the fleet lives in its home): default bosun. */
  user?: string;
  /** ${PREFIX}: state under PREFIX/data/bosun. Default /srv. */
  prefix?: string;
  /**
   * A Node.js ≥ 20 binary on the host (default /usr/bin/node). With installNode, the distribution's
   * `nodejs` package provides it: Debian 13 has Node 20; Debian 12's Node 18 is too old for bosun.
   */
  node?: string;
  installNode?: boolean;
  /**
   * A Node.js ≥ 20 runtime on the control machine, as a .tar.gz holding `bin/node` (e.g.
   * `tar -czf node-runtime.tar.gz -C /usr bin/node` on a controller whose Node is 20+, same
   * architecture and libc as the host). Unpacked into installDir/runtime; the unit runs that node.
   */
  runtime?: string;
  /** BOSUN_LOG of the server (levels error|warn|info|debug, or module=level pairs). Default info: the journal shows starts, stops and runs. */
  log?: string;
}

/** A certificate and its key for the server's HTTPS listener. */
export interface BosunServerTls {
  /** Certificate chain in PEM, leaf first. */
  cert: string;
  /** Private key in PEM: pass the vaulted Secret, never plaintext in a repository. */
  key: Content;
}

const TLS_DIR = "/etc/bosun/tls";

/** Returns the node binary the unit runs: the shipped runtime's, else `node`, else /usr/bin/node. */
export const serverNode = (p: BosunServerParams): string =>
  p.runtime ? `${p.installDir ?? "/opt/bosun"}/runtime/bin/node` : (p.node ?? "/usr/bin/node");

const UNIT = "bosun-server";

/** Returns the [server] tls_cert/tls_key entries: the role's own files with `tls`, else the paths given. */
function tlsPaths(p: BosunServerParams): Record<string, string> {
  if (p.tls) return { tls_cert: `${TLS_DIR}/server.crt`, tls_key: `${TLS_DIR}/server.key` };
  return { ...(p.tlsCert ? { tls_cert: p.tlsCert } : {}), ...(p.tlsKey ? { tls_key: p.tlsKey } : {}) };
}

/** Returns the bosun.toml the server reads. */
export function renderServerConfig(p: BosunServerParams): string {
  const server: Record<string, TomlValue> = {
    repo: p.repo,
    branch: p.branch ?? "main",
    ...(p.pipeline ? { pipeline: p.pipeline } : {}),
    listen: p.listen ?? "127.0.0.1:8700",
    ...tlsPaths(p),
    ...(p.driftSchedule ? { drift_schedule: p.driftSchedule } : {}),
    ...(p.pollInterval !== undefined ? { poll_interval: p.pollInterval } : {}),
    ...(p.gracePeriod !== undefined ? { grace_period: p.gracePeriod } : {}),
    webhooks: p.webhooks ?? [],
    tokens: p.tokens ?? [],
    environments: Object.fromEntries(
      Object.entries(p.environments).map(([name, e]) => [
        name,
        { site: e.site, inventory: e.inventory, policy: e.policy ?? "approve", ...(e.limit ? { limit: e.limit } : {}) },
      ]),
    ),
  };
  return `# Written by the bosunServer role.\n${toToml({ ...(p.settings ?? {}), server })}\n`;
}

/** Returns the systemd unit: SIGTERM to stop, with time for the grace period and the in-flight step. */
export function renderServerUnit(p: BosunServerParams): string {
  const dir = p.installDir ?? "/opt/bosun";
  const prefix = p.prefix ?? "/srv";
  return `[Unit]
Description=Bosun GitOps server (bosun serve)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=${p.user ?? "bosun"}
Environment=PREFIX=${prefix} BOSUN_CONFIG=/etc/bosun/bosun.toml BOSUN_LOG=${p.log ?? "info"}
WorkingDirectory=${prefix}/data/bosun
ExecStart=${serverNode(p)} ${dir}/bin/bosun.js serve
KillSignal=SIGTERM
TimeoutStopSec=${(p.gracePeriod ?? 30) + 120}
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target
`;
}

/**
 * Throws when the params make a config `bosun serve` would refuse (the same schema and exposure rule),
 * so a bad site fails at plan time on the controller instead of as a crash loop under systemd.
 */
export function checkServerParams(p: BosunServerParams): void {
  if (p.tls && (p.tlsCert || p.tlsKey))
    throw new Error("bosunServer: give tls (delivered by the role) or tlsCert/tlsKey (paths on the host), not both");
  const parsed = ServerConfigSchema.safeParse(parse(renderServerConfig(p)).server);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`bosunServer: server.${issue?.path.join(".")}: ${issue?.message}`);
  }
  const exposure = exposureProblem(parsed.data);
  if (exposure) throw new Error(`bosunServer: ${exposure.replace("tls_cert and tls_key", "tls")}`);
}

/** Declares the certificate and key files, owned by the server's user; a key that does not match the certificate never goes live. */
function tlsFiles(tls: BosunServerTls, owner: string): void {
  const crt = `${TLS_DIR}/server.crt`;
  directory(TLS_DIR, { owner: "root", group: owner, mode: "0750" });
  const common = { owner, group: owner, notify: `restart ${UNIT}` };
  validatedFile(crt, { ...common, content: tls.cert, mode: "0644", validate: "openssl x509 -noout -in %s" });
  validatedFile(`${TLS_DIR}/server.key`, {
    ...common,
    content: tls.key,
    mode: "0600",
    validate: `openssl pkey -noout -in %s && { [ "$(openssl pkey -in %s -pubout)" = "$(openssl x509 -in ${crt} -noout -pubkey)" ] || { echo 'the key does not match ${crt}' >&2; exit 1; }; }`,
  });
}

export const bosunServer = role("bosunServer", (p: BosunServerParams) => {
  checkServerParams(p);
  const name = p.user ?? "bosun";
  const dir = p.installDir ?? "/opt/bosun";
  const state = `${p.prefix ?? "/srv"}/data/bosun`;
  apt(["git", ...(p.installNode ? ["nodejs"] : []), ...(p.tls ? ["openssl"] : [])]);
  group(name, { system: true });
  user(name, { system: true, group: name, home: state, shell: "/usr/sbin/nologin" });
  directory(state, { owner: name, group: name, mode: "0750" });
  directory("/etc/bosun", { owner: "root", group: name, mode: "0750" });
  if (p.archive || p.runtime) directory(dir, { owner: "root", group: "root", mode: "0755" });
  if (p.archive) {
    unarchive(dir, { src: p.archive, creates: `${dir}/bin/bosun.js`, notify: `restart ${UNIT}` });
  }
  if (p.runtime) {
    directory(`${dir}/runtime`, { owner: "root", group: "root", mode: "0755" });
    unarchive(`${dir}/runtime`, { src: p.runtime, creates: serverNode(p), notify: `restart ${UNIT}` });
  }
  if (p.tls) tlsFiles(p.tls, name);
  file("/etc/bosun/bosun.toml", { content: renderServerConfig(p), owner: "root", group: name, mode: "0640", notify: `restart ${UNIT}` });
  systemdUnit(UNIT, { content: renderServerUnit(p), notify: `restart ${UNIT}` });
  service(UNIT, { state: "started", enabled: true });
  handler(`restart ${UNIT}`, () => service(UNIT, { state: "restarted" }));
});
