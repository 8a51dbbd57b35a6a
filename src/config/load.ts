import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse, TomlError } from "smol-toml";
import type { z } from "zod";
import { ConfigError, systemErrorText } from "../errors.js";
import { prefix, underPrefix } from "../util/paths.js";
import { type Config, ConfigSchema } from "./schema.js";

/** Where each effective value came from, keyed by dotted path ("ssh.connect_timeout"). */
export type Sources = Record<string, string>;

export interface LoadedConfig {
  config: Config;
  sources: Sources;
  files: string[];
}

export interface LoadConfigOptions {
  /** Explicit bosun.toml (--config); otherwise $BOSUN_CONFIG, then ./bosun.toml if present. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

type Layer = { name: string; data: Record<string, unknown>; text?: string };

/**
 * Returns the effective configuration: defaults < bosun.toml < BOSUN_* env vars < env.toml
 * (default ${PREFIX:-/srv}/key/env.toml, or $BOSUN_ENV_FILE), validated as a whole.
 * Errors name the file and line, or the environment variable, and what was expected.
 */
export async function loadConfig(opts: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const layers: Layer[] = [];
  const files: string[] = [];
  const explicit = opts.file ?? env.BOSUN_CONFIG;
  const main = explicit ? path.resolve(cwd, explicit) : path.join(cwd, "bosun.toml");
  if (explicit && !existsSync(main)) throw new ConfigError({ file: main }, "config file not found");
  if (existsSync(main)) {
    layers.push(await tomlLayer(main));
    files.push(main);
  }
  layers.push({ name: "env", data: envLayer(env) });
  const envFile = env.BOSUN_ENV_FILE ? path.resolve(cwd, env.BOSUN_ENV_FILE) : path.join(prefix(env), "key", "env.toml");
  if (env.BOSUN_ENV_FILE && !existsSync(envFile)) throw new ConfigError({ file: envFile }, "env file (BOSUN_ENV_FILE) not found");
  if (existsSync(envFile)) {
    layers.push(await tomlLayer(envFile));
    files.push(envFile);
  }
  const merged: Record<string, unknown> = {};
  const sources: Sources = {};
  for (const layer of layers) mergeInto(merged, layer.data, "", sources, layer.name);
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) throw configIssue(parsed.error, layers, sources);
  const config = parsed.data;
  config.state_dir = underPrefix(config.state_dir, env);
  config.lab.dir = underPrefix(config.lab.dir, env);
  for (const leaf of leaves(config)) sources[leaf] ??= "default";
  return { config, sources, files };
}

async function tomlLayer(file: string): Promise<Layer> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new ConfigError({ file }, `cannot read: ${systemErrorText(err)}`);
  }
  try {
    return { name: file, data: parse(text) as Record<string, unknown>, text };
  } catch (err) {
    if (err instanceof TomlError) {
      throw new ConfigError({ file, line: err.line, column: err.column }, `bad TOML: ${err.message.split("\n")[0]}`);
    }
    throw err;
  }
}

/**
 * Returns the config tree that BOSUN_* variables describe: BOSUN_FORKS → forks,
 * BOSUN_SSH_CONNECT_TIMEOUT → ssh.connect_timeout. Only keys of the schema are read
 * (BOSUN_LOG, BOSUN_CONFIG and other variables with their own meaning are left alone).
 */
export function envLayer(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const shape = ConfigSchema.shape as Record<string, z.ZodType>;
  for (const [key, type] of Object.entries(shape)) {
    const sub = objectShape(type);
    if (sub) {
      for (const subKey of Object.keys(sub)) {
        const v = env[`BOSUN_${key}_${subKey}`.toUpperCase()];
        if (v !== undefined) ((out[key] ??= {}) as Record<string, unknown>)[subKey] = envValue(v, sub[subKey]);
      }
    } else {
      const v = env[`BOSUN_${key}`.toUpperCase()];
      if (v !== undefined) out[key] = envValue(v, type);
    }
  }
  return out;
}

