/**
 * Line patterns shared by the planner (JavaScript) and the host (GNU `grep -E` in the C locale).
 * A user writes one pattern in JavaScript syntax; it is checked to be in the subset both engines
 * read the same way, then rendered twice. Content is matched byte-wise on both sides: the planner
 * decodes file content as latin1 (one char per byte), the host runs grep with LC_ALL=C.
 */

/** A pattern rendered for both engines. */
export interface LinePattern {
  /** The pattern as the user wrote it (for messages). */
  source: string;
  /** For the planner: matches a latin1-decoded line the way `grep -E` matches its bytes. */
  js: RegExp;
  /** POSIX ERE (GNU extensions \s \w \b) for `LC_ALL=C grep -E`. */
  ere: string;
}

const JS_SPACE = "\\t\\n\\v\\f\\r ";
/** Escapes with the same meaning in both engines, outside brackets: JS → ERE. */
const OUTSIDE: Record<string, string> = {
  d: "[0-9]",
  D: "[^0-9]",
  s: "\\s",
  S: "\\S",
  w: "\\w",
  W: "\\W",
  b: "\\b",
  B: "\\B",
  t: "\t",
  r: "\r",
  f: "\f",
  v: "\v",
  "/": "/",
  "-": "-",
  "]": "]",
  "}": "}",
};
const OUTSIDE_JS: Record<string, string> = { s: `[${JS_SPACE}]`, S: `[^${JS_SPACE}]` };
/** Punctuation whose escape is kept as is in ERE. */
const KEEP = new Set([".", "*", "+", "?", "(", ")", "[", "{", "|", "^", "$", "\\"]);
/** Escapes inside brackets: JS → ERE bracket members. */
const INSIDE: Record<string, string> = { d: "0-9", s: "[:space:]", w: "[:alnum:]_", t: "\t", r: "\r", f: "\f", v: "\v" };
const INSIDE_JS: Record<string, string> = { s: JS_SPACE };

/**
 * Returns the pattern rendered for JavaScript and for `grep -E`; throws (naming what) when it uses
 * syntax the two read differently: lookarounds, backreferences, \n, Unicode escapes, POSIX classes
 * or a lone `{`. \d \s \w \b (and negations), \t \r, escaped punctuation, (?:…), lazy quantifiers are fine.
 */
export function linePattern(what: string, source: string): LinePattern {
  const fail = (why: string): never => {
    throw new Error(`${what}: pattern /${source}/ ${why}`);
  };
  if (source === "") fail("is empty");
  if (/[\n\0]/.test(source)) fail("contains a newline or NUL (patterns match one line)");
  let js = "";
  let ere = "";
  let i = 0;
  let atom = false; // whether a quantifier may follow
  const s = source;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === "\\") {
      const e = s[i + 1];
      if (e === undefined) fail("ends with a lone backslash");
      const x = e as string;
      if (x in OUTSIDE) {
        ere += OUTSIDE[x];
        js += OUTSIDE_JS[x] ?? `\\${x}`;
      } else if (KEEP.has(x)) {
        ere += `\\${x}`;
        js += `\\${x}`;
      } else fail(`uses \\${x}, which grep -E reads differently (allowed: \\d \\s \\w \\b, their negations, \\t \\r, escaped punctuation)`);
      atom = !"bB".includes(x);
      i += 2;
    } else if (c === "[") {
      const r = bracket(s, i, fail);
      js += r.js;
      ere += r.ere;
      i = r.end;
      atom = true;
    } else if (c === "(") {
      if (s[i + 1] === "?") {
        if (s[i + 2] !== ":") fail("uses a lookaround or named group; only (?:…) is allowed");
        js += "(?:";
        ere += "(";
        i += 3;
      } else {
        js += "(";
        ere += "(";
        i++;
      }
      atom = false;
    } else if (c === "*" || c === "+" || c === "?") {
      js += c;
      ere += c;
      i++;
      if (s[i] === "?") {
        js += "?"; // lazy: same lines match, only the match extent differs
        i++;
      }
      atom = false;
    } else if (c === "{") {
      const q = /^\{(\d+)(,(\d+)?)?\}/.exec(s.slice(i));
      if (!q || !atom) fail("has a `{` that is not a repetition like {2} or {1,3} (escape it as \\{)");
      const text = (q as RegExpExecArray)[0];
      js += text;
      ere += text;
      i += text.length;
      if (s[i] === "?") {
        js += "?";
        i++;
      }
      atom = false;
    } else {
      js += c;
      ere += c;
      i++;
      atom = c !== "|" && c !== "^" && c !== "$";
    }
  }
  let re: RegExp;
  try {
    // One char per byte, like the latin1 text the planner matches and grep in the C locale.
    re = new RegExp(Buffer.from(js, "utf8").toString("latin1"), "s");
  } catch (err) {
    return fail(`is not a valid regular expression (${(err as Error).message})`);
  }
  return { source, js: re, ere };
}

/** Translates the bracket expression starting at s[start] ("["); returns both renderings and the index after "]". */
function bracket(s: string, start: number, fail: (why: string) => never): { js: string; ere: string; end: number } {
  let i = start + 1;
  const negate = s[i] === "^";
  if (negate) i++;
  if (s[i] === "]") fail("has an empty class [] or [^] (escape a literal ] as \\])");
  let js = "";
  let body = ""; // ERE members in order, without the literals that need a fixed place
  const lit = { rbracket: false, hyphen: false, caret: false, lbracket: false };
  for (;;) {
    const c = s[i];
    if (c === undefined) fail("has an unterminated [ class");
    if (c === "]") break;
    if (c === "\\") {
      const x = s[i + 1] as string | undefined;
      if (x === undefined) fail("ends with a lone backslash");
      const e = x as string;
      if (e in INSIDE) body += INSIDE[e];
      else if (e === "]") lit.rbracket = true;
      else if (e === "-") lit.hyphen = true;
      else if (e === "^") lit.caret = true;
      else if (e === "[") lit.lbracket = true;
      else if (e === "\\") body += "\\";
      else if (".$*+?(){}|/".includes(e)) body += e;
      else fail(`uses \\${e} inside [ ], which grep -E reads differently (allowed: \\d \\s \\w \\t \\r and escaped punctuation)`);
      js += INSIDE_JS[e] ?? `\\${e}`;
      i += 2;
      continue;
    }
    if (c === "[") {
      if (":.=".includes(s[i + 1] ?? "")) fail("uses a POSIX class like [[:space:]]; write \\s, \\w or \\d instead");
      lit.lbracket = true;
      js += "\\[";
      i++;
      continue;
    }
    if (c === "-" && (/\\[dsw]$/.test(s.slice(start, i)) || /^-\\[dsw]/.test(s.slice(i)))) {
      fail("has a `-` next to \\d, \\s or \\w inside [ ] (escape it as \\-)");
    }
    body += c;
    js += c;
    i++;
  }
  // ERE has no escapes in brackets: "]" goes first, "^" anywhere but first, "[" and "-" last.
  const head = (lit.rbracket ? "]" : "") + body;
  const tail = (lit.lbracket ? "[" : "") + (lit.hyphen ? "-" : "");
  let members = head + tail;
  if (lit.caret) {
    if (head !== "") members = `${head}^${tail}`;
    else if (tail !== "") members = `${tail[0]}^${tail.slice(1)}`;
    else members = "^";
  }
  const ere = members === "^" && !negate ? "\\^" : `[${negate ? "^" : ""}${members}]`;
  return { js: `[${negate ? "^" : ""}${js}]`, ere, end: i + 1 };
}
