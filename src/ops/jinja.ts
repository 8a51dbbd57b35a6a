/**
 * Jinja2 templates as Ansible renders them, with nunjucks (a Jinja2 port kept by Mozilla; see
 * docs/dependencies.md): trim_blocks on, the trailing newline kept, Python's way of printing values
 * (True, None → "", ['a']), Ansible's filters, and an undefined variable an error naming file:line.
 */

import path from "node:path";
import nunjucks from "nunjucks";
import { SIMPLE_ESCAPES } from "../inventory/pylit.js";
import { isSecret, Secret } from "../vault/secret.js";
import type { SensitiveContent } from "./content.js";
import { ansibleFilters } from "./jinja-filters.js";
import { pyStr } from "./jinja-python.js";
import { factGlobals, hostTemplateVars, setVarRenderer, type TemplateHost } from "./jinja-vars.js";

/** A Jinja2 template could not be rendered: an undefined variable, a syntax error, a failing filter. */
export class TemplateError extends Error {}

/**
 * Thrown by the patched output check. nunjucks re-wraps errors keeping only their message, so the
 * position travels in it and renderJinja turns it into "file:line: undefined variable".
 */
const UNDEFINED = "bosun-undefined-output";
const undefinedAt = (line: number, column: number) => new Error(`${UNDEFINED}@${line}:${column}`);

let installed = false;
/**
 * Jinja2 compatibility, once per process: Python methods on values (`d.items()`, `s.split()`), True/False/None,
 * and printing as Python does. nunjucks exposes no hook for how values print, so its runtime is patched;
 * Bosun is the only nunjucks user in its process.
 */
function install(): void {
  if (installed) return;
  installed = true;
  nunjucks.installJinjaCompat();
  const rt = nunjucks.runtime as unknown as Record<string, unknown>;
  rt.suppressValue = (val: unknown, autoescape: boolean) =>
    val instanceof nunjucks.runtime.SafeString || autoescape ? String(val ?? "") : pyStr(val);
  // None prints as "" (as in Ansible); only a name that is not defined at all is an error.
  rt.ensureDefined = (val: unknown, lineno: number, colno: number) => {
    if (val === undefined) throw undefinedAt(lineno + 1, colno + 1);
    return val;
  };
  // `a + b` as Python adds: two lists concatenate (JavaScript would join them into a string).
  rt.pyAdd = (a: unknown, b: unknown) => (Array.isArray(a) && Array.isArray(b) ? [...a, ...b] : (a as number) + (b as number));
  const compiler = (nunjucks as unknown as { compiler: { Compiler: { prototype: Record<string, unknown> } } }).compiler.Compiler.prototype;
  compiler.compileAdd = function compileAdd(this: CompilerThis, node: { left: unknown; right: unknown }, frame: unknown) {
    this._emit("runtime.pyAdd(");
    this.compile(node.left, frame);
    this._emit(", ");
    this.compile(node.right, frame);
    this._emit(")");
  };
  // String literals as Python reads them: an unknown escape keeps its backslash ('\d+' is a regex), \1 is octal.
  const lexer = (nunjucks as unknown as { lexer: { lex(src: string, opts: object): object } }).lexer;
  const tokenizer = Object.getPrototypeOf(lexer.lex("", {})) as Record<string, unknown>;
  tokenizer._parseString = function parseString(this: Tokenizer, delimiter: string): string {
    this.forward();
    let str = "";
    while (!this.isFinished() && this.current() !== delimiter) {
      const cur = this.current();
      this.forward();
      if (cur !== "\\") {
        str += cur;
        continue;
      }
      const next = this.current();
      this.forward();
      if (/[0-7]/.test(next)) {
        let oct = next;
        while (oct.length < 3 && /[0-7]/.test(this.current())) {
          oct += this.current();
          this.forward();
        }
        str += String.fromCharCode(Number.parseInt(oct, 8));
      } else str += SIMPLE_ESCAPES[next] ?? `\\${next}`;
    }
    this.forward();
    return str;
  };
}

interface CompilerThis {
  _emit(code: string): void;
  compile(node: unknown, frame: unknown): void;
}

interface Tokenizer {
  forward(): void;
  current(): string;
  isFinished(): boolean;
}
/** Filters that take an undefined value on purpose; every other filter given one is an error, as in Ansible. */
const TAKES_UNDEFINED = new Set(["default", "d", "mandatory"]);

