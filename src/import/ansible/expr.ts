/**
 * Jinja2 in task arguments → TypeScript expressions. Plain variable references become property reads
 * (`{{ app.port }}` → `v.app.port`, `/etc/{{ name }}` → `` `/etc/${v.name}` ``); anything else keeps its
 * Jinja2 text and is evaluated at run time by bosun's `jinja()` / `jinjaValue()` / `jinjaTest()`, which
 * render exactly as Ansible does. Local names (a loop's `item`) are read directly.
 */

/** The scope of generated code: names that are TypeScript locals rather than vars. */
export interface Scope {
  locals: Set<string>;
  /** The TS expression holding the vars object (`v`, or `{ ...v, item }` inside a loop). */
  varsExpr: string;
  /** Set when the generated code used the runtime helpers. */
  used: Set<string>;
}

const PATH = /^\s*([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*|\[(?:'[^']*'|"[^"]*"|\d+)\])*)\s*$/;
const ONE = /^\{\{([^{}]*)\}\}$/;

/** Returns the TS read of a plain variable path (`a.b['c']`), or undefined when expr is more than that. */
function pathRead(expr: string, s: Scope): string | undefined {
  const m = PATH.exec(expr);
  if (!m) return undefined;
  const [, head, rest] = m as unknown as [string, string, string];
  // Facts, groups and hostvars live in the template context (jinja helpers), not in the vars object.
  if (["true", "false", "none", "True", "False", "None", "groups", "hostvars"].includes(head) || head.startsWith("ansible_"))
    return undefined;
  const base = s.locals.has(head) ? head : `v.${head}`;
  return (
    base + rest.replace(/\['([^']*)'\]|\["([^"]*)"\]/g, (_a, x: string | undefined, y: string | undefined) => `[${JSON.stringify(x ?? y)}]`)
  );
}

/** Returns true when text contains Jinja2. */
export function hasJinja(text: string): boolean {
  return /\{\{|\{%/.test(text);
}

const ctxArg = (s: Scope) => (s.varsExpr === "v" ? "v, ctx" : `${s.varsExpr}, ctx`);

/** Returns a TS expression for a string argument (a string literal, a template literal or a jinja() call). */
export function strExpr(value: unknown, s: Scope): string {
  const text = String(value);
  if (!hasJinja(text)) return JSON.stringify(text);
  const one = ONE.exec(text.trim());
  const read = one && text.trim() === text ? pathRead(one[1] as string, s) : undefined;
  if (read) return `String(${read})`;
  const parts = text.split(/(\{\{[^{}]*\}\})/);
  const reads = parts.map((p, i) => (i % 2 === 1 ? pathRead(p.slice(2, -2), s) : p));
  if (!text.includes("{%") && reads.every((r) => r !== undefined)) {
    const lit = reads.map((r, i) => (i % 2 === 1 ? `\${${r}}` : (r as string).replace(/[`\\]/g, "\\$&").replace(/\$\{/g, "\\${"))).join("");
    return `\`${lit}\``;
  }
  s.used.add("jinja");
  return `jinja(${JSON.stringify(text)}, ${ctxArg(s)})`;
}

/** Returns a TS expression for file content: like strExpr, but vault values stay masked in plans (sensitive``, jinjaContent). */
export function contentExpr(value: unknown, s: Scope): string {
  const e = strExpr(value, s);
  if (e.startsWith("jinja(")) return `jinjaContent(${e.slice("jinja(".length)}`;
  if (!e.startsWith("`") || !e.includes("${")) return e;
  s.used.add("sensitive");
  return `sensitive${e}`;
}

/** Returns a TS expression for any argument value: strings through strExpr, lists/objects element-wise. */
export function valueExpr(value: unknown, s: Scope): string {
  if (typeof value === "string") {
    const one = ONE.exec(value.trim());
    if (one && value.trim() === value) {
      const read = pathRead(one[1] as string, s);
      if (read) return read;
      s.used.add("jinjaValue");
      return `jinjaValue(${JSON.stringify((one[1] as string).trim())}, ${ctxArg(s)})`;
    }
    return strExpr(value, s);
  }
  if (Array.isArray(value)) return `[${value.map((x) => valueExpr(x, s)).join(", ")}]`;
  if (value && typeof value === "object") {
    return `{ ${Object.entries(value)
      .map(([k, x]) => `${/^[A-Za-z_]\w*$/.test(k) ? k : JSON.stringify(k)}: ${valueExpr(x, s)}`)
      .join(", ")} }`;
  }
  return JSON.stringify(value ?? null);
}

/** Returns a TS boolean expression for an Ansible condition (`when:`; a list means all of them). */
export function condExpr(when: unknown, s: Scope): string {
  const list = Array.isArray(when) ? when : [when];
  return list.map((c) => oneCond(c, s)).join(" && ");
}

function oneCond(c: unknown, s: Scope): string {
  if (typeof c === "boolean") return String(c);
  const text = String(c)
    .trim()
    .replace(/^\{\{(.*)\}\}$/s, "$1")
    .trim();
  let m = /^(.+?)\s+is\s+(not\s+)?(defined|undefined)$/.exec(text);
  if (m) {
    const read = pathRead(m[1] as string, s);
    const defined = (m[3] === "defined") !== Boolean(m[2]);
    if (read) return `${read} ${defined ? "!==" : "==="} undefined`;
  }
  m = /^(not\s+)?(.+?)(\s*\|\s*bool)?$/.exec(text);
  const bare = m ? pathRead(m[2] as string, s) : undefined;
  if (m && bare && m[3]) {
    s.used.add("jinjaTest");
  } else if (m && bare) return `${m[1] ? "!" : ""}${bare}`;
  m = /^(.+?)\s*(==|!=)\s*('[^']*'|"[^"]*"|\d+)$/.exec(text);
  const left = m ? pathRead(m[1] as string, s) : undefined;
  if (m && left) {
    const lit = /^\d+$/.test(m[3] as string) ? m[3] : JSON.stringify((m[3] as string).slice(1, -1));
    return `${left} ${m[2] === "==" ? "===" : "!=="} ${lit}`;
  }
  s.used.add("jinjaTest");
  return `jinjaTest(${JSON.stringify(text)}, ${ctxArg(s)})`;
}
