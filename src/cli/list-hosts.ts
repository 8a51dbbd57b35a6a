import path from "node:path";
import type { LoadedConfig } from "../config/load.js";
import { batches } from "../engine/batches.js";
import { loadSite } from "../engine/site.js";
import { UsageError } from "../errors.js";
import { selectTargets, selectWithLimit } from "../inventory/patterns.js";
import { resolveInventory, vaultKeys } from "./context.js";
import type { HostOptions } from "./options.js";
import { out } from "./render.js";

/**
 * `--list-hosts`: prints the hosts a command would work on, in the order it would, and returns
 * without connecting anywhere. Everything that would fail before a run fails here the same way:
 * the inventory (connection vars included), the pattern, --limit.
 */

const hostLines = (hosts: readonly string[], indent: string) => [
  `${indent}hosts (${hosts.length}):`,
  ...hosts.map((h) => `${indent}  ${h}`),
];

/** For `bosun exec PATTERN --list-hosts`: the hosts PATTERN (and --limit) select. */
export async function listPatternHosts(loaded: LoadedConfig, pattern: string, o: HostOptions): Promise<void> {
  const inventory = await resolveInventory(loaded, o.inventory, vaultKeys(loaded, o));
  const hosts = selectTargets(inventory, pattern, o.limit);
  out(o.json ? JSON.stringify({ pattern, limit: o.limit ?? null, hosts }) : hostLines(hosts, "  ").join("\n"));
}

/**
 * For `bosun plan|apply SITE --list-hosts`: each play's pattern, its hosts after --limit and, when
 * the play (or --serial) sets serial, its rolling batches.
 */
export async function listPlayHosts(loaded: LoadedConfig, site: string, o: HostOptions & { serial?: string }): Promise<void> {
  const dep = await loadSite(site);
  const inventory = await resolveInventory(loaded, o.inventory, vaultKeys(loaded, o));
  const plays = dep.plays.map((play, i) => {
    // A play the limit leaves empty is shown empty; a term that matches nothing is still an error.
    const hosts = selectWithLimit(inventory, play.hosts, o.limit);
    const serial = o.serial ?? play.serial;
    return {
      index: i + 1,
      name: play.name ?? play.hosts,
      pattern: play.hosts,
      hosts,
      batches: serial === undefined ? undefined : batches(hosts, serial),
    };
  });
  if (plays.every((p) => p.hosts.length === 0))
    throw new UsageError(`no play of ${site} has hosts${o.limit !== undefined ? ` with --limit "${o.limit}"` : ""} in ${inventory.source}`);
  if (o.json) {
    out(JSON.stringify({ site: path.resolve(site), deployment: dep.name, plays }));
    return;
  }
  const lines = [`site: ${site} (${dep.name})`];
  for (const p of plays) {
    lines.push("", `  play #${p.index}: ${p.name}`, `    pattern: ${p.pattern}`, ...hostLines(p.hosts, "    "));
    if (p.batches && p.batches.length > 1) lines.push(`    batches: ${p.batches.map((b) => `[${b.join(" ")}]`).join(" ")}`);
  }
  out(lines.join("\n"));
}
