import { existsSync } from "node:fs";
import path from "node:path";
import type { LoadedConfig } from "../config/load.js";
import { InventoryError, UsageError } from "../errors.js";
import { loadInventoryFile } from "../inventory/load.js";
import type { Inventory } from "../inventory/model.js";
import { labLayout } from "../lab/layout.js";
import type { KeyProvider } from "../vault/vars.js";

/**
 * Returns the inventory an `-i` reference names: "lab" (the running lab's), a name from
 * [inventories] in bosun.toml (an environment), or a file path. Without one: config `inventory`,
 * else ./inventory.*.
 */
export async function loadInventoryRef(loaded: LoadedConfig, ref: string | undefined, keys?: KeyProvider): Promise<Inventory> {
  const cfg = loaded.config;
  const name = ref ?? cfg.inventory;
  let file: string | undefined;
  if (name === "lab") {
    file = labLayout(cfg.lab.dir, cfg.lab.mirror_port).inventoryFile;
    if (!existsSync(file)) throw new InventoryError({ file }, "no running lab: start one with `bosun lab up`");
  } else if (name !== undefined && cfg.inventories[name]) {
    file = cfg.inventories[name];
  } else if (name !== undefined) {
    file = name;
  } else {
    file = ["inventory.ts", "inventory.yml", "inventory.yaml", "inventory.ini", "hosts"].find((f) => existsSync(f));
    if (!file) throw new UsageError("no inventory: pass -i FILE (or -i lab), or set `inventory` in bosun.toml");
  }
  return loadInventoryFile(path.resolve(file), keys);
}
