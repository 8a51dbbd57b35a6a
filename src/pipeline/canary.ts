/** Canary batching and durations: pure functions the runner uses. */
import { UsageError } from "../errors.js";

/** Returns the canary hosts (the first of the selection) and the rest; at least one host is a canary, and one is left when there are two or more. */
export function splitCanary(hosts: readonly string[], size: number | string): { canary: string[]; rest: string[] } {
  let n: number;
  if (typeof size === "number") n = size;
  else {
    const m = /^(\d+(?:\.\d+)?)%$/.exec(size.trim());
    if (!m) throw new UsageError(`canary hosts: expected a count or a percentage like "10%", found "${size}"`);
    n = Math.ceil((Number(m[1]) / 100) * hosts.length);
  }
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`canary hosts: expected a whole number, found ${size}`);
  n = Math.max(1, Math.min(n, hosts.length > 1 ? hosts.length - 1 : hosts.length));
  return { canary: hosts.slice(0, n), rest: hosts.slice(n) };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Returns a duration in ms from "500ms", "30s", "2m", "1h" or "1m30s". */
export function parseDuration(text: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text.trim())
    throw new UsageError(`expected a duration like "30s", "2m" or "1m30s", found "${text}"`);
  return parts.reduce((ms, p) => ms + Number(p[1]) * (UNITS[p[2] as string] as number), 0);
}
