import { createHash } from "node:crypto";
import { UsageError } from "../errors.js";

/** One slice of a host selection: shard k (1-based) of n. */
export interface Shard {
  k: number;
  n: number;
}

/** Returns the shard "K/N" parsed; a clear error when K is not in 1..N. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--shard: expected K/N (e.g. 2/4), found "${text}"`);
  const k = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || k < 1 || k > n) throw new UsageError(`--shard ${text}: K must be between 1 and N (N ≥ 1)`);
  return { k, n };
}

const rank = (host: string) => createHash("sha256").update(host).digest("hex");

/**
 * Returns the hosts of shard k/n, in the selection's order. Hosts are ordered by a hash of their
 * name (independent of inventory order, so every CI job computes the same split from the same
 * selection) and dealt round-robin: shards differ in size by at most one, the n shards' union is
 * exactly the selection and no host is in two of them.
 */
export function shardHosts(hosts: readonly string[], shard: Shard): string[] {
  const unique = [...new Set(hosts)];
  const byRank = unique.map((h) => [rank(h), h] as const).sort(([ra, a], [rb, b]) => (ra < rb ? -1 : ra > rb ? 1 : a < b ? -1 : 1));
  const mine = new Set(byRank.filter((_, i) => i % shard.n === shard.k - 1).map(([, h]) => h));
  return unique.filter((h) => mine.has(h));
}
