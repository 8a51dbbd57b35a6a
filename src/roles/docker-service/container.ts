/** Pure renderers for one container service: its docker run arguments, env file, systemd unit and deploy script. */
import { isSecret, quote, type SensitiveContent } from "../../index.js";

/** A value of a container's environment: Secrets reach the host only. */
export type ContainerEnvValue = string | number | boolean | { reveal(): string };

/** One containerised service. */
export interface ContainerService {
  /** Name of the container and of its unit `docker-<name>.service`. */
  name: string;
  /** Image without tag: "registry.example:5000/team/app". */
  image: string;
  /** Tag to run; a new tag is pulled, started beside the old container and health-checked before it replaces it. */
  tag: string;
  /** Published ports, "hostPort:containerPort" or "ip:hostPort:containerPort". */
  ports?: string[];
  /** Volumes, "/host/path:/container/path[:ro]" or "named-volume:/path". */
  volumes?: string[];
  /** Environment, written to an env file (mode 0600) read by `docker run --env-file`: values may be vault Secrets. */
  env?: Record<string, ContainerEnvValue>;
  /** Command and arguments after the image (default: the image's CMD). */
  command?: string[];
  /** Docker health check run inside the container: a shell command that exits 0 when healthy. */
  healthcheck?: { cmd: string; intervalSeconds?: number; retries?: number; startPeriodSeconds?: number };
  /** Checked from the host after the switch: the URL must answer 2xx (e.g. "http://127.0.0.1:8080/health"). */
  probe?: { url: string };
  /** Seconds a new container has to become healthy (default 60). */
  healthTimeoutSeconds?: number;
  /** systemd Restart= of the unit (default "always"). */
  restart?: "always" | "on-failure" | "no";
}

/** Where a service's env, image and previous-image files live on the host. */
export const STATE_DIR = "/etc/bosun-docker";

/** Returns the `docker run` options shared by the candidate and the unit's container (not ports, not name). */
export function runOptions(s: ContainerService): string[] {
  const out = [`--env-file=${STATE_DIR}/${s.name}.env`];
  for (const v of s.volumes ?? []) out.push(`--volume=${v}`);
  const h = s.healthcheck;
  if (h) {
    out.push(`--health-cmd=${h.cmd}`, `--health-interval=${h.intervalSeconds ?? 2}s`, `--health-retries=${h.retries ?? 3}`);
    if (h.startPeriodSeconds !== undefined) out.push(`--health-start-period=${h.startPeriodSeconds}s`);
  }
  return out;
}

/** Returns a systemd command-line word: quoted (systemd's rules) when it holds spaces, quotes or backslashes. */
function unitWord(w: string): string {
  return /^[^\s"'\\;$%]+$/.test(w)
    ? w
    : `"${w
        .replaceAll("\\", "\\\\")
        .replaceAll('"', '\\"')
        .replaceAll("%", "%%")
        .replaceAll("$", () => "$$")}"`;
}

/** Returns the unit that runs the container of the image named in the service's .image file. */
export function renderContainerUnit(s: ContainerService): string {
  const run = ["/usr/bin/docker", "run", "--rm", `--name=${s.name}`, ...(s.ports ?? []).map((p) => `--publish=${p}`), ...runOptions(s)];
  return `# Managed by bosun (role dockerService)
[Unit]
Description=${s.name} (bosun docker service)
After=docker.service
Requires=docker.service

[Service]
EnvironmentFile=${STATE_DIR}/${s.name}.image
ExecStartPre=-/usr/bin/docker rm -f ${s.name}
ExecStart=${run.map(unitWord).join(" ")} \${IMAGE}${(s.command ?? []).map((w) => ` ${unitWord(w)}`).join("")}
ExecStop=/usr/bin/docker stop -t 10 ${s.name}
Restart=${s.restart ?? "always"}
RestartSec=2
TimeoutStartSec=120

[Install]
WantedBy=multi-user.target
`;
}

/** Returns docker's env file (KEY=value, no quoting: docker takes the rest of the line), masked for people. */
export function renderDockerEnv(name: string, env: Record<string, ContainerEnvValue>): SensitiveContent {
  const rows = Object.entries(env).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`dockerService ${name}: env: bad variable name "${k}"`);
    const secret = isSecret(v) || typeof v === "object";
    const real = secret ? (v as { reveal(): string }).reveal() : String(v);
    if (/[\r\n]/.test(real)) throw new Error(`dockerService ${name}: env ${k}: the value holds a newline`);
    return { k, real, shown: secret ? "***" : real };
  });
  return { masked: rows.map((r) => `${r.k}=${r.shown}\n`).join(""), reveal: () => rows.map((r) => `${r.k}=${r.real}\n`).join("") };
}

