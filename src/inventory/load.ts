import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { InventoryError } from "../errors.js";
import { importUserModule } from "../util/module.js";
import { isAnyVault, openVault } from "../vault/open.js";
import { decryptTree, hasVaulted, type KeyProvider, secretLeaves } from "../vault/vars.js";
import { adjacentVars } from "./adjacent-vars.js";
import { checkConnectionVars } from "./check.js";
import { parseIniInventory } from "./ini.js";
import { Inventory, type InventoryDecl } from "./model.js";
import { isTypedInventory, typedToDecl } from "./typed.js";
import { parseYamlInventory } from "./yaml.js";

/** The largest inventory file read: a device or a runaway file is an error, not a hang. */
export const MAX_INVENTORY_BYTES = 64 * 1024 * 1024;

export interface LoadOptions {
  /** Type-checks a TypeScript inventory before it is imported (the CLI passes the site type-checker). */
  typecheck?: (file: string) => Promise<void>;
}

/**
 * Returns the resolved inventory in file: .ts/.mts/.js (typed), .yml/.yaml/.json (YAML), else Ansible INI.
 * Vaulted data is decrypted with keys (asked for only when there is some): a wholly encrypted file
 * (`inventory.yml.vault`; every var of it becomes a Secret) or inline vaulted values (each a Secret).
 * Connection vars are checked here, so a bad one is an error before any host is contacted.
 */
export async function loadInventoryFile(file: string, keys?: KeyProvider, opts: LoadOptions = {}): Promise<Inventory> {
  const abs = path.resolve(file);
  const st = await stat(abs).catch(() => undefined);
  if (!st) throw new InventoryError({ file: abs }, "inventory file not found");
  if (st.isDirectory()) throw new InventoryError({ file: abs }, "is a directory: -i takes one inventory file");
  if (!st.isFile()) throw new InventoryError({ file: abs }, "is not a regular file");
  if (st.size > MAX_INVENTORY_BYTES) throw new InventoryError({ file: abs }, `is larger than ${MAX_INVENTORY_BYTES} bytes`);
  const needKeys = async () => {
    if (!keys)
      throw new InventoryError(
        { file: abs },
        "holds vaulted values: pass --vault-password-file or --vault-id, or set BOSUN_VAULT_PASSWORD_FILE",
      );
    return keys();
  };
  const ext = path.extname(abs.endsWith(".vault") ? abs.slice(0, -6) : abs);
  const typed = [".ts", ".mts", ".js", ".mjs"].includes(ext);
  const raw = await readFile(abs, "utf8");
  const whole = !typed && isAnyVault(raw);
  const text = whole ? openVault(raw, await needKeys(), abs).plaintext.toString("utf8") : raw;
  let decl: InventoryDecl;
  if (typed) {
    if (opts.typecheck && /\.m?ts$/.test(ext)) await opts.typecheck(abs);
    const mod = await importUserModule(abs, (loc, msg) => new InventoryError(loc, msg));
    const value = (mod as { default?: unknown }).default;
    if (!isTypedInventory(value)) {
      throw new InventoryError({ file: abs }, 'expected `export default inventory({...})` (import { inventory } from "bosun")');
    }
    decl = typedToDecl(value, abs, raw);
  } else if ([".yml", ".yaml", ".json"].includes(ext)) {
    decl = parseYamlInventory(text, abs);
  } else {
    decl = parseIniInventory(text, abs);
  }
  // Ansible's group_vars/ and host_vars/ next to the inventory file, above its own vars (a TS inventory declares its vars itself).
  if (!typed) await addAdjacentVars(decl, path.dirname(abs), needKeys);
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
  checkConnectionVars(decl);
  return Inventory.build(decl);
}

/** Merges group_vars/NAME and host_vars/NAME next to the inventory into the declared groups and hosts (and all). */
async function addAdjacentVars(decl: InventoryDecl, dir: string, keys: KeyProvider): Promise<void> {
  if (!existsSync(path.join(dir, "group_vars")) && !existsSync(path.join(dir, "host_vars"))) return;
  const allGroup = decl.groups.find((g) => g.name === "all");
  const all = await adjacentVars(dir, "group_vars", "all", keys);
  if (all) Object.assign(allGroup?.vars ?? decl.vars, all);
  for (const g of decl.groups) {
    if (g.name === "all") continue;
    const v = await adjacentVars(dir, "group_vars", g.name, keys);
    if (v) Object.assign(g.vars, v);
  }
  for (const h of decl.hosts) {
    const v = await adjacentVars(dir, "host_vars", h.name, keys);
    if (v) Object.assign(h.vars, v);
  }
}
