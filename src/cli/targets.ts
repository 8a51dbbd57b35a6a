import type { LoadedConfig } from "../config/load.js";
import { connectionSpecs } from "../engine/adhoc.js";
import { TransportPool } from "../transport/pool.js";
import type { ConnectionSpec } from "../transport/spec.js";
import { promptHidden } from "../util/prompt.js";
import { parseExtraVars, pickHosts, resolveInventory, vaultKeys } from "./context.js";
import type { HostOptions } from "./options.js";

export interface Targets {
  specs: ConnectionSpec[];
  pool: TransportPool;
  forks: number;
  inventorySource: string;
}

/**
 * Resolves the inventory, selects hosts (pattern + --limit), builds their connection specs with the
 * command-line overrides, and opens a transport pool. Everything that can fail before touching a host does so here.
 */
export async function openTargets(loaded: LoadedConfig, pattern: string, o: HostOptions): Promise<Targets> {
  const keys = vaultKeys(loaded, o);
  const inventory = await resolveInventory(loaded, o.inventory, keys);
  const hosts = pickHosts(inventory, pattern, o.limit);
  const extraVars = await parseExtraVars(o.extraVars, keys);
  const password = o.askBecomePass ? await promptHidden("BECOME password: ") : undefined;
  const specs = connectionSpecs({
    inventory,
    hosts,
    extraVars,
    override: (s) => ({
      ...s,
      user: o.user ?? s.user,
      become: {
        enabled: o.become ?? s.become.enabled,
        user: o.becomeUser ?? s.become.user,
        password: password ?? s.become.password,
      },
    }),
  });
  const ssh = loaded.config.ssh;
  const pool = await TransportPool.create({
    connectTimeoutS: o.connectTimeout ?? ssh.connect_timeout,
    acceptNewHostKeys: o.acceptNewHostKeys ?? ssh.accept_new_host_keys,
    controlPersistS: ssh.control_persist,
    retries: ssh.retries,
    transport: ssh.transport,
    maxHandshakes: ssh.max_handshakes,
  });
  return { specs, pool, forks: o.forks ?? loaded.config.forks, inventorySource: inventory.source };
}