/** Returns the guard: this image is the one the unit runs, and the unit is active. */
export function isDeployed(s: ContainerService): string {
  return `grep -qx ${quote(`IMAGE=${s.image}:${s.tag}`)} ${STATE_DIR}/${s.name}.image 2>/dev/null && systemctl is-active -q docker-${s.name}.service`;
}

/**
 * Returns sh that deploys a new image: pull; start a candidate container (no ports) and wait for its health;
 * on failure remove it and fail, leaving the running container alone; on success record the image (the
 * old one in .previous), restart the unit (which removes the old container) and probe; a failed probe
 * rolls back to the previous image and fails.
 */
export function deployScript(s: ContainerService): string {
  const img = quote(`${s.image}:${s.tag}`);
  const cand = quote(`${s.name}-candidate`);
  const st = `${STATE_DIR}/${s.name}`;
  const unit = `docker-${s.name}.service`;
  const tries = (s.healthTimeoutSeconds ?? 60) * 2;
  const say = (m: string) => `echo "dockerService ${s.name}: ${m}" >&2`;
  const probe = s.probe
    ? `curl -fsS -o /dev/null --max-time 2 ${quote(s.probe.url)} 2>/dev/null`
    : `[ "$(__state ${s.name})" = ${s.healthcheck ? "healthy" : "running"} ]`;
  return [
    `__state() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$1" 2>/dev/null || echo gone; }`,
    `__wait() { __i=0; while [ $__i -lt ${tries} ]; do if ${probe}; then return 0; fi; sleep 0.5; __i=$((__i+1)); done; return 1; }`,
    `if ! __out=$(docker pull -q ${img} 2>&1); then ${say(`cannot pull ${s.image}:${s.tag}:`)}; echo "$__out" >&2; exit 1; fi`,
    `docker rm -f ${cand} >/dev/null 2>&1 || true`,
    `docker run -d --name=${cand} ${runOptions(s).map(quote).join(" ")} ${img}${(s.command ?? []).map((w) => ` ${quote(w)}`).join("")} >/dev/null`,
    `__i=0; __s=starting; while [ $__i -lt ${tries} ]; do __s=$(__state ${cand}); case $__s in ${s.healthcheck ? "healthy" : "running"}) break;; unhealthy|exited|dead|gone) break;; esac; sleep 0.5; __i=$((__i+1)); done`,
    `if [ "$__s" != ${s.healthcheck ? "healthy" : "running"} ]; then`,
    `  __logs=$(docker logs --tail 20 ${cand} 2>&1 || true); docker rm -f ${cand} >/dev/null 2>&1 || true`,
    `  ${say(`${s.image}:${s.tag} failed its health check ($__s); the running container was left alone`)}; [ -z "$__logs" ] || echo "$__logs" >&2`,
    "  exit 1",
    "fi",
    `docker rm -f ${cand} >/dev/null`,
    `__old=$(sed -n 's/^IMAGE=//p' ${st}.image 2>/dev/null || true)`,
    `if [ -n "$__old" ] && [ "$__old" != ${img} ]; then printf 'IMAGE=%s\\n' "$__old" > ${st}.previous; fi`,
    `printf 'IMAGE=%s\\n' ${img} > ${st}.image.tmp && mv -f ${st}.image.tmp ${st}.image`,
    `systemctl restart ${unit}; __changed`,
    "if ! __wait; then",
    `  if [ -f ${st}.previous ]; then cp ${st}.previous ${st}.image; systemctl restart ${unit}; ${say(`${s.image}:${s.tag} did not answer after the switch; rolled back to $(sed -n 's/^IMAGE=//p' ${st}.image)`)}`,
    `  else ${say(`${s.image}:${s.tag} did not answer after the switch and there is no previous image`)}; fi`,
    "  exit 1",
    "fi",
  ].join("\n");
}
