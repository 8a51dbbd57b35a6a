/** The Docker engine's daemon.json, from typed options (production defaults; the lab overrides them by inventory var). */

/** Engine settings; every field maps to a daemon.json key. */
export interface DockerEngine {
  /** Storage driver (default "overlay2"; the lab needs "vfs"). */
  storageDriver?: string;
  /** Runtime containers use by default (default: Docker's, runc). */
  defaultRuntime?: string;
  /** More OCI runtimes by name, e.g. { "crun-nocg": { path: "/usr/bin/crun", runtimeArgs: ["--cgroup-manager=disabled"] } }. */
  runtimes?: Record<string, { path: string; runtimeArgs?: string[] }>;
  /** Registries reached over plain HTTP ("host:5000"): only for a lab or a private network. */
  insecureRegistries?: string[];
  /** json-file log rotation: size of one file (default "10m") and files kept (default 3). */
  logMaxSize?: string;
  logMaxFiles?: number;
  /** Debian packages installed with docker.io (e.g. ["crun"] when a runtime needs it). */
  packages?: string[];
}

/** Returns daemon.json for the engine options, keys in a stable order. */
export function renderDaemonJson(e: DockerEngine): string {
  const json: Record<string, unknown> = {
    "storage-driver": e.storageDriver ?? "overlay2",
    "log-driver": "json-file",
    "log-opts": { "max-size": e.logMaxSize ?? "10m", "max-file": String(e.logMaxFiles ?? 3) },
  };
  if (e.defaultRuntime) json["default-runtime"] = e.defaultRuntime;
  if (e.runtimes) json.runtimes = e.runtimes;
  if (e.insecureRegistries?.length) json["insecure-registries"] = e.insecureRegistries;
  return `${JSON.stringify(json, null, 2)}\n`;
}
