/**
 * The `service` role: the deployment checklist of a long-running app in one role. Versioned release
 * directories with a `current` symlink switched atomically, an env file from the vault, a TOML config
 * rendered from typed params, a runtime/PID directory, a sandboxed systemd unit with restart policy and
 * resource limits, log rotation, a health check after every restart with automatic rollback, and the
 * N newest releases kept. See docs/roles/service.md.
 */
import { stringify as toToml } from "smol-toml";
import {
  apt,
  type Content,
  command,
  directory,
  file,
  group,
  handler,
  link,
  role,
  service as serviceState,
  systemdUnit,
  unarchive,
  user,
} from "../../index.js";
import { isCurrent, type Layout, rememberPrevious, restartWithHealth, surplusReleases } from "./scripts.js";
import { type EnvValue, type RestartPolicy, renderEnvFile, renderLogrotate, renderUnit, type ServiceLimits } from "./unit.js";

export type { EnvValue, RestartPolicy, ServiceLimits };

/** A TOML value: what `config` may hold. */
export type TomlValue = string | number | boolean | Date | TomlValue[] | { [key: string]: TomlValue };

export interface ServiceParams {
  /** The service's name: its systemd unit, system user and group, and directories (`/srv/<name>`, `/etc/<name>`, `/var/log/<name>`, `/run/<name>`, `/srv/data/<name>`). */
  name: string;
  /** The release to deploy: its files go to `<root>/releases/<version>`, and `current` points there once its config checks out. */
  version: string;
  /** The release's files by path relative to the release directory (code, assets). */
  files?: Record<string, Content>;
  /** An archive on the control machine (.tar.gz, .tgz, .tar, .zip) extracted into the release directory. */
  archive?: string;
  /** Debian packages the service needs (its runtime: `["nodejs"]`), installed with curl and logrotate. */
  packages?: string[];
  /** The command systemd starts, run in `<root>/current` as the service user: `/usr/bin/node app.js --production`. */
  exec: string;
  /** The app's configuration, rendered as TOML into `<release>/config.toml` (versioned with the release: a rollback restores it). */
  config?: { [key: string]: TomlValue };
  /** A command that validates the release's config, run like the service (same user, env file, directory) before `current` switches and before every restart: `/usr/bin/node app.js --check-config`. */
  configCheck?: string;
  /** Environment of the service, written to `/etc/<name>/env` (mode 0600, root): values may be vault Secrets. */
  env?: Record<string, EnvValue>;
  /** More files in `/etc/<name>` (e.g. `env.toml` overrides), mode 0640, root:<user>. */
  etcFiles?: Record<string, Content>;
  /** After every restart the service must answer this URL with a 2xx within `timeoutSeconds` (default 15); otherwise `current` goes back to the previous release and the host fails. */
  health?: { url: string; timeoutSeconds?: number };
  /** systemd Restart= (default "on-failure"). */
  restart?: RestartPolicy;
  /** Seconds between automatic restarts (default 2). */
  restartSec?: number;
  /** Seconds systemd waits after SIGTERM before SIGKILL (default 30). */
  stopTimeoutSec?: number;
  /** Resource limits (MemoryMax, CPUQuota, TasksMax, LimitNOFILE). */
  limits?: ServiceLimits;
  /** systemd sandboxing: read-only system, no home, private /tmp, no new privileges (default true). */
  sandbox?: boolean;
  /** Writable paths under the sandbox besides `/srv/data/<name>`. */
  readWritePaths?: string[];
  /** Releases kept, the live one included (default 5). */
  keep?: number;
  /** Log rotation of `/var/log/<name>/*.log`: days kept (default 14) and the size that rotates early (default "50M"). */
  logs?: { days?: number; maxSize?: string };
  /** Where releases live (default `/srv/<name>`). */
  root?: string;
  /** The system user the service runs as (default: the name). */
  user?: string;
}

const NAME = /^[a-z][a-z0-9-]{0,30}$/;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/;

/** Returns the params with defaults, or throws naming the bad field. */
function checked(p: ServiceParams) {
  const bad = (field: string, why: string) => new Error(`service ${p.name}: ${field} ${why}`);
  if (!NAME.test(p.name)) throw new Error(`service: name "${p.name}" must be lower-case letters, digits and dashes`);
  if (!VERSION.test(p.version)) throw bad("version", `"${p.version}" must be letters, digits, . _ + -`);
  if (!p.exec.trim()) throw bad("exec", "is empty");
  if (!p.files && !p.archive) throw bad("files", "or archive is needed: a release needs code");
  for (const f of Object.keys({ ...p.files, ...p.etcFiles }))
    if (f.startsWith("/") || f.split("/").includes("..")) throw bad("files", `"${f}" must be a relative path inside the directory`);
  const keep = p.keep ?? 5;
  if (!Number.isInteger(keep) || keep < 2) throw bad("keep", "must be an integer ≥ 2 (the live release and its rollback)");
  if (p.health && !/^https?:\/\/\S+$/.test(p.health.url)) throw bad("health.url", `"${p.health.url}" must be an http(s) URL`);
  const root = p.root ?? `/srv/${p.name}`;
  return { ...p, keep, root, user: p.user ?? p.name, layout: { name: p.name, root, release: `${root}/releases/${p.version}` } as Layout };
}

