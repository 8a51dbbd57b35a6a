import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { LoadedConfig } from "../config/load.js";
import { InventoryError, UsageError } from "../errors.js";
import { loadInventoryFile } from "../inventory/load.js";
import type { Inventory } from "../inventory/model.js";
import { labLayout } from "../lab/layout.js";
import type { KeyProvider } from "../vault/vars.js";
import { typecheckModule } from "./typecheck.js";

/**
 * Returns the inventory named by -i: "lab" (the running lab's), a name from [inventories]
 * in bosun.toml (an environment), or a file path. Without -i: config `inventory`, else ./inventory.*.
 */
export async function loadInventoryRef(loaded: LoadedConfig, arg: string | undefined, keys?: KeyProvider): Promise<Inventory> {
  const cfg = loaded.config;
  const name = arg ?? cfg.inventory;
  let file: string | undefined;
  if (name === "lab") {
    file = labLayout(cfg.lab.dir, cfg.lab.mirror_port).inventoryFile;
    if (!existsSync(file)) throw new InventoryError({ file }, "no running lab: start one with `bosun lab up`");
  } else if (name !== undefined && cfg.inventories[name]) {
    file = cfg.inventories[name];
  } else if (name !== undefined) {
    file = name;
    if (!existsSync(file) && !/[/.]/.test(name)) {
      // "prod" is a name, not a path: say where names come from rather than "file not found".
      const known = Object.keys(cfg.inventories);
      const where = loaded.files[0] ? `[inventories] of ${loaded.files[0]}` : "[inventories] of bosun.toml (there is no bosun.toml here)";
      throw new UsageError(
        `-i ${name}: no inventory named "${name}" in ${where}${known.length ? ` (known: ${known.join(", ")})` : ""}, and no such file`,
      );
    }
  } else {
    file = ["inventory.ts", "inventory.yml", "inventory.yaml", "inventory.ini", "hosts"].find((f) => existsSync(f));
    if (!file) throw new UsageError("no inventory: pass -i FILE (or -i lab), or set `inventory` in bosun.toml");
  }
  const abs = path.resolve(file);
  // The loaders read files: a directory would end in a bare EISDIR without the name.
  if (existsSync(abs) && statSync(abs).isDirectory()) throw new InventoryError({ file: abs }, "is a directory, expected an inventory file");
  // A TypeScript inventory is type-checked like a site: a typo in a key is an error, not a dropped field.
  const typecheck = (f: string) =>
    typecheckModule(f, path.join(cfg.state_dir, "typecheck.json"), (loc, msg) => new InventoryError(loc, msg));
  return loadInventoryFile(abs, keys, { typecheck });
}
