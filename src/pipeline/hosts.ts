import { loadSite } from "../engine/site.js";
import { UsageError } from "../errors.js";
import type { Inventory } from "../inventory/model.js";
import { selectHosts } from "../inventory/patterns.js";
import { type Shard, shardHosts } from "../inventory/shard.js";

/**
 * Returns the hosts a site stage touches: every play's hosts, limited by the pattern (and --limit) and cut to the
 * shard, in inventory order. An empty selection is a UsageError (a typo never means "nothing to do").
 */
export async function stageHosts(site: string, inv: Inventory, limit?: string, shard?: Shard, also?: string): Promise<string[]> {
  const dep = await loadSite(site);
  const inPlays = new Set(dep.plays.flatMap((p) => selectHosts(inv, p.hosts)));
  // An empty pattern is refused by selectHosts, never read as "no limit".
  const limited = limit !== undefined ? new Set(selectHosts(inv, limit)) : undefined;
  const alsoLimited = also !== undefined ? new Set(selectHosts(inv, also)) : undefined;
  let hosts = [...inv.hosts.keys()].filter((h) => inPlays.has(h) && (!limited || limited.has(h)) && (!alsoLimited || alsoLimited.has(h)));
  if (shard) hosts = shardHosts(hosts, shard);
  if (hosts.length === 0)
    throw new UsageError(
      `no hosts for ${site}${limit !== undefined ? ` with limit "${limit}"` : ""}${also !== undefined ? ` and --limit "${also}"` : ""}${shard ? ` in shard ${shard.k}/${shard.n}` : ""} in ${inv.source}`,
    );
  return hosts;
}
