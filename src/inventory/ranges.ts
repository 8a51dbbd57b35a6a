import { parseAddress } from "./address.js";
import { quoted } from "./escape.js";

/** The most hosts one inventory line may expand to: `web[1:1000000000]` is an error, not an out-of-memory crash. */
export const MAX_RANGE_HOSTS = 100_000;

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A malformed or oversized host range; the loader adds file and line. */
export class RangeError_ extends Error {}

/**
 * Returns the host names and port of an inventory host entry as Ansible reads it: a port after
 * `:` (`hera:3000`, `[::1]:22`), then every `[a:b]` / `[a:b:step]` range expanded (`web[01:03]`,
 * `db-[a:c]`, `x[:2]` = x0 x1 x2). Throws RangeError_ on a range Ansible rejects (`h[1:]`,
 * `h[001:10]`, `h[1:2:3:4]`) or one that would expand to more than MAX_RANGE_HOSTS names.
 */
export function expandHostPattern(entry: string): { names: string[]; port?: number } {
  const parsed = parseAddress(entry);
  const pattern = parsed ? parsed.host : entry;
  const names = pattern.includes("[") ? expandHostRange(pattern) : [pattern];
  return { names, port: parsed?.port };
}

/** Returns the names a `[x:y]` range stands for, nested and repeated ranges included (Ansible's rules). */
export function expandHostRange(name: string, budget = { left: MAX_RANGE_HOSTS }): string[] {
  const parts = name.replace("[", "|").replace("]", "|").split("|");
  if (parts.length !== 3) throw new RangeError_(`bad host range in ${quoted(name)}: expected one [begin:end] per bracket pair`);
  const [head = "", spec = "", tail = ""] = parts;
  const bounds = spec.split(":");
  if (bounds.length !== 2 && bounds.length !== 3)
    throw new RangeError_(`bad host range ${quoted(`[${spec}]`)} in ${quoted(name)}: expected [begin:end] or [begin:end:step]`);
  const beg = bounds[0] || "0";
  const end = bounds[1] as string;
  if (!end) throw new RangeError_(`bad host range ${quoted(`[${spec}]`)} in ${quoted(name)}: the range needs an end value`);
  let fill = (x: string) => x;
  if (beg.startsWith("0") && beg.length > 1) {
    if (beg.length !== end.length)
      throw new RangeError_(
        `bad host range ${quoted(`[${spec}]`)} in ${quoted(name)}: a zero-padded begin and the end must have equal length`,
      );
    fill = (x) => x.padStart(beg.length, "0");
  }
  const step = toInt(bounds[2] ?? "1", name, spec);
  if (step === 0) throw new RangeError_(`bad host range ${quoted(`[${spec}]`)} in ${quoted(name)}: the step must not be 0`);
  const seq: string[] = [];
  const ib = LETTERS.indexOf(beg);
  const ie = LETTERS.indexOf(end);
  if (ib >= 0 && ie >= 0) {
    if (ib > ie) throw new RangeError_(`bad host range ${quoted(`[${spec}]`)} in ${quoted(name)}: begin is after end`);
    if (step > 0) for (let i = ib; i <= ie; i += step) seq.push(LETTERS[i] as string);
  } else {
    const a = toInt(beg, name, spec);
    const b = toInt(end, name, spec);
    // Python's range(a, b + 1, step): a negative step counts down.
    if (Math.ceil((b + 1 - a) / step) > budget.left) throw tooMany(name);
    for (let i = a; step > 0 ? i < b + 1 : i > b + 1; i += step) seq.push(String(i));
  }
  const out: string[] = [];
  for (const x of seq) {
    const host = `${head}${fill(x)}${tail}`;
    if (host.includes("[")) out.push(...expandHostRange(host, budget));
    else {
      if (--budget.left < 0) throw tooMany(name);
      out.push(host);
    }
  }
  return out;
}

function tooMany(name: string): RangeError_ {
  return new RangeError_(`host range ${quoted(name)} expands to more than ${MAX_RANGE_HOSTS} hosts`);
}

function toInt(text: string, name: string, spec: string): number {
  if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(text))
    throw new RangeError_(`bad host range ${quoted(`[${spec}]`)} in ${quoted(name)}: ${quoted(text)} is not a number or a single letter`);
  return Number(text.replaceAll("_", "").trim());
}