export interface JinjaOptions {
  /** Template file, for errors and for `{% include %}` (searched next to it). */
  file: string;
  /** Secrets render as their plaintext (for the host) instead of `***` (for plans). */
  reveal?: boolean;
  /** Values computed on first use (host facts). */
  lazy?: Record<string, () => unknown>;
}

/** Returns value with every Secret replaced by its plaintext (reveal) or "***", looked up lazily. */
function secretView(value: unknown, reveal: boolean): unknown {
  if (isSecret(value)) return reveal ? value.reveal() : String(value);
  if (Array.isArray(value)) return value.map((v) => secretView(v, reveal));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return new Proxy(value as Record<string, unknown>, { get: (t, k) => secretView(t[k as string], reveal) });
  }
  return value;
}

/** Returns the rendered text of a Jinja2 template; throws TemplateError "file:line: …" on any problem. */
export function renderJinja(text: string, vars: Record<string, unknown>, o: JinjaOptions): string {
  install();
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(path.dirname(o.file)), {
    autoescape: false,
    throwOnUndefined: true,
    trimBlocks: true,
  });
  const filters = ansibleFilters((name, value, args) => (env.getFilter(name) as (...a: unknown[]) => unknown)(value, ...args));
  for (const [name, f] of Object.entries({ ...filters, d: filters.default })) env.addFilter(name, f as (...args: unknown[]) => unknown);
  const all = (env as unknown as { filters: Record<string, (...args: unknown[]) => unknown> }).filters;
  for (const [name, f] of Object.entries(all)) {
    if (TAKES_UNDEFINED.has(name)) continue;
    all[name] = function strict(this: unknown, value: unknown, ...args: unknown[]) {
      if (value === undefined) throw new Error(`filter "${name}" was given an undefined variable`);
      return f.call(this, value, ...args);
    };
  }
  // What a lazy value threw (a var's own template error, the engine asking for host facts) passes through
  // unchanged: nunjucks would re-wrap it and lose its type.
  let thrown: unknown;
  for (const [name, get] of Object.entries(o.lazy ?? {})) {
    Object.defineProperty((env as unknown as { globals: object }).globals, name, {
      get: () => {
        try {
          return secretView(get(), o.reveal ?? false);
        } catch (err) {
          thrown ??= err;
          throw err;
        }
      },
      enumerable: true,
    });
  }
  const ctx = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, secretView(v, o.reveal ?? false)]));
  try {
    // Jinja2 drops the template's final newline; Ansible adds one back when the output does not end with one.
    const out = new nunjucks.Template(text.replace(/\n$/, ""), env, o.file, true).render(ctx);
    return text.endsWith("\n") && !out.endsWith("\n") ? `${out}\n` : out;
  } catch (err) {
    if (thrown) throw thrown;
    throw templateError(err, text, o.file);
  }
}

/** Returns a TemplateError "file:line: message" for what nunjucks (or the patched runtime) threw. */
function templateError(err: unknown, text: string, file: string): Error {
  const msg = (err as Error).message ?? String(err);
  const u = new RegExp(`${UNDEFINED}@(\\d+):(\\d+)`).exec(msg);
  if (u) {
    const name = undefinedName(text, Number(u[1]), Number(u[2]));
    return new TemplateError(`${file}:${u[1]}: undefined variable${name ? ` "${name}"` : ""} in template`);
  }
  // nunjucks: "(file) [Line 3, Column 5]\n  message" — keep the line and the message, not the column or stack.
  const m = /\[Line (\d+), Column \d+\]\s*\n?\s*([\s\S]*)/.exec(msg);
  const detail =
    (m?.[2] ?? msg.replace(/^\([^)]*\)\s*/, ""))
      .trim()
      .split("\n")[0]
      ?.replace(/^Error: /, "") ?? msg;
  // nunjucks gives no line for an error inside a filter: use the first line that applies that filter.
  const filter = /^filter "(\w+)"/.exec(detail)?.[1];
  const line = m?.[1] ?? (filter ? lineOf(text, new RegExp(`\\|\\s*${filter}\\b`)) : undefined);
  return new TemplateError(`${file}${line ? `:${line}` : ""}: ${detail}`);
}

function lineOf(text: string, re: RegExp): string | undefined {
  const i = text.split("\n").findIndex((l) => re.test(l));
  return i >= 0 ? String(i + 1) : undefined;
}