/** Returns sh running cmd the way the unit runs the service (its user, env file and directory), in dir. */
function likeTheService(name: string, user: string, dir: string, cmd: string): string {
  return `systemd-run --quiet --wait --pipe --collect -p User=${user} -p EnvironmentFile=/etc/${name}/env -p WorkingDirectory=${dir} -- /bin/sh -c '${cmd.replaceAll("'", `'"'"'`)}'`;
}

/** A long-running app under systemd, deployed as versioned releases with health-checked restarts and rollback. */
export const service = role(
  "service",
  (params: ServiceParams) => {
    const p = checked(params);
    const { name, root, layout } = p;
    const restart = `restart ${name}`;
    apt(["curl", "logrotate", ...(p.packages ?? [])], { installRecommends: false });
    group(p.user, { system: true });
    user(p.user, {
      system: true,
      group: p.user,
      home: root,
      createHome: false,
      shell: "/usr/sbin/nologin",
      comment: `${name} (bosun service)`,
    });
    directory(`${root}/releases`, { mode: "0755", owner: "root", group: "root" });
    directory(layout.release, { mode: "0755", owner: "root", group: "root" });
    directory(`/etc/${name}`, { mode: "0750", owner: "root", group: p.user });
    directory(`/var/log/${name}`, { mode: "0750", owner: "root", group: p.user });
    directory(`/srv/data/${name}`, { mode: "0750", owner: p.user, group: p.user });
    // Release files are root's and read-only to the service: a compromised app cannot rewrite its own code.
    if (p.archive) unarchive(layout.release, { src: p.archive, notify: restart });
    const subdirs = new Set(Object.keys(p.files ?? {}).flatMap((rel) => (rel.includes("/") ? [rel.slice(0, rel.lastIndexOf("/"))] : [])));
    for (const sub of subdirs) directory(`${layout.release}/${sub}`, { mode: "0755", owner: "root", group: "root" });
    for (const [rel, content] of Object.entries(p.files ?? {}))
      file(`${layout.release}/${rel}`, { content, mode: "0644", owner: "root", group: "root", notify: restart });
    if (p.config)
      file(`${layout.release}/config.toml`, { content: `# Managed by bosun\n${toToml(p.config)}\n`, mode: "0644", notify: restart });
    file(`/etc/${name}/env`, {
      content: renderEnvFile(`service ${name}`, p.env ?? {}),
      mode: "0600",
      owner: "root",
      group: "root",
      notify: restart,
    });
    for (const [rel, content] of Object.entries(p.etcFiles ?? {}))
      file(`/etc/${name}/${rel}`, { content, mode: "0640", owner: "root", group: p.user, notify: restart });
    systemdUnit(name, {
      content: renderUnit({
        name,
        user: p.user,
        root,
        exec: p.exec,
        restart: p.restart ?? "on-failure",
        restartSec: p.restartSec ?? 2,
        stopTimeoutSec: p.stopTimeoutSec ?? 30,
        limits: p.limits ?? {},
        sandbox: p.sandbox ?? true,
        readWritePaths: [`/srv/data/${name}`, ...(p.readWritePaths ?? [])],
      }),
      notify: restart,
    });
    // The new release's config must pass before `current` moves to it: a bad config never goes live.
    if (p.configCheck) {
      command(likeTheService(name, p.user, layout.release, p.configCheck), {
        name: `check config of ${name} ${p.version}`,
        unless: isCurrent(layout),
      });
    }
    command(rememberPrevious(layout), { name: `remember the live release of ${name}`, unless: isCurrent(layout) });
    link(`${root}/current`, { target: layout.release, notify: restart });
    file(`/etc/logrotate.d/${name}`, { content: renderLogrotate(name, p.logs?.days ?? 14, p.logs?.maxSize ?? "50M"), mode: "0644" });
    serviceState(name, { state: "started", enabled: true });
    const surplus = surplusReleases(layout, p.keep);
    command(`${surplus} | xargs -r rm -rf`, { name: `keep the ${p.keep} newest releases of ${name}`, onlyIf: `[ -n "$(${surplus})" ]` });
    handler(restart, () => {
      if (p.configCheck) command(likeTheService(name, p.user, `${root}/current`, p.configCheck), { name: `check config of ${name}` });
      if (p.health)
        command(restartWithHealth(layout, p.health.url, p.health.timeoutSeconds ?? 15), { name: `restart ${name} and check its health` });
      else serviceState(name, { state: "restarted" });
    });
  },
  { tags: ["service"] },
);
