import { existsSync } from "node:fs";
import { run } from "../util/proc.js";
import type { LabHostPlan, LabLayout } from "./layout.js";

const ip = (...args: string[]) => run("ip", args);

async function linkExists(name: string): Promise<boolean> {
  return (await run("ip", ["link", "show", "dev", name], { check: false })).code === 0;
}

/** Creates the lab bridge with its address (198.18.0.1/24) if missing; idempotent. */
export async function ensureBridge(layout: LabLayout): Promise<void> {
  if (!(await linkExists(layout.bridge))) {
    await ip("link", "add", layout.bridge, "type", "bridge");
  }
  const addrs = await run("ip", ["-o", "addr", "show", "dev", layout.bridge]);
  if (!addrs.stdout.includes(` ${layout.bridgeAddress}/`)) await ip("addr", "add", `${layout.bridgeAddress}/24`, "dev", layout.bridge);
  await ip("link", "set", layout.bridge, "up");
}

export async function removeBridge(layout: LabLayout): Promise<void> {
  if (await linkExists(layout.bridge)) await ip("link", "del", layout.bridge);
}

/**
 * Creates a host's network namespace and veth pair (peer inside as eth0) on the bridge,
 * with its address and no default route: the host reaches the bridge and nothing else.
 */
export async function createHostNetwork(layout: LabLayout, h: LabHostPlan): Promise<void> {
  await removeHostNetwork(h);
  await ip("netns", "add", h.netns);
  // A stable MAC per address: a rebooted host answers at once, not after the machine's neighbour entry goes stale.
  await ip("link", "add", h.veth, "type", "veth", "peer", "name", "eth0", "address", macFor(h.address), "netns", h.netns);
  await run("ip", ["neigh", "flush", "to", h.address, "dev", layout.bridge], { check: false });
  await ip("link", "set", h.veth, "master", layout.bridge, "up");
  await ip("-n", h.netns, "addr", "add", `${h.address}/24`, "dev", "eth0");
  await ip("-n", h.netns, "link", "set", "eth0", "up");
  await ip("-n", h.netns, "link", "set", "lo", "up");
}

/** Deletes a host's veth and netns; safe when they are already gone. */
export async function removeHostNetwork(h: Pick<LabHostPlan, "veth" | "netns">): Promise<void> {
  if (await linkExists(h.veth)) await ip("link", "del", h.veth);
  if (existsSync(`/run/netns/${h.netns}`)) await ip("netns", "del", h.netns);
}

/** Returns a locally administered MAC address derived from an IPv4 address (02:b0:55:a.b.c.d in hex). */
export function macFor(address: string): string {
  const octets = address.split(".").map((o) => Number(o).toString(16).padStart(2, "0"));
  return ["02", "b0", ...octets].join(":");
}
