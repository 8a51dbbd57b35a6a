/** The workload's log lines on stderr: `time LEVEL message key=value`, filtered by WORKLOAD_LOG (default info). */

export type Level = "error" | "warn" | "info" | "debug";
const ORDER: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface Log {
  error(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
}

/** Returns the level named by spec (undefined → info); throws on anything else. */
export function parseLevel(spec: string | undefined): Level {
  const s = (spec ?? "info").trim().toLowerCase() || "info";
  if (!(s in ORDER)) throw new Error(`WORKLOAD_LOG: unknown level "${spec}" (expected error, warn, info or debug)`);
  return s as Level;
}

/** Returns one line: values with spaces, quotes or = are JSON-quoted so the line splits back into key=value. */
export function formatLine(time: Date, level: Level, msg: string, fields: Record<string, unknown> = {}): string {
  let line = `${time.toISOString()} ${level.toUpperCase()} ${msg}`;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const s = typeof v === "string" ? v : v instanceof Error ? v.message : JSON.stringify(v);
    line += ` ${k}=${/^[^\s"=]+$/.test(s) ? s : JSON.stringify(s)}`;
  }
  return line;
}

/** Returns a logger writing lines at or above level to write. */
export function createLog(level: Level, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Log {
  const at = (l: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[l] <= ORDER[level]) write(formatLine(new Date(), l, msg, fields));
  };
  return { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}