/** Returns the first name of the `{{ … }}` expression that holds (line, column), for the error message. */
function undefinedName(text: string, line: number, column: number): string | undefined {
  const src = text.split("\n")[line - 1] ?? "";
  const open = src.lastIndexOf("{{", column);
  const expr = (open >= 0 ? src.slice(open + 2) : src.slice(column - 1)).trim();
  return /^[A-Za-z_][\w.]*/.exec(expr)?.[0];
}

/**
 * Returns the variables a Jinja2 template or expression sees: vars (a role's ansibleVars, whose Jinja2 strings
 * render on read) are looked up lazily, by name, over the host's own (inventory_hostname, groups, facts…), so
 * a var is rendered only when the template uses it — as Ansible does, and with no recursion between vars.
 */
export function templateScope(
  vars: Record<string, unknown>,
  context?: TemplateHost,
): { vars: Record<string, unknown>; lazy: Record<string, () => unknown> } {
  const base = context ? hostTemplateVars(context) : {};
  const lazy = context ? factGlobals(context) : {};
  for (const k of Object.keys(vars)) {
    delete base[k];
    lazy[k] = () => vars[k];
  }
  return { vars: base, lazy };
}

/** Returns real with each string that differs from its masked rendering (it holds a vault value) as a Secret. */
function keepSecrets(masked: unknown, real: unknown): unknown {
  if (typeof real === "string") return real === masked ? real : new Secret(real);
  const at = (k: string | number) => (masked && typeof masked === "object" ? (masked as Record<string, unknown>)[k] : undefined);
  if (Array.isArray(real)) return real.map((x, i) => keepSecrets(at(i), x));
  if (real && typeof real === "object") return Object.fromEntries(Object.entries(real).map(([k, x]) => [k, keepSecrets(at(k), x)]));
  return real;
}

/**
 * Returns a Jinja2 string (`"/etc/{{ app }}/{{ port | string }}"`) rendered as Ansible would render a task
 * argument. For code converted from Ansible (`bosun import ansible`) where TypeScript has no plain equivalent.
 */
export function jinja(text: string, vars: Record<string, unknown>, context?: TemplateHost): string {
  const e = templateScope(vars, context);
  return renderJinja(text, e.vars, { file: "<expression>", reveal: true, lazy: e.lazy });
}

/**
 * Returns file content rendered from a Jinja2 string: plain text, or — when it holds a vault value —
 * content that shows `***` in plans and diffs and gives the host the plaintext.
 */
export function jinjaContent(text: string, vars: Record<string, unknown>, context?: TemplateHost): string | SensitiveContent {
  const e = templateScope(vars, context);
  const real = renderJinja(text, e.vars, { file: "<expression>", reveal: true, lazy: e.lazy });
  const masked = renderJinja(text, e.vars, { file: "<expression>", reveal: false, lazy: e.lazy });
  return real === masked ? real : { masked, reveal: () => real };
}

/**
 * Returns the value of a Jinja2 expression (a list, a dict, a number…), e.g. `jinjaValue("users | map(attribute='name')", v)`.
 * A string built from a vault value comes back as a Secret, so it stays masked wherever it goes.
 */
export function jinjaValue(expr: string, vars: Record<string, unknown>, context?: TemplateHost): unknown {
  const e = templateScope(vars, context);
  const render = (reveal: boolean) =>
    JSON.parse(renderJinja(`{{ (${expr}) | to_json }}`, e.vars, { file: "<expression>", reveal, lazy: e.lazy })) as unknown;
  const real = render(true);
  return keepSecrets(render(false), real);
}

/** Returns whether an Ansible condition (`when:`) holds: `jinjaTest("ansible_os_family == 'Debian' and web_enabled | bool", v, ctx)`. */
export function jinjaTest(expr: string, vars: Record<string, unknown>, context?: TemplateHost): boolean {
  return jinja(`{% if ${expr} %}1{% endif %}`, vars, context) === "1";
}

// A var that is a single `{{ expr }}` keeps the expression's type (a list stays a list), as in Ansible.
setVarRenderer((text, vars, ctx) => {
  const one = /^\{\{([^{}]*)\}\}$/.exec(text.trim());
  if (one) return jinjaValue(one[1] as string, vars, ctx);
  const c = jinjaContent(text, vars, ctx);
  return typeof c === "string" ? c : new Secret(c.reveal() as string);
});
