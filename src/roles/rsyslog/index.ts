import { apt, command, directory, handler, role, service, validatedFile } from "bosun";
import { clientConfig, REMOTE_DIR, serverConfig, serverLogrotate } from "./config.js";

/** Parameters of the rsyslogServer role (the log collector). */
export interface RsyslogServerParams {
  /** Port of the TCP and UDP inputs. Default 514. */
  port?: number;
  /** Receive over TCP. Default true. */
  tcp?: boolean;
  /** Receive over UDP. Default true. */
  udp?: boolean;
  /** Days of logs kept (rotated daily, compressed). Default 14. */
  retentionDays?: number;
  /** Where per-host folders go. Default "/var/log/remote". */
  dir?: string;
}

/** Parameters of the rsyslogClient role. */
export interface RsyslogClientParams {
  /** The collector: an inventory host name (its `bosun_host` is used) or an address. */
  server: string;
  /** Collector port. Default 514. */
  port?: number;
  /** Transport. Default "tcp" (with the disk queue, nothing is lost while the collector restarts). */
  protocol?: "tcp" | "udp";
  /** Largest disk space the queue uses while the collector is away. Default "1g". */
  queueMaxDiskSpace?: string;
  /** Seconds between retries while the collector is unreachable. Default 10. */
  retryInterval?: number;
}

/** Declares rsyslog installed and running, and the handler that restarts it and checks it runs. */
function rsyslogBase(): void {
  apt(["rsyslog", "logrotate"], { installRecommends: false });
  service("rsyslog", { state: "started", enabled: true });
  handler("restart rsyslog", () => {
    service("rsyslog", { state: "restarted" });
    command("sleep 0.5; systemctl is-active --quiet rsyslog || { echo 'rsyslog is not running after its restart' >&2; exit 1; }", {
      name: "rsyslog is running",
    });
  });
}

function checkPort(role: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${role}: port ${port} is not a port number`);
}

/**
 * The log collector: rsyslog receives over TCP and UDP and writes DIR/HOST/PROGRAM.log, rotated daily
 * and kept N days. Configs are checked with `rsyslogd -N1` (and logrotate's with `logrotate -d`) before
 * they go live; restarts through a handler.
 * `rsyslogServer({ retentionDays: 30 })`
 */
export const rsyslogServer = role(
  "rsyslogServer",
  (p: RsyslogServerParams | undefined) => {
    const o = p ?? {};
    const port = o.port ?? 514;
    checkPort("rsyslogServer", port);
    const dir = o.dir ?? REMOTE_DIR;
    if (!/^\/[\w./-]+$/.test(dir)) throw new Error(`rsyslogServer: dir "${dir}" must be an absolute path`);
    const days = o.retentionDays ?? 14;
    if (!Number.isInteger(days) || days < 1) throw new Error(`rsyslogServer: retentionDays must be a whole number of days ≥ 1`);
    if (o.tcp === false && o.udp === false) throw new Error("rsyslogServer: tcp and udp are both off: nothing would be received");
    rsyslogBase();
    directory(dir, { mode: "0750", owner: "root", group: "adm" });
    validatedFile("/etc/rsyslog.d/10-bosun-server.conf", {
      content: serverConfig({ port, tcp: o.tcp ?? true, udp: o.udp ?? true, dir }),
      mode: "0644",
      validate: "rsyslogd -N1",
      notify: "restart rsyslog",
    });
    validatedFile("/etc/logrotate.d/bosun-remote", { content: serverLogrotate(dir, days), mode: "0644", validate: "logrotate -d %s" });
  },
  { tags: ["rsyslog", "logging"] },
);

/**
 * A log client: rsyslog forwards every message to the collector through a disk-assisted queue
 * (kept across restarts while the collector is away). Checked with `rsyslogd -N1` before it goes live.
 * `rsyslogClient({ server: "log1" })`
 */
export const rsyslogClient = role(
  "rsyslogClient",
  (p: RsyslogClientParams, ctx) => {
    const port = p.port ?? 514;
    checkPort("rsyslogClient", port);
    const known = ctx.groupHosts("all").includes(p.server);
    const target = known ? String(ctx.hostVars(p.server).bosun_host ?? p.server) : p.server;
    if (!/^[\w.:-]+$/.test(target)) throw new Error(`rsyslogClient: server "${p.server}" is neither an inventory host nor an address`);
    const space = p.queueMaxDiskSpace ?? "1g";
    if (!/^\d+[kmg]?$/i.test(space)) throw new Error(`rsyslogClient: queueMaxDiskSpace "${space}" is not like "1g"`);
    rsyslogBase();
    validatedFile("/etc/rsyslog.d/90-bosun-forward.conf", {
      content: clientConfig({ target, port, protocol: p.protocol ?? "tcp", maxDiskSpace: space, retryInterval: p.retryInterval ?? 10 }),
      mode: "0644",
      validate: "rsyslogd -N1",
      notify: "restart rsyslog",
    });
  },
  { tags: ["rsyslog", "logging"] },
);
