import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { type LoadedConfig, loadConfig } from "../config/load.js";
import { typecheckModule } from "../engine/typecheck.js";
import { InventoryError, UsageError } from "../errors.js";
import { loadInventoryFile } from "../inventory/load.js";
import type { Inventory, Vars } from "../inventory/model.js";
import { selectTargets } from "../inventory/patterns.js";
import { type LabLayout, labLayout } from "../lab/layout.js";
import { parseLogSpec, setLogFilter } from "../log.js";
import { resolveKeys } from "../vault/keys.js";
import { type KeyProvider, memoKeys } from "../vault/vars.js";
import { promptHidden } from "./prompt.js";

export { parseExtraVars } from "./extra-vars.js";

export interface VaultOptions {
  vaultId?: string[];
  vaultPasswordFile?: string;
}

/** Returns the key provider of a command: --vault-id, --vault-password-file, env, bosun.toml ids, else a prompt on a TTY. */
export function vaultKeys(loaded: LoadedConfig, o: VaultOptions): KeyProvider {
  return memoKeys(() =>
    resolveKeys({
      vaultIds: o.vaultId,
      passwordFile: o.vaultPasswordFile,
      configIds: loaded.config.vault.ids,
      prompt: process.stdin.isTTY ? promptHidden : undefined,
    }),
  );
}

export interface GlobalOptions {
  config?: string;
  verbose?: number;
}

/** Loads bosun.toml (+ env vars + env.toml) and sets the log filter: -v info, -vv debug, BOSUN_LOG wins. */
export async function setup(opts: GlobalOptions): Promise<LoadedConfig> {
  const loaded = await loadConfig({ file: opts.config });
  const v = opts.verbose ?? 0;
  const base = v >= 2 ? "debug" : v === 1 ? "info" : loaded.config.log.level;
  setLogFilter(parseLogSpec(process.env.BOSUN_LOG, base));
  return loaded;
}

export function labOf(loaded: LoadedConfig): LabLayout {
  return labLayout(loaded.config.lab.dir, loaded.config.lab.mirror_port);
}

/**
 * Returns the inventory named by -i: "lab" (the running lab's), a name from [inventories]
 * in bosun.toml (an environment), or a file path. Without -i: config `inventory`, else ./inventory.*.
 */
export async function resolveInventory(loaded: LoadedConfig, arg: string | undefined, keys?: KeyProvider): Promise<Inventory> {
  const cfg = loaded.config;
  const name = arg ?? cfg.inventory;
  let file: string | undefined;
  if (name === "lab") {
    file = labOf(loaded).inventoryFile;
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

/** Returns the hosts matching pattern; an empty selection is an error. */
export function pickHosts(inv: Inventory, pattern: string, limit?: string): string[] {
  if (pattern.trim() === "") throw new UsageError('empty host pattern (to target every host, say "all")');
  return selectTargets(inv, pattern, limit);
}

const SECRET_NAME = /(pass(word|wd)?|secret|token|api_?key|private_key$)/i;

/** Returns true when a var or config key names a secret by convention (a `*_file` holding one is a path, not a secret). */
export function isSecretName(key: string): boolean {
  return SECRET_NAME.test(key) && !key.endsWith("_file");
}

/** Returns vars with values of secret-looking keys replaced by "***" (for display). */
export function maskVars(vars: Vars): Vars {
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, isSecretName(k) ? "***" : v]));
}
