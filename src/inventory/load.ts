import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { InventoryError } from "../errors.js";
import { importUserModule } from "../util/module.js";
import { isAnyVault, openVault } from "../vault/open.js";
import { decryptTree, hasVaulted, type KeyProvider, secretLeaves } from "../vault/vars.js";
import { parseIniInventory } from "./ini.js";
import { Inventory, type InventoryDecl } from "./model.js";
import { isTypedInventory, typedToDecl } from "./typed.js";
import { parseYamlInventory } from "./yaml.js";

/**
 * Returns the resolved inventory in file: .ts/.mts/.js (typed), .yml/.yaml/.json (YAML), else Ansible INI.
 * Vaulted data is decrypted with keys (asked for only when there is some): a wholly encrypted file
 * (`inventory.yml.vault`; every var of it becomes a Secret) or inline vaulted values (each a Secret).
 */
export async function loadInventoryFile(file: string, keys?: KeyProvider): Promise<Inventory> {
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new InventoryError({ file: abs }, "inventory file not found");
  const needKeys = async () => {
    if (!keys)
      throw new InventoryError(
        { file: abs },
        "holds vaulted values: pass --vault-password-file or --vault-id, or set BOSUN_VAULT_PASSWORD_FILE",
      );
    return keys();
  };
  const ext = path.extname(abs.endsWith(".vault") ? abs.slice(0, -6) : abs);
  const raw = [".ts", ".mts", ".js", ".mjs"].includes(ext) ? "" : await readFile(abs, "utf8");
  const whole = isAnyVault(raw);
  const text = whole ? openVault(raw, await needKeys(), abs).plaintext.toString("utf8") : raw;
  let decl: InventoryDecl;
  if ([".ts", ".mts", ".js", ".mjs"].includes(ext)) {
    const mod = await importUserModule(abs, (loc, msg) => new InventoryError(loc, msg));
    const value = (mod as { default?: unknown }).default;
    if (!isTypedInventory(value)) {
      throw new InventoryError({ file: abs }, 'expected `export default inventory({...})` (import { inventory } from "bosun")');
    }
    decl = typedToDecl(value, abs);
  } else if ([".yml", ".yaml", ".json"].includes(ext)) {
    decl = parseYamlInventory(text, abs);
  } else {
    decl = parseIniInventory(text, abs);
  }
  const scopes = [
    { vars: decl.vars, where: "all" },
    ...decl.groups.map((g) => ({ vars: g.vars, where: `group ${g.name}` })),
    ...decl.hosts.map((h) => ({ vars: h.vars, where: `host ${h.name}` })),
  ];
  if (whole) for (const s of scopes) Object.assign(s.vars, secretLeaves(s.vars));
  else if (scopes.some((s) => hasVaulted(s.vars))) {
    const k = await needKeys();
    for (const s of scopes) Object.assign(s.vars, decryptTree(s.vars, k, `${abs}: ${s.where}`));
  }
  return Inventory.build(decl);
}
