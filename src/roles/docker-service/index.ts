/**
 * The `dockerService` role: the Docker engine (production defaults: overlay2, cgroups) and containerised
 * services, each run by a systemd unit. A new tag is pulled and started beside the running container; only
 * when it is healthy does it replace the old one, and a failed check leaves the old one running and fails
 * the host. See docs/roles/docker-service.md.
 */
import { apt, command, directory, file, flushHandlers, handler, role, service, systemdUnit } from "../../index.js";
import {
  type ContainerEnvValue,
  type ContainerService,
  deployScript,
  isDeployed,
  renderContainerUnit,
  renderDockerEnv,
  STATE_DIR,
} from "./container.js";
import { type DockerEngine, renderDaemonJson } from "./engine.js";

export type { ContainerEnvValue, ContainerService, DockerEngine };

export interface DockerServiceParams {
  /** Engine settings; the inventory var `docker_engine` (same shape) overrides them per host or group, e.g. for the lab. */
  engine?: DockerEngine;
  /** The containers to run. */
  services?: ContainerService[];
}

const NAME = /^[a-z][a-z0-9-]{0,40}$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** Throws naming the service and field when a service is malformed. */
function check(s: ContainerService): void {
  const bad = (why: string) => new Error(`dockerService ${s.name}: ${why}`);
  if (!NAME.test(s.name)) throw new Error(`dockerService: name "${s.name}" must be lower-case letters, digits and dashes`);
  if (!/^[a-z0-9][\w.:/-]*$/.test(s.image) || /:[^/]*$/.test(s.image.replace(/^[^/]*\//, "")))
    throw bad(`image "${s.image}" must be a repository without a tag (the tag goes in tag)`);
  if (!TAG.test(s.tag)) throw bad(`tag "${s.tag}" is not a valid tag`);
  for (const p of s.ports ?? [])
    if (!/^(\d{1,3}(\.\d{1,3}){3}:)?\d{1,5}:\d{1,5}(\/(tcp|udp))?$/.test(p)) throw bad(`port "${p}" must be host:container`);
  for (const v of s.volumes ?? []) if (!/^[^:\s]+:\/[^:\s]*(:(ro|rw))?$/.test(v)) throw bad(`volume "${v}" must be source:/path[:ro]`);
}

/** Docker engine plus containerised services under systemd, deployed with health-checked tag switches. */
export const dockerService = role(
  "dockerService",
  (p: DockerServiceParams = {}, ctx) => {
    const engine: DockerEngine = { ...p.engine, ...ctx.var<DockerEngine>("docker_engine", {}) };
    const services = p.services ?? [];
    for (const s of services) check(s);
    const names = services.map((s) => s.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new Error(`dockerService: two services are named ${dup}`);

    // daemon.json first: the package starts dockerd on install, and the default storage may not work here.
    directory("/etc/docker", { mode: "0755" });
    file("/etc/docker/daemon.json", { content: renderDaemonJson(engine), mode: "0644", notify: "restart docker" });
    apt(["docker.io", "curl", ...(engine.packages ?? [])], { installRecommends: false });
    service("docker", { state: "started", enabled: true });
    handler("restart docker", () => {
      command(
        'systemctl restart docker; __i=0; until docker info >/dev/null 2>&1; do __i=$((__i+1)); [ $__i -lt 60 ] || { echo "dockerService: dockerd did not come back after its restart (see journalctl -u docker)" >&2; exit 1; }; sleep 0.5; done',
        { name: "restart docker and wait for it" },
      );
    });
    // A changed daemon.json takes effect before any container is (re)started.
    flushHandlers();
    if (services.length === 0) return;
    directory(STATE_DIR, { mode: "0700", owner: "root", group: "root" });
    for (const s of services) {
      const unit = `docker-${s.name}`;
      file(`${STATE_DIR}/${s.name}.env`, {
        content: renderDockerEnv(s.name, s.env ?? {}),
        mode: "0600",
        owner: "root",
        group: "root",
        notify: `restart ${unit}`,
      });
      systemdUnit(unit, { content: renderContainerUnit(s), notify: `restart ${unit}` });
      // The marker (in the apply script's private temp dir) spares the restart handler a second deploy
      // (or a second report of the same failure) in the same run.
      const deployed = `"$__d/deployed-${s.name}"`;
      command(`: > ${deployed}\n${deployScript(s)}`, { name: `deploy ${s.name} ${s.image}:${s.tag}`, unless: isDeployed(s) });
      service(unit, { enabled: true });
      handler(`restart ${unit}`, () => {
        // The env or unit changed but not the tag: same image, restarted and probed like a deploy.
        command(`if [ ! -e ${deployed} ]; then\n${deployScript(s)}\nfi`, { name: `restart ${s.name} and check its health` });
      });
    }
  },
  { tags: ["docker"] },
);
