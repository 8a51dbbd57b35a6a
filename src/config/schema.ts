import { z } from "zod";
import { ServerConfigSchema } from "../server/config.js";

const port = z.number().int().min(1).max(65535);

/** bosun.toml: every key, its type, range and default. Unknown keys are errors. */
export const ConfigSchema = z.strictObject({
  /** Where runs.jl and state.json live; relative paths are under ${PREFIX:-/srv}. */
  state_dir: z.string().min(1).default("data/bosun"),
  /** Hosts worked on in parallel. */
  forks: z.number().int().min(1).max(1000).default(50),
  /** Default inventory when -i is not given: a path or a name from [inventories]. */
  inventory: z.string().min(1).optional(),
  /** Named inventories (environments): `-i prod` → inventories.prod. */
  inventories: z.record(z.string(), z.string().min(1)).default({}),
  ssh: z
    .strictObject({
      connect_timeout: z.number().int().min(1).max(300).default(10),
      accept_new_host_keys: z.boolean().default(false),
      control_persist: z.number().int().min(1).max(86400).default(300),
      retries: z.number().int().min(1).max(20).default(5),
      /** SSH implementation for hosts without bosun_transport; BOSUN_TRANSPORT overrides it. Unset: Bosun's default. */
      transport: z.enum(["openssh", "ssh2"]).optional(),
      /** ssh2 handshakes in flight at once (key exchange is CPU-bound on the controller). */
      max_handshakes: z.number().int().min(1).max(1000).default(32),
    })
    .prefault({}),
  lab: z
    .strictObject({
      dir: z.string().min(1).default("data/bosun/lab"),
      mirror_port: port.default(8780),
    })
    .prefault({}),
  log: z.strictObject({ level: z.enum(["error", "warn", "info", "debug"]).default("warn") }).prefault({}),
  vault: z
    .strictObject({
      /** vault id → password file. */
      ids: z.record(z.string(), z.string().min(1)).default({}),
    })
    .prefault({}),
  // [server]: owned by `bosun serve`, defined in src/server/config.ts.
  server: ServerConfigSchema.prefault({}),
});

export type Config = z.infer<typeof ConfigSchema>;
