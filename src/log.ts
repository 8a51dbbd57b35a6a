/**
 * Structured logs on stderr: `2026-11-23T09:00:00.000Z INFO message key=value`.
 * Filtered by BOSUN_LOG: a level (error|warn|info|debug) and/or module=level pairs,
 * e.g. `BOSUN_LOG=ssh=debug,info`. Library code logs through here, never console.log.
 */
import { ConfigError } from "./errors.js";
import { redact } from "./vault/redact.js";

export type Level = "error" | "warn" | "info" | "debug";
const ORDER: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const LEVELS = Object.keys(ORDER) as Level[];

export interface LogFilter {
  defaultLevel: Level;
  modules: Map<string, Level>;
}

/** Returns the filter described by spec (the BOSUN_LOG syntax); throws on an unknown level. */
export function parseLogSpec(spec: string | undefined, fallback: Level = "warn"): LogFilter {
  const filter: LogFilter = { defaultLevel: fallback, modules: new Map() };
  if (!spec) return filter;
  for (const part of spec
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf("=");
    const level = (eq >= 0 ? part.slice(eq + 1) : part).toLowerCase();
    if (!isLevel(level)) {
      throw new ConfigError({ file: "BOSUN_LOG" }, `unknown level "${level}" in "${spec}" (expected one of ${LEVELS.join(", ")})`);
    }
    if (eq >= 0) filter.modules.set(part.slice(0, eq), level);
    else filter.defaultLevel = level;
  }
  return filter;
}

function isLevel(s: string): s is Level {
  return s in ORDER;
}

export type Fields = Record<string, unknown>;

/** Returns one log line (without newline) in the `time LEVEL message key=value` format. */
export function formatLine(time: Date, level: Level, message: string, fields: Fields): string {
  let line = `${time.toISOString()} ${level.toUpperCase()} ${message}`;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    line += ` ${k}=${formatValue(v)}`;
  }
  return line;
}

function formatValue(v: unknown): string {
  const s = typeof v === "string" ? v : v instanceof Error ? v.message : typeof v === "object" ? JSON.stringify(v) : String(v);
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}

/**
 * Module load must not throw (a bad BOSUN_LOG would crash even `bosun --version`): an invalid spec means
 * the default here, and the CLI's setup() reports it as a configuration error naming BOSUN_LOG.
 */
let filter: LogFilter = safeLogSpec(process.env.BOSUN_LOG);

function safeLogSpec(spec: string | undefined): LogFilter {
  try {
    return parseLogSpec(spec);
  } catch {
    return parseLogSpec(undefined);
  }
}
let sink: (line: string) => void = (line) => process.stderr.write(`${redact(line)}\n`);

/** Replaces the active filter (the CLI calls this after reading flags such as -v). */
export function setLogFilter(f: LogFilter): void {
  filter = f;
}

/** Replaces where lines go (tests capture them). Returns the previous sink. */
export function setLogSink(s: (line: string) => void): (line: string) => void {
  const prev = sink;
  sink = s;
  return prev;
}

export interface Logger {
  error(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  debug(message: string, fields?: Fields): void;
  enabled(level: Level): boolean;
}

/** Returns the logger of a module; its lines carry module=NAME. */
export function logger(module: string): Logger {
  const enabled = (level: Level) => ORDER[level] <= ORDER[filter.modules.get(module) ?? filter.defaultLevel];
  const emit =
    (level: Level) =>
    (message: string, fields: Fields = {}) => {
      if (enabled(level)) sink(formatLine(new Date(), level, message, { module, ...fields }));
    };
  return { error: emit("error"), warn: emit("warn"), info: emit("info"), debug: emit("debug"), enabled };
}
