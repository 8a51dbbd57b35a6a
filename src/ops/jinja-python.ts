/**
 * How Jinja2 under Ansible prints values: Python's str() of the value. Templates written for Ansible rely
 * on it (`enabled={{ flag }}` gives `enabled=True`, a list gives `['a', 'b']`, None gives an empty string).
 */
import { isSecret } from "../vault/secret.js";

/** Returns Python's repr() of a JSON-like value (strings quoted as Python quotes them). */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return pyQuote(v);
  if (typeof v === "number") return String(v);
  if (isSecret(v)) return pyQuote(String(v));
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (typeof v === "object") {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${pyQuote(k)}: ${pyRepr(x)}`)
      .join(", ")}}`;
  }
  return String(v);
}

/** Returns Python's str() of a value, as `{{ value }}` prints it under Ansible (None → ""). */
export function pyStr(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "boolean" || Array.isArray(v)) return pyRepr(v);
  if (typeof v === "object" && !isSecret(v) && Object.getPrototypeOf(v) === Object.prototype) return pyRepr(v);
  return String(v);
}

function pyQuote(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/\r/g, "\\r");
  return q + (q === "'" ? body.replace(/'/g, "\\'") : body) + q;
}

/** Returns Python's truthiness of a value (empty string, list and dict are false). */
export function pyTruthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === "object" && !isSecret(v)) return Object.keys(v).length > 0;
  return Boolean(v);
}
