import type { Command } from "commander";
import pc from "picocolors";
import type { Inventory } from "../../inventory/model.js";
import { type GlobalOptions, maskVars, parseExtraVars, resolveInventory, setup, vaultKeys } from "../context.js";
import { collect, nonEmpty } from "../options.js";
import { out, outJson } from "../render.js";

export function registerInventory(program: Command): void {
  program
    .command("inventory")
    .description("show the inventory: hosts, groups and each host's merged vars (secrets masked)")
    .option("-i, --inventory <inv>", "inventory file, a name from bosun.toml [inventories], or `lab`", nonEmpty)
    .option("--graph", "show the group tree")
    .option("--json", "hosts with merged vars, and groups, as JSON")
    .option("--host <name>", "show one host's merged vars")
    .option("-e, --extra-vars <vars>", "extra vars (highest precedence)", collect, [])
    .option("--vault-id <id@source>", "vault key: ID@FILE or ID@prompt (repeatable)", collect, [])
    .option("--vault-password-file <file>", "file holding the vault password or key")
    .action(
      async (
        o: {
          inventory?: string;
          graph?: boolean;
          json?: boolean;
          host?: string;
          extraVars: string[];
          vaultId?: string[];
          vaultPasswordFile?: string;
        },
        cmd: Command,
      ) => {
        const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
        const keys = vaultKeys(loaded, o);
        const inv = await resolveInventory(loaded, o.inventory, keys);
        const extra = await parseExtraVars(o.extraVars, keys);
        if (o.host) {
          if (!inv.hosts.has(o.host)) throw new Error(`no host "${o.host}" in ${inv.source}`);
          outJson(maskVars(inv.varsFor(o.host, extra)), 2);
        } else if (o.json) {
          const hosts = Object.fromEntries([...inv.hosts.keys()].map((h) => [h, maskVars(inv.varsFor(h, extra))]));
          const groups = Object.fromEntries(
            [...inv.groups.values()].map((g) => [g.name, { hosts: inv.groupHosts(g.name), children: g.children, vars: maskVars(g.vars) }]),
          );
          outJson({ source: inv.source, hosts, groups }, 2);
        } else {
          for (const line of graph(inv)) out(line);
        }
      },
    );
}

/** Returns the lines of the group tree, `@group:` then indented hosts, like ansible-inventory --graph. */
export function graph(inv: Inventory, name = "all", depth = 0): string[] {
  const g = inv.groups.get(name);
  if (!g) return [];
  const pad = "  ".repeat(depth);
  const lines = [`${pad}${pc.bold(`@${name}:`)}`];
  for (const c of g.children) lines.push(...graph(inv, c, depth + 1));
  const direct = name === "all" ? [] : g.hosts;
  for (const h of direct) lines.push(`${pad}  ${h}`);
  return lines;
}