function objectShape(type: z.ZodType): Record<string, unknown> | undefined {
  let t: unknown = type;
  for (let i = 0; i < 5 && t; i++) {
    const def = (t as { def?: { type?: string; innerType?: unknown; shape?: Record<string, unknown> } }).def;
    if (!def) return undefined;
    if (def.type === "object") return def.shape;
    t = def.innerType;
  }
  return undefined;
}

/**
 * Environment values are text: numbers and booleans are read as such so the schema can check them,
 * except for string keys (BOSUN_INVENTORY=2024 is the name "2024", not a number).
 */
function envValue(v: string, type: unknown): unknown {
  if (isStringType(type)) return v;
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (v === "true" || v === "false") return v === "true";
  return v;
}

function isStringType(type: unknown): boolean {
  let t = type;
  for (let i = 0; i < 5 && t; i++) {
    const def = (t as { def?: { type?: string; innerType?: unknown } }).def;
    if (!def) return false;
    if (def.type === "string") return true;
    t = def.innerType;
  }
  return false;
}

function mergeInto(into: Record<string, unknown>, from: Record<string, unknown>, at: string, sources: Sources, name: string): void {
  for (const [k, v] of Object.entries(from)) {
    const key = at ? `${at}.${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date)) {
      const target = (into[k] && typeof into[k] === "object" ? into[k] : (into[k] = {})) as Record<string, unknown>;
      mergeInto(target, v as Record<string, unknown>, key, sources, name);
    } else {
      into[k] = v;
      sources[key] = name;
    }
  }
}

function leaves(obj: unknown, at = ""): string[] {
  if (!obj || typeof obj !== "object" || Array.isArray(obj)) return [at];
  const entries = Object.entries(obj as Record<string, unknown>);
  if (entries.length === 0) return at ? [at] : [];
  return entries.flatMap(([k, v]) => leaves(v, at ? `${at}.${k}` : k));
}

function configIssue(error: z.ZodError, layers: Layer[], sources: Sources): ConfigError {
  const issue = error.issues[0] as z.core.$ZodIssue;
  let keyPath = issue.path.map(String);
  if (issue.code === "unrecognized_keys") keyPath = [...keyPath, issue.keys[0] as string];
  const dotted = keyPath.join(".");
  const origin = sources[dotted] ?? findOrigin(dotted, sources);
  const layer = layers.find((l) => l.name === origin);
  const what = issue.code === "unrecognized_keys" ? `unknown key "${dotted}"` : `${dotted}: ${issue.message}`;
  if (!layer || layer.name === "env") {
    const envName = `BOSUN_${keyPath.join("_").toUpperCase()}`;
    return new ConfigError({ file: origin === "env" ? `environment ${envName}` : "configuration" }, what);
  }
  return new ConfigError({ file: layer.name, line: lineOfKey(layer.text ?? "", keyPath) }, what);
}

function findOrigin(dotted: string, sources: Sources): string | undefined {
  const hit = Object.keys(sources).find((k) => k.startsWith(`${dotted}.`));
  return hit ? sources[hit] : undefined;
}

/** Returns the 1-based line where keyPath is set in TOML text (its [section] then its key), if found. */
export function lineOfKey(text: string, keyPath: string[]): number | undefined {
  const lines = text.split("\n");
  const key = keyPath[keyPath.length - 1] as string;
  const section = keyPath.slice(0, -1).join(".");
  let current = "";
  for (let i = 0; i < lines.length; i++) {
    const l = (lines[i] as string).trim();
    const header = /^\[{1,2}([^\]]+)\]/.exec(l);
    if (header) {
      current = (header[1] as string).trim();
      // An unknown or mistyped section: the error is about the [section] header itself.
      if (current === keyPath.join(".")) return i + 1;
      continue;
    }
    const m = /^([A-Za-z0-9_."-]+)\s*=/.exec(l);
    if (!m) continue;
    const full = [current, (m[1] as string).replaceAll('"', "")].filter(Boolean).join(".");
    if (full === [section, key].filter(Boolean).join(".") || (current === "" && full === keyPath.join("."))) return i + 1;
    if (section && full === section && current === "") return i + 1;
  }
  return undefined;
}
