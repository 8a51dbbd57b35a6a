/**
 * The workload's configuration: config.toml, overridden by env.toml, overridden by WORKLOAD_* environment
 * variables, validated by one schema. Bad config is an error naming the source and key, never a default.
 */
import { readFileSync } from "node:fs";
import { parse as parseToml } from "smol-toml";
import { z } from "zod";

export const ConfigSchema = z.strictObject({
  service: z
    .strictObject({
      /** Name in logs and metrics. */
      name: z
        .string()
        .regex(/^[a-z][a-z0-9-]*$/, "lower-case letters, digits and dashes")
        .default("workload"),
      /** Address the HTTP server (/health, /metrics) binds. */
      bind: z.string().min(1).default("127.0.0.1"),
      port: z.number().int().min(1).max(65535).default(9300),
      /** Where the PID file goes (its directory must exist: systemd's RuntimeDirectory). */
      pid_file: z.string().startsWith("/").default("/run/workload/workload.pid"),
      /** How long a graceful shutdown may take before open connections are cut. */
      shutdown_timeout_ms: z.number().int().min(0).default(5000),
    })
    .prefault({}),
  strategy: z.strictObject({
    /** Instruments the bot watches, like "BTC-USD". */
    symbols: z.array(z.string().regex(/^[A-Z]{2,10}-[A-Z]{2,10}$/, 'like "BTC-USD"')).min(1),
    /** Milliseconds between two evaluations. */
    interval_ms: z.number().int().min(10),
    /** Largest position per symbol, in units. */
    max_position: z.number().positive(),
  }),
});

export type Config = z.infer<typeof ConfigSchema>;
type Table = Record<string, unknown>;

/** Thrown for any bad configuration; main prints it and exits 78 (EX_CONFIG). */
export class ConfigError extends Error {}

/** Environment variables read as overrides: WORKLOAD_<SECTION>_<KEY>, e.g. WORKLOAD_SERVICE_PORT=9400. */
export const ENV_PREFIX = "WORKLOAD_";
/** Variables with the prefix that are not config overrides. */
const NOT_CONFIG = new Set(["WORKLOAD_LOG", "WORKLOAD_API_KEY", "WORKLOAD_ENV_TOML"]);

/** Returns the parsed TOML file, {} when optional and missing; throws ConfigError naming file:line. */
export function readToml(file: string, optional = false): Table {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if (optional && (err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new ConfigError(`${file}: cannot read: ${(err as Error).message}`);
  }
  try {
    return parseToml(text) as Table;
  } catch (err) {
    const e = err as { line?: number; message: string };
    throw new ConfigError(`${file}${e.line ? `:${e.line}` : ""}: ${e.message.split("\n")[0]}`);
  }
}

/** Returns the overrides found in env: WORKLOAD_SERVICE_PORT=9400 → { service: { port: 9400 } } (values read as TOML). */
export function envOverrides(env: NodeJS.ProcessEnv): Table {
  const out: Record<string, Table> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || NOT_CONFIG.has(name) || raw === undefined) continue;
    const m = /^([A-Z]+)_([A-Z0-9_]+)$/.exec(name.slice(ENV_PREFIX.length));
    if (!m) throw new ConfigError(`environment variable ${name}: expected ${ENV_PREFIX}<SECTION>_<KEY>`);
    const section = (m[1] as string).toLowerCase();
    out[section] ??= {};
    (out[section] as Table)[(m[2] as string).toLowerCase()] = tomlValue(raw);
  }
  return out;
}

/** Returns raw read as a TOML value (9400, true, ["A-B"], "x"), or the string itself when it is not one. */
function tomlValue(raw: string): unknown {
  try {
    return (parseToml(`v = ${raw}`) as Table).v;
  } catch {
    return raw;
  }
}

/** Returns a deep merge of over into base (tables merge, everything else replaces). */
export function merge(base: Table, over: Table): Table {
  const out: Table = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isTable(b) && isTable(v) ? merge(b, v) : v;
  }
  return out;
}

const isTable = (v: unknown): v is Table => typeof v === "object" && v !== null && !Array.isArray(v);

export interface Sources {
  configFile: string;
  envFile: string;
  env: NodeJS.ProcessEnv;
}

/** Returns the validated config from the three sources; throws ConfigError listing every bad key. */
export function loadConfig(s: Sources): Config {
  const merged = merge(merge(readToml(s.configFile), readToml(s.envFile, true)), envOverrides(s.env));
  const r = ConfigSchema.safeParse(merged);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`);
  throw new ConfigError(`bad config (${s.configFile}, ${s.envFile}, ${ENV_PREFIX}* variables):\n  ${problems.join("\n  ")}`);
}
