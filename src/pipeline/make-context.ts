/**
 * Builds the context a pipeline verb runs with, from a loaded config and the caller's choices: the
 * CLI (its flags, a prompt, its renderer) and the server (a token's name, a confirm field, the run's
 * event stream) make theirs here, so a stage runs the same whoever starts it.
 */
import path from "node:path";
import type { LoadedConfig } from "../config/load.js";
import { loadInventoryRef } from "../engine/inventory-ref.js";
import type { KeyProvider } from "../vault/vars.js";
import type { PipelineContext } from "./context.js";
import type { Pipeline } from "./define.js";

/** What differs between callers; everything else comes from the config. */
export type ContextChoices = Pick<PipelineContext, "by" | "via" | "yes" | "emit"> &
  Partial<Pick<PipelineContext, "ask" | "commit" | "signal" | "limit" | "forks" | "specOverride" | "extraVars" | "typecheck">> & {
    keys: KeyProvider;
    ssh?: Partial<PipelineContext["ssh"]>;
  };

/** Returns the pipeline context for p under loaded's config with the caller's choices. */
export function makePipelineContext(p: Pipeline, loaded: LoadedConfig, o: ContextChoices): PipelineContext {
  const cfg = loaded.config;
  // An environment's inventory file is relative to the pipeline file; "lab" and bosun.toml names are kept.
  const inventoryRef = (ref: string) => (ref === "lab" || cfg.inventories[ref] ? ref : path.resolve(path.dirname(p.file ?? "."), ref));
  return {
    pipeline: p,
    config: loaded,
    vaultKeys: o.keys,
    stateDir: cfg.state_dir,
    ssh: {
      connectTimeoutS: o.ssh?.connectTimeoutS ?? cfg.ssh.connect_timeout,
      acceptNewHostKeys: o.ssh?.acceptNewHostKeys ?? cfg.ssh.accept_new_host_keys,
      controlPersistS: cfg.ssh.control_persist,
      retries: cfg.ssh.retries,
      transport: cfg.ssh.transport,
      maxHandshakes: cfg.ssh.max_handshakes,
    },
    forks: o.forks ?? cfg.forks,
    loadInventory: (ref) => loadInventoryRef(loaded, inventoryRef(ref), o.keys),
    inventoryRef,
    probes: {
      vault: () =>
        o.keys().then(
          (k) => (k.length ? undefined : "no vault key"),
          (err: Error) => err.message,
        ),
    },
    extraVars: o.extraVars ?? {},
    limit: o.limit,
    ask: o.ask,
    yes: o.yes,
    by: o.by,
    via: o.via,
    commit: o.commit,
    typecheck: o.typecheck !== false,
    specOverride: o.specOverride,
    signal: o.signal,
    emit: o.emit,
  };
}
