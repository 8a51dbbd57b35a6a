/**
 * Ansible's filters for Jinja2 templates, on top of nunjucks' built-ins, with Ansible's output
 * (checked against ansible-core 2.14: test/unit/ops/template-jinja-filters.test.ts). Where a nunjucks
 * built-in differs from Jinja2/Ansible (default, join, int, string), it is replaced here.
 */
import path from "node:path";
import { stringify as yamlStringify } from "yaml";
import { quote } from "../util/shell.js";
import { pyStr, pyTruthy } from "./jinja-python.js";

type Filter = (...args: never[]) => unknown;

/** Nunjucks passes keyword arguments as a last object marked __keywords. */
function kwargs(args: unknown[]): { pos: unknown[]; kw: Record<string, unknown> } {
  const last = args[args.length - 1] as Record<string, unknown> | undefined;
  if (last && typeof last === "object" && last.__keywords) {
    const { __keywords: _k, ...kw } = last;
    return { pos: args.slice(0, -1), kw };
  }
  return { pos: args, kw: {} };
}

/** Returns the keys of a mapping sorted, deeply (Python's sort_keys=True). */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** Returns Python's json.dumps(v): ", " and ": " separators, keys in their order. */
export function pyJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyJson).join(", ")}]`;
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${pyJson(x)}`)
      .join(", ")}}`;
  }
  return JSON.stringify(v ?? null);
}

/** Returns PyYAML's dump (as Ansible's to_yaml / to_nice_yaml call it): keys sorted, YAML 1.1 quoting. */
export function pyYaml(v: unknown, nice: boolean): string {
  const indent = nice ? 4 : 2;
  const isColl = (x: unknown) => typeof x === "object" && x !== null;
  const scalar = (x: unknown) => yamlStringify(x, { version: "1.1", singleQuote: true }).trimEnd();
  // PyYAML's default_flow_style=None: a collection whose items are all scalars is written inline.
  const inline = (x: unknown): string | undefined => {
    if (!isColl(x)) return scalar(x);
    const items = Array.isArray(x) ? x : Object.values(x as object);
    if (items.length > 0 && (nice || items.some(isColl))) return undefined;
    if (Array.isArray(x)) return `[${x.map(scalar).join(", ")}]`;
    return `{${Object.entries(x as object)
      .map(([k, y]) => `${scalar(k)}: ${scalar(y)}`)
      .join(", ")}}`;
  };
  const block = (x: unknown): string[] => {
    const out: string[] = [];
    if (Array.isArray(x)) {
      const lead = `-${" ".repeat(indent - 1)}`;
      for (const item of x) {
        const one = inline(item);
        if (one !== undefined) out.push(`- ${one}`);
        else out.push(...block(item).map((l, i) => (i === 0 ? lead : " ".repeat(indent)) + l));
      }
      return out;
    }
    for (const [k, y] of Object.entries(x as object)) {
      const one = inline(y);
      if (one !== undefined) out.push(`${scalar(k)}: ${one}`);
      else {
        out.push(`${scalar(k)}:`);
        // A sequence under a key is not indented (PyYAML's indentless sequences); a mapping is.
        for (const l of block(y)) out.push(Array.isArray(y) ? l : " ".repeat(indent) + l);
      }
    }
    return out;
  };
  const sorted = sortKeys(v);
  const top = inline(sorted);
  return `${top ?? block(sorted).join("\n")}\n`;
}

/** Converts a Python regex to a JS one: named groups (?P<n>…) and back references (?P=n). */
function jsRegex(pattern: string, flags: string): RegExp {
  return new RegExp(pattern.replace(/\(\?P</g, "(?<").replace(/\(\?P=(\w+)\)/g, "\\k<$1>"), flags);
}

/** Expands a Python re.sub replacement (\1, \g<1>, \g<name>) for one match. */
function expand(repl: string, m: RegExpExecArray | string[], groups?: Record<string, string | undefined>): string {
  return repl.replace(/\\(?:g<(\w+)>|(\d{1,2})|(.))/g, (all, g: string | undefined, d: string | undefined, c: string | undefined) => {
    if (g !== undefined) return (/^\d+$/.test(g) ? m[Number(g)] : groups?.[g]) ?? "";
    if (d !== undefined) return m[Number(d)] ?? "";
    return c === "n" ? "\n" : c === "t" ? "\t" : c === "\\" ? "\\" : all;
  });
}

function regexReplace(value: unknown, pattern: string, replacement = "", ...rest: unknown[]): string {
  const { pos, kw } = kwargs(rest);
  const ignorecase = Boolean(kw.ignorecase ?? pos[0]);
  const multiline = Boolean(kw.multiline ?? pos[1]);
  const re = jsRegex(pattern, `g${ignorecase ? "i" : ""}${multiline ? "m" : ""}`);
  return pyStr(value).replace(re, (...args: unknown[]) => {
    const hasGroups = typeof args[args.length - 1] === "object";
    const groups = hasGroups ? (args[args.length - 1] as Record<string, string>) : undefined;
    const m = args.slice(0, hasGroups ? -3 : -2) as string[];
    return expand(replacement, m, groups);
  });
}

function regexSearch(value: unknown, pattern: string, ...rest: unknown[]): string | null {
  const { kw } = kwargs(rest);
  const m = jsRegex(pattern, kw.ignorecase ? "i" : "").exec(pyStr(value));
  return m ? m[0] : null;
}

/** Ansible's bool filter: yes/on/1/true (any case) and 1 are true, anything else false. */
export function toBool(v: unknown): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v === 1;
  return ["yes", "on", "1", "true"].includes(String(v).trim().toLowerCase());
}

/** Jinja2's int filter: leading number of a string (3.9 → 3), 0 when none. */
function toInt(v: unknown, fallback = 0, base = 10): number {
  if (typeof v === "number") return Math.trunc(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  const s = String(v).trim();
  const n = base === 10 && /^[-+]?\d*\.\d+$/.test(s) ? Math.trunc(Number(s)) : Number.parseInt(s, base);
  return Number.isNaN(n) || !/^[-+]?(0[xob])?[\da-f.]+$/i.test(s) ? fallback : n;
}

function toFloat(v: unknown, fallback = 0): number {
  const n = Number.parseFloat(String(v));
  return Number.isNaN(n) ? fallback : n;
}

function attr(x: unknown, name: string): unknown {
  return name.split(".").reduce<unknown>((o, k) => (o === null || o === undefined ? undefined : (o as Record<string, unknown>)[k]), x);
}

function combine(...dicts: unknown[]): Record<string, unknown> {
  const { pos, kw } = kwargs(dicts);
  const merge = (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> => {
    const out = { ...a };
    for (const [k, v] of Object.entries(b)) {
      const cur = out[k];
      const both = kw.recursive && isDict(cur) && isDict(v);
      out[k] = both ? merge(cur as Record<string, unknown>, v as Record<string, unknown>) : v;
    }
    return out;
  };
  return (pos as Record<string, unknown>[]).reduce((acc, d) => merge(acc, d ?? {}), {});
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function listOf(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return [...v];
  if (isDict(v)) return Object.keys(v);
  return [];
}

/** Returns the filters by name, as nunjucks' addFilter takes them; applyFilter runs another filter (for map('upper')). */
export function ansibleFilters(applyFilter: (name: string, value: unknown, args: unknown[]) => unknown): Record<string, Filter> {
  const filters: Record<string, Filter> = {
    default: (v: unknown, d: unknown = "", boolean = false) => (v === undefined || (boolean && !pyTruthy(v)) ? d : v),
    join: (v: unknown, ...rest: unknown[]) => {
      const { pos, kw } = kwargs(rest);
      const [sep = "", attribute = kw.attribute] = pos as [string?, unknown?];
      const items = listOf(v).map((x) => (attribute === undefined ? x : attr(x, String(attribute))));
      return items.map(pyStr).join(sep);
    },
    string: (v: unknown) => pyStr(v),
    int: (v: unknown, fallback = 0, base = 10) => toInt(v, fallback, base),
    float: (v: unknown, fallback = 0) => toFloat(v, fallback),
    bool: toBool,
    count: (v: unknown) => listOf(v).length,
    regex_replace: regexReplace,
    regex_search: regexSearch,
    regex_findall: (v: unknown, pattern: string) => [...pyStr(v).matchAll(jsRegex(pattern, "g"))].map((m) => m[1] ?? m[0]),
    to_json: (v: unknown) => pyJson(v),
    to_nice_json: (v: unknown, ...rest: unknown[]) => {
      const { kw } = kwargs(rest);
      return JSON.stringify(sortKeys(v), null, Number(kw.indent ?? 4));
    },
    from_json: (v: unknown) => JSON.parse(String(v)),
    to_yaml: (v: unknown) => pyYaml(v, false),
    to_nice_yaml: (v: unknown) => pyYaml(v, true),
    b64encode: (v: unknown) => Buffer.from(pyStr(v), "utf8").toString("base64"),
    b64decode: (v: unknown) => Buffer.from(pyStr(v), "base64").toString("utf8"),
    dict2items: (v: Record<string, unknown>) => Object.entries(v ?? {}).map(([key, value]) => ({ key, value })),
    items2dict: (v: unknown[], ...rest: unknown[]) => {
      const { kw } = kwargs(rest);
      const [k, val] = [String(kw.key_name ?? "key"), String(kw.value_name ?? "value")];
      return Object.fromEntries((v ?? []).map((i) => [attr(i, k), attr(i, val)]));
    },
    combine,
    unique: (v: unknown) => [...new Set(listOf(v))],
    flatten: (v: unknown[]) => (v ?? []).flat(Number.POSITIVE_INFINITY),
    min: (v: unknown) => listOf(v).reduce((a, b) => ((b as number) < (a as number) ? b : a)),
    max: (v: unknown) => listOf(v).reduce((a, b) => ((b as number) > (a as number) ? b : a)),
    map: (v: unknown, ...rest: unknown[]) => {
      const { pos, kw } = kwargs(rest);
      if (kw.attribute !== undefined) return listOf(v).map((x) => attr(x, String(kw.attribute)) ?? kw.default);
      const [name, ...args] = pos as [string, ...unknown[]];
      return listOf(v).map((x) => applyFilter(name, x, args));
    },
    ternary: (v: unknown, yes: unknown, no: unknown, none?: unknown) => (v === null && none !== undefined ? none : pyTruthy(v) ? yes : no),
    mandatory: (v: unknown) => {
      if (v === undefined) throw new Error("mandatory variable not defined");
      return v;
    },
    basename: (v: unknown) => path.posix.basename(pyStr(v)),
    dirname: (v: unknown) => path.posix.dirname(pyStr(v)),
    quote: (v: unknown) => quote(pyStr(v)),
    split: (v: unknown, sep?: string) => (sep === undefined ? pyStr(v).trim().split(/\s+/) : pyStr(v).split(sep)),
  };
  return filters;
}
