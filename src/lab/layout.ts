import path from "node:path";

/** Where the lab keeps its files, and its network plan. */
export interface LabLayout {
  dir: string;
  baseDir: string;
  mirrorDir: string;
  keyFile: string;
  inventoryFile: string;
  knownHostsFile: string;
  stateFile: string;
  sourcesFile: string;
  mirrorPidFile: string;
  hostsDir: string;
  bridge: string;
  bridgeAddress: string;
  mirrorPort: number;
}

export function labLayout(dir: string, mirrorPort = 8780): LabLayout {
  return {
    dir,
    baseDir: path.join(dir, "base"),
    mirrorDir: path.join(dir, "mirror"),
    keyFile: path.join(dir, "id_ed25519"),
    inventoryFile: path.join(dir, "inventory.yml"),
    knownHostsFile: path.join(dir, "known_hosts"),
    stateFile: path.join(dir, "state.json"),
    sourcesFile: path.join(dir, "bosun-lab.list"),
    mirrorPidFile: path.join(dir, "mirror.pid"),
    hostsDir: path.join(dir, "hosts"),
    bridge: "bosun0",
    bridgeAddress: "198.18.0.1",
    mirrorPort,
  };
}

/** Host i is 198.18.0.(10+i) on the bridge's /24: .254 (i = 244) is the last usable address. */
export const MAX_LAB_HOSTS = 245;

export interface LabHostPlan {
  name: string;
  address: string;
  group: "web" | "db";
  netns: string;
  veth: string;
  /** Booted so that containers (Docker, Podman) run inside it: see startHost. */
  containers?: boolean;
}

/**
 * Returns the plan of lab host i (0-based): every third host is a db, the rest web;
 * addresses from 198.18.0.10 up. Names are short so interface names fit in 15 bytes.
 */
export function hostPlan(i: number): LabHostPlan {
  const group = i % 3 === 2 ? "db" : "web";
  const n = group === "db" ? Math.floor(i / 3) + 1 : i - Math.floor(i / 3) + 1;
  const name = `${group}${n}`;
  return { name, address: `198.18.0.${10 + i}`, group, netns: `bosun-${name}`, veth: `vb-${name}` };
}
