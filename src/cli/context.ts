import { type LoadedConfig, loadConfig } from "../config/load.js";
import { loadInventoryRef } from "../engine/inventory-ref.js";
import { UsageError } from "../errors.js";
import type { Inventory, Vars } from "../inventory/model.js";
import { selectTargets } from "../inventory/patterns.js";
import { type LabLayout, labLayout } from "../lab/layout.js";
import { parseLogSpec, setLogFilter } from "../log.js";
import { promptHidden } from "../util/prompt.js";
import { resolveKeys } from "../vault/keys.js";
import { type KeyProvider, memoKeys } from "../vault/vars.js";

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
 * The run API reads `-i` the same way (one function: src/engine/inventory-ref.ts).
 */
export async function resolveInventory(loaded: LoadedConfig, arg: string | undefined, keys?: KeyProvider): Promise<Inventory> {
  return loadInventoryRef(loaded, arg, keys);
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
