import type { Inventory, Vars } from "./model.js";

/** Vars Bosun adds to every host that Ansible's inventory listing leaves out. */
const MAGIC = new Set(["inventory_hostname", "group_names"]);

/**
 * Returns the inventory in the shape `ansible-inventory --list` prints: each group's own hosts and
 * children (empty keys left out, `all` with children only) and `_meta.hostvars` with each host's
 * merged vars. The parity suite compares it with Ansible's own output.
 */
export function toAnsibleList(inv: Inventory): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const g of inv.groups.values()) {
    const entry: { hosts?: string[]; children?: string[] } = {};
    if (g.name !== "all" && g.hosts.length > 0) entry.hosts = [...g.hosts];
    if (g.children.length > 0) entry.children = [...g.children];
    if (Object.keys(entry).length > 0) out[g.name] = entry;
  }
  const hostvars: Record<string, Vars> = {};
  for (const h of inv.groupHosts("all")) {
    const vars = Object.fromEntries(Object.entries(inv.varsFor(h)).filter(([k]) => !MAGIC.has(k)));
    if (Object.keys(vars).length > 0) hostvars[h] = vars;
  }
  out._meta = { hostvars };
  return out;
}
