/**
 * Returns s quoted for a POSIX shell, so it is passed as one word exactly.
 * The only quoting function in Bosun: call sites never concatenate shell text by hand.
 */
export function quote(s: string | number): string {
  const str = String(s);
  if (str !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(str)) return str;
  return `'${str.replaceAll("'", `'"'"'`)}'`;
}

/** Returns argv joined into one shell command line, each word quoted. */
export function join(argv: readonly (string | number)[]): string {
  return argv.map(quote).join(" ");
}

/**
 * Tagged template for shell text: every interpolation is quoted; arrays become several words.
 * Use raw() to splice in text that is already shell (e.g. another command built by sh``).
 */
export function sh(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0] ?? "";
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? "");
  });
  return out;
}

const RAW = Symbol("raw shell");
export interface RawShell {
  [RAW]: string;
}

/** Marks text as already-valid shell so sh`` splices it unquoted. */
export function raw(text: string): RawShell {
  return { [RAW]: text };
}

function render(v: unknown): string {
  if (v && typeof v === "object" && RAW in v) return (v as RawShell)[RAW];
  if (Array.isArray(v)) return v.map((x) => render(x)).join(" ");
  if (typeof v === "string" || typeof v === "number") return quote(v);
  throw new TypeError(`sh\`\`: cannot interpolate ${typeof v}`);
}
