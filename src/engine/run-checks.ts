import { access, mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { BosunError, SiteError, UsageError } from "../errors.js";
import type { Inventory } from "../inventory/model.js";
import { selectHosts } from "../inventory/patterns.js";
import { shardHosts } from "../inventory/shard.js";
import { parseSerial } from "./batches.js";
import type { Deployment } from "./declare.js";

/**
 * Checks that can fail before any host is contacted, so bad input never reaches a host:
 * the deployment's shape and serials, --serial, --forks, tags, the limit, the state directory.
 */

/** Throws when the deployment has no play or a play's serial is not a count or a percentage. */
export function checkDeployment(dep: Deployment, site: string): void {
  if (dep.plays.length === 0) throw new SiteError({ file: site }, `deployment "${dep.name}" has no plays: nothing to run`);
  dep.plays.forEach((p, i) => {
    if (p.serial === undefined) return;
    try {
      parseSerial(p.serial);
    } catch (err) {
      throw new SiteError({ file: site }, `play ${i + 1}${p.name ? ` "${p.name}"` : ""}: ${(err as Error).message}`);
    }
  });
}

/** Throws a usage error naming the option when --serial, --forks or a tag is not usable. */
export function checkRunOptions(o: {
  serial?: number | string;
  forks?: number;
  tags?: string[];
  skipTags?: string[];
  limit?: string;
}): void {
  if (o.serial !== undefined) {
    try {
      parseSerial(o.serial);
    } catch (err) {
      throw new UsageError(`--serial: ${(err as Error).message}`);
    }
  }
  if (o.forks !== undefined && (!Number.isInteger(o.forks) || o.forks < 1))
    throw new UsageError(`--forks: expected a whole number ≥ 1, got ${o.forks}`);
  for (const [flag, list] of [
    ["--tags", o.tags],
    ["--skip-tags", o.skipTags],
  ] as const) {
    if (list?.some((t) => t.trim() === "")) throw new UsageError(`${flag}: an empty tag selects nothing; name the tags`);
  }
  if (o.limit !== undefined && o.limit.trim() === "")
    throw new UsageError("--limit: an empty limit would select every host; name the hosts or drop the option");
}

/** Returns the hosts a limit (and shard) allows, or undefined for all; a limit matching no host is an error. */
export function limitedHosts(
  inv: Inventory,
  limit: string | undefined,
  shard: { k: number; n: number } | undefined,
): Set<string> | undefined {
  if (limit === undefined && !shard) return undefined;
  let hosts = limit === undefined ? [...inv.hosts.keys()] : selectHosts(inv, limit);
  if (hosts.length === 0) throw new UsageError(`--limit "${limit}" matches no host in ${inv.source}`);
  if (shard) hosts = shardOf(hosts, shard);
  return new Set(hosts);
}

/** Returns shard k of n of hosts: the same balanced split `pipeline run --shard` makes (src/inventory/shard.ts). */
export function shardOf(hosts: string[], shard: { k: number; n: number }): string[] {
  const { k, n } = shard;
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(k) || k < 1 || k > n)
    throw new UsageError(`--shard ${k}/${n}: expected k/N with 1 ≤ k ≤ N`);
  return shardHosts(hosts, shard);
}

/** Throws when the state directory cannot be created or written (checked before touching a host: the record would be lost). */
export async function checkStateDir(dir: string): Promise<void> {
  const probe = path.join(dir, `.write-probe-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await access(dir);
    await writeFile(probe, "");
    await rm(probe, { force: true });
  } catch (err) {
    throw new BosunError(
      `state_dir ${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): runs could not be recorded; fix it or set state_dir in bosun.toml`,
    );
  }
}
