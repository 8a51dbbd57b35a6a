import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { InventoryError } from "../errors.js";
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
    const mod = await importUserModule(abs);
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

/**
 * Imports a user's TypeScript/JavaScript module without a compile step (tsx), reporting
 * syntax and load errors with the file (and line, when the compiler gives one).
 */
export async function importUserModule(file: string): Promise<unknown> {
  try {
    if (/\.m?js$/.test(file)) return await import(pathToFileURL(file).href);
    const { tsImport } = await import("tsx/esm/api");
    return await tsImport(pathToFileURL(file).href, import.meta.url);
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    const m = /:(\d+):(\d+): ERROR: (.*)/.exec(msg);
    if (m) throw new InventoryError({ file, line: Number(m[1]), column: Number(m[2]) }, m[3] as string);
    throw new InventoryError({ file }, `cannot load module: ${msg.split("\n")[0]}`);
  }
}
