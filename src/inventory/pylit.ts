/**
 * Python literal evaluation (ast.literal_eval), which is how Ansible types INI inventory values:
 * `5` → 5, `True` → true, `['a', 'b']` → a list, `{'k': 1}` → a mapping, `"x"` → "x", `0644`,
 * `yes`, `true` → not literals, so they stay text. Returns undefined when text is not a literal.
 * Complex numbers, sets and bytes/str mixes are reported as not literals (Ansible cannot
 * print them either).
 */
export function pythonLiteral(text: string): { value: unknown } | undefined {
  const p = new Parser(text.replace(/^[ \t]+/, ""));
  try {
    const value = p.top();
    p.skip();
    if (p.i !== p.s.length) return undefined;
    return { value };
  } catch (err) {
    if (err instanceof NotLiteral) return undefined;
    throw err;
  }
}

class NotLiteral extends Error {}

const DIGITS = String.raw`\d(?:_?\d)*`;
const NUMBER = new RegExp(
  `^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|` +
    `(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.)(?:[eE][+-]?${DIGITS})?|${DIGITS}[eE][+-]?${DIGITS}|[1-9](?:_?\\d)*|0+(?:_?0)*)`,
);
/** Python's one-character string escapes (`\\n`, `\\t`, …): shared with the Jinja2 renderer. */
export const SIMPLE_ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  skip(): void {
    for (;;) {
      const m = /^(?:[ \t\f\r\n]+|\\\n|#[^\n]*)/.exec(this.s.slice(this.i));
      if (!m) return;
      this.i += m[0].length;
    }
  }

  peek(): string {
    this.skip();
    return this.s[this.i] ?? "";
  }

  eat(c: string): boolean {
    if (this.peek() !== c) return false;
    this.i++;
    return true;
  }

  /** A top-level expression: `1, 2` is a tuple, as in Python. */
  top(): unknown {
    return this.sequence("");
  }

  /** Items up to close ("" = end of text); a comma makes a tuple (a list in JSON). */
  sequence(close: string): unknown {
    const items: unknown[] = [];
    let comma = false;
    while (this.peek() !== close) {
      items.push(this.atom());
      if (!this.eat(",")) break;
      comma = true;
    }
    if (close === "" && items.length === 0) throw new NotLiteral();
    return comma || items.length !== 1 ? items : items[0];
  }

  atom(): unknown {
    const c = this.peek();
    if (c === "(") {
      this.i++;
      const v = this.sequence(")");
      if (!this.eat(")")) throw new NotLiteral();
      return v;
    }
    if (c === "[") {
      this.i++;
      const items: unknown[] = [];
      while (this.peek() !== "]") {
        items.push(this.atom());
        if (!this.eat(",")) break;
      }
      if (!this.eat("]")) throw new NotLiteral();
      return items;
    }
    if (c === "{") return this.dict();
    if (c === "+" || c === "-") {
      this.i++;
      const n = this.number();
      return c === "-" ? -n : n;
    }
    if (/[0-9.]/.test(c)) return this.number();
    return this.stringsOrName();
  }

  dict(): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    while (this.peek() !== "}") {
      const k = this.atom();
      if (!this.eat(":")) throw new NotLiteral(); // a set: not printable, so not a literal for us
      out[jsonKey(k)] = this.atom();
      if (!this.eat(",")) break;
    }
    if (!this.eat("}")) throw new NotLiteral();
    return out;
  }

  number(): number {
    this.skip();
    const m = NUMBER.exec(this.s.slice(this.i));
    if (!m) throw new NotLiteral();
    this.i += m[0].length;
    // `0644`, `5j`, `1.2.3`, `5abc` are not (real) number literals.
    if (/^[\w.]/.test(this.s.slice(this.i))) throw new NotLiteral();
    const t = m[0].replaceAll("_", "");
    if (/^0[xob]/i.test(t)) return Number(t.toLowerCase());
    return Number(t);
  }

  stringsOrName(): unknown {
    this.skip();
    const name = /^[A-Za-z_]\w*/.exec(this.s.slice(this.i))?.[0] ?? "";
    const next = this.s[this.i + name.length];
    if (name && !(next === "'" || next === '"')) {
      this.i += name.length;
      if (name === "True") return true;
      if (name === "False") return false;
      if (name === "None") return null;
      throw new NotLiteral();
    }
    let out = "";
    let kind: "str" | "bytes" | undefined;
    // Adjacent literals concatenate: "a" 'b' is "ab".
    for (;;) {
      this.skip();
      const m = /^([rRbBuU]{0,2})(['"])/.exec(this.s.slice(this.i));
      if (!m) break;
      const prefix = (m[1] as string).toLowerCase();
      if (!["", "r", "u", "b", "br", "rb"].includes(prefix)) throw new NotLiteral();
      const k = prefix.includes("b") ? "bytes" : "str";
      if (kind && kind !== k) throw new NotLiteral();
      kind = k;
      this.i += prefix.length;
      out += this.string(prefix.includes("r"));
    }
    if (kind === undefined) throw new NotLiteral();
    return out;
  }

  string(raw: boolean): string {
    const q = this.s[this.i] as string;
    const triple = this.s.startsWith(q.repeat(3), this.i);
    const close = triple ? q.repeat(3) : q;
    this.i += close.length;
    let out = "";
    for (;;) {
      if (this.i >= this.s.length) throw new NotLiteral();
      if (this.s.startsWith(close, this.i)) {
        this.i += close.length;
        return out;
      }
      const c = this.s[this.i++] as string;
      if (c === "\n" && !triple) throw new NotLiteral();
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.s[this.i++];
      if (e === undefined) throw new NotLiteral();
      if (raw) out += `\\${e}`;
      else out += this.escape(e);
    }
  }

  escape(e: string): string {
    if (e === "\n") return "";
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) return simple;
    if (/[0-7]/.test(e)) {
      const m = /^[0-7]{0,2}/.exec(this.s.slice(this.i))?.[0] ?? "";
      this.i += m.length;
      return String.fromCodePoint(Number.parseInt(e + m, 8));
    }
    const width = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
    if (width) {
      const hex = this.s.slice(this.i, this.i + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) throw new NotLiteral();
      this.i += width;
      return String.fromCodePoint(Number.parseInt(hex, 16));
    }
    if (e === "N") throw new NotLiteral();
    return `\\${e}`;
  }
}

/** Returns a mapping key as Python's json module writes it. */
function jsonKey(k: unknown): string {
  if (typeof k === "string") return k;
  if (k === true) return "true";
  if (k === false) return "false";
  if (k === null) return "null";
  if (typeof k === "number") return String(k);
  throw new NotLiteral();
}
