/** Pure renderers of the service role's files: the systemd unit, the env file, the logrotate policy. */
import type { SensitiveContent } from "../../index.js";
import { isSecret } from "../../index.js";

/** systemd restart policies the role offers. */
export type RestartPolicy = "always" | "on-failure" | "on-abnormal";

/** Resource limits of the unit (cgroup limits need a host whose systemd controls cgroups). */
export interface ServiceLimits {
  /** MemoryMax=, e.g. "512M". */
  memoryMax?: string;
  /** CPUQuota=, e.g. "50%". */
  cpuQuota?: string;
  /** TasksMax=: most processes and threads. */
  tasksMax?: number;
  /** LimitNOFILE=: most open files. */
  nofile?: number;
}

export interface UnitSpec {
  name: string;
  user: string;
  root: string;
  exec: string;
  restart: RestartPolicy;
  restartSec: number;
  limits: ServiceLimits;
  sandbox: boolean;
  readWritePaths: string[];
  stopTimeoutSec: number;
}

/** Returns the service's systemd unit: runs from `current`, logs appended to /var/log/<name>/<name>.log. */
export function renderUnit(u: UnitSpec): string {
  const lines = [
    "# Managed by bosun (role service)",
    "[Unit]",
    `Description=${u.name} (bosun service)`,
    "After=network-online.target",
    "Wants=network-online.target",
    "StartLimitIntervalSec=0",
    "",
    "[Service]",
    "Type=simple",
    `User=${u.user}`,
    `Group=${u.user}`,
    `WorkingDirectory=${u.root}/current`,
    `EnvironmentFile=/etc/${u.name}/env`,
    `ExecStart=${u.exec}`,
    `Restart=${u.restart}`,
    `RestartSec=${u.restartSec}`,
    `TimeoutStopSec=${u.stopTimeoutSec}`,
    "KillSignal=SIGTERM",
    // /run/<name> for the PID file, owned by the service user, removed when it stops.
    `RuntimeDirectory=${u.name}`,
    "RuntimeDirectoryMode=0750",
    `StandardOutput=append:/var/log/${u.name}/${u.name}.log`,
    `StandardError=append:/var/log/${u.name}/${u.name}.log`,
  ];
  if (u.limits.memoryMax) lines.push(`MemoryMax=${u.limits.memoryMax}`);
  if (u.limits.cpuQuota) lines.push(`CPUQuota=${u.limits.cpuQuota}`);
  if (u.limits.tasksMax !== undefined) lines.push(`TasksMax=${u.limits.tasksMax}`);
  if (u.limits.nofile !== undefined) lines.push(`LimitNOFILE=${u.limits.nofile}`);
  if (u.sandbox) {
    lines.push(
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ProtectHome=yes",
      "PrivateTmp=yes",
      "ProtectKernelTunables=yes",
      "ProtectKernelModules=yes",
      "ProtectControlGroups=yes",
      "RestrictSUIDSGID=yes",
      "LockPersonality=yes",
      `ReadWritePaths=${u.readWritePaths.join(" ")}`,
    );
  }
  lines.push("", "[Install]", "WantedBy=multi-user.target", "");
  return lines.join("\n");
}

/** A value of the env file: Secrets reach the host only. */
export type EnvValue = string | number | boolean | { reveal(): string };

/**
 * Returns a systemd EnvironmentFile (KEY="value" lines; `\` and `"` escaped), masked for people and
 * revealed for the host. Throws on a bad name or a value with a newline (it would start a new variable).
 */
export function renderEnvFile(role: string, env: Record<string, EnvValue>): SensitiveContent {
  const line = (k: string, v: string) => `${k}="${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"\n`;
  const entries = Object.entries(env).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`${role}: env: bad variable name "${k}"`);
    const real = isSecret(v) || typeof v === "object" ? v.reveal() : String(v);
    if (/[\r\n]/.test(real)) throw new Error(`${role}: env ${k}: the value holds a newline`);
    return { k, real, shown: isSecret(v) || typeof v === "object" ? "***" : real };
  });
  return {
    masked: entries.map((e) => line(e.k, e.shown)).join(""),
    reveal: () => entries.map((e) => line(e.k, e.real)).join(""),
  };
}

/** Returns the logrotate policy: daily, `days` kept compressed, rotated early past maxSize; copytruncate (systemd appends). */
export function renderLogrotate(name: string, days: number, maxSize: string): string {
  return `# Managed by bosun (role service)
/var/log/${name}/*.log {
    daily
    maxsize ${maxSize}
    rotate ${days}
    missingok
    notifempty
    compress
    delaycompress
    copytruncate
}
`;
}
