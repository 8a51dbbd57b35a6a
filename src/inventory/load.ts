import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { InventoryError } from "../errors.js";
import { importUserModule } from "../util/module.js";
import { parseIniInventory } from "./ini.js";
import { Inventory, type InventoryDecl } from "./model.js";
import { isTypedInventory, typedToDecl } from "./typed.js";
import { parseYamlInventory } from "./yaml.js";

/** Returns the resolved inventory in file: .ts/.mts/.js (typed), .yml/.yaml/.json (YAML), else Ansible INI. */
export async function loadInventoryFile(file: string): Promise<Inventory> {
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new InventoryError({ file: abs }, "inventory file not found");
  const ext = path.extname(abs);
  let decl: InventoryDecl;
  if ([".ts", ".mts", ".js", ".mjs"].includes(ext)) {
    const mod = await importUserModule(abs, (loc, msg) => new InventoryError(loc, msg));
    const value = (mod as { default?: unknown }).default;
    if (!isTypedInventory(value)) {
      throw new InventoryError({ file: abs }, 'expected `export default inventory({...})` (import { inventory } from "bosun")');
    }
    decl = typedToDecl(value, abs);
  } else if ([".yml", ".yaml", ".json"].includes(ext)) {
    decl = parseYamlInventory(await readFile(abs, "utf8"), abs);
  } else {
    decl = parseIniInventory(await readFile(abs, "utf8"), abs);
  }
  return Inventory.build(decl);
}
