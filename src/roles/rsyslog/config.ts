/** Rendering of the rsyslog and logrotate files of the rsyslog roles (pure: unit-tested). */

export const REMOTE_DIR = "/var/log/remote";

/** Returns the collector's drop-in: TCP and UDP inputs bound to a ruleset that writes one file per host and program. */
export function serverConfig(o: { port: number; tcp: boolean; udp: boolean; dir: string }): string {
  return [
    "# Managed by bosun (rsyslogServer): remote messages go to DIR/HOST/PROGRAM.log, never to local files",
    `template(name="bosunPerHost" type="string" string="${o.dir}/%HOSTNAME:::secpath-replace%/%PROGRAMNAME:::secpath-replace%.log")`,
    'ruleset(name="bosunRemote") {',
    '  action(type="omfile" dynaFile="bosunPerHost" createDirs="on" dirCreateMode="0750" fileCreateMode="0640" fileOwner="root" fileGroup="adm")',
    "  stop",
    "}",
    ...(o.udp ? ['module(load="imudp")', `input(type="imudp" port="${o.port}" ruleset="bosunRemote")`] : []),
    ...(o.tcp ? ['module(load="imtcp")', `input(type="imtcp" port="${o.port}" ruleset="bosunRemote")`] : []),
    "",
  ].join("\n");
}

/**
 * Returns the logrotate config of the collected files: daily, kept `days` days, compressed. rsyslog
 * reopens its files on HUP, sent to its main process only (Debian's rsyslog-rotate signals the whole
 * unit, which fails in containers whose cgroups are read-only).
 */
export function serverLogrotate(dir: string, days: number): string {
  return `# Managed by bosun (rsyslogServer)
${dir}/*/*.log {
    daily
    rotate ${days}
    maxage ${days}
    missingok
    notifempty
    compress
    delaycompress
    sharedscripts
    postrotate
        systemctl kill -s HUP --kill-who=main rsyslog.service
    endscript
}
`;
}

/** What the client's forwarding action needs. */
export interface ForwardOptions {
  target: string;
  port: number;
  protocol: "tcp" | "udp";
  /** Largest disk space of the queue, rsyslog syntax ("1g"). */
  maxDiskSpace: string;
  /** Seconds between retries while the collector is unreachable. */
  retryInterval: number;
}

/** Returns the client's drop-in: every message forwarded through a disk-assisted queue that survives restarts. */
export function clientConfig(o: ForwardOptions): string {
  return `# Managed by bosun (rsyslogClient): forward everything to the collector; queue on disk while it is away
action(type="omfwd" target="${o.target}" port="${o.port}" protocol="${o.protocol}"
       queue.type="LinkedList" queue.filename="bosun_fwd" queue.maxDiskSpace="${o.maxDiskSpace}"
       queue.saveOnShutdown="on" action.resumeRetryCount="-1" action.resumeInterval="${o.retryInterval}")
`;
}
