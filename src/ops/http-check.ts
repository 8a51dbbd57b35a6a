import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation } from "../core/operation.js";
import { quote } from "../util/shell.js";

export interface HttpCheckOptions extends CommonOptions {
  /** Default GET. */
  method?: string;
  /** Request body, sent as is (give a Content-Type header with it). */
  body?: string;
  headers?: Record<string, string>;
  /** Status codes that pass. Default [200]. */
  status?: number[];
  /** Texts the response body must contain (all of them). */
  contains?: string[];
  /** Attempts after the first one when the check does not pass yet (Ansible's `retries` with `until`). Default 0. */
  retries?: number;
  /** Seconds between attempts. Default 5, as Ansible's `delay`. */
  delay?: number;
  /** Seconds one request may take. Default 30, as Ansible's uri. */
  timeout?: number;
  /** Verify the server's TLS certificate. Default true. */
  validateCerts?: boolean;
}

/**
 * A check, not a change: makes an HTTP request FROM the host (with curl, as Ansible's `uri` runs on the
 * target) on every apply of the host, retrying until the status and body match, and fails the host with
 * the last status and body when they never do. It never reports a change; it runs even when nothing
 * else on the host changes (the engine runs the apply of a host that has a check).
 * `httpCheck("http://127.0.0.1/healthz", { status: [200], contains: ["ok"], retries: 10, delay: 2 })`
 */
export function httpCheck(url: string, o: HttpCheckOptions = {}): Operation {
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new Error(`http_check: url must be http:// or https:// without spaces, got "${url}"`);
  const status = o.status ?? [200];
  const retries = o.retries ?? 0;
  const delay = o.delay ?? 5;
  const timeout = o.timeout ?? 30;
  for (const [k, v] of [
    ["retries", retries],
    ["delay", delay],
    ["timeout", timeout],
  ] as const)
    if (!Number.isInteger(v) || v < 0) throw new Error(`http_check ${url}: ${k} must be a whole number ≥ 0, got ${v}`);
  if (status.length === 0 || status.some((s) => !Number.isInteger(s) || s < 100 || s > 599))
    throw new Error(`http_check ${url}: status must list HTTP codes (100..599), got ${JSON.stringify(status)}`);
  const method = (o.method ?? "GET").toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new Error(`http_check ${url}: bad method "${o.method}"`);
  const headers = Object.entries(o.headers ?? {}).map(([k, v]) => {
    if (!/^[A-Za-z0-9-]+$/.test(k) || /[\r\n]/.test(v)) throw new Error(`http_check ${url}: bad header "${k}"`);
    return `-H ${quote(`${k}: ${v}`)}`;
  });
  const want = `${method} ${url} → ${status.join("/")}${o.contains?.length ? `, body with ${o.contains.map((c) => JSON.stringify(c)).join(", ")}` : ""}`;
  const curl = [
    "curl -sS -o \"$__d/http.body\" -w '%{http_code}'",
    `-X ${method}`,
    `--max-time ${timeout}`,
    o.validateCerts === false ? "-k" : "",
    ...headers,
    o.body !== undefined ? `--data-binary @"$__d/http.req"` : "",
    quote(url),
  ]
    .filter(Boolean)
    .join(" ");
  const passes = [
    `case " ${status.join(" ")} " in *" $__code "*) ;; *) __ok=; esac`,
    ...(o.contains ?? []).map((c) => `grep -qF -e ${quote(c)} "$__d/http.body" || __ok=`),
  ];
  const apply = [
    "command -v curl >/dev/null 2>&1 || { echo 'http_check: curl is not installed on the host (install the curl package first)' >&2; exit 1; }",
    o.body !== undefined ? `printf %s ${quote(o.body)} > "$__d/http.req"` : "",
    `__i=0; while :; do`,
    `  : > "$__d/http.body"; __code=$(${curl} 2>"$__d/http.err") || __code=000`,
    "  __ok=1",
    ...passes.map((l) => `  ${l}`),
    `  [ -z "$__ok" ] || break`,
    `  if [ $__i -ge ${retries} ]; then`,
    `    echo ${quote(`http_check failed after ${retries + 1} attempt${retries > 0 ? "s" : ""}: wanted ${want}`)} >&2`,
    `    echo "last status: $__code $(head -c 300 "$__d/http.err")" >&2; echo "last body: $(head -c 500 "$__d/http.body")" >&2; exit 1`,
    "  fi",
    `  __i=$((__i + 1)); sleep ${delay}`,
    "done",
    `echo "$__code after $((__i + 1)) attempt(s)"`,
  ]
    .filter(Boolean)
    .join("\n");
  return declareOp({
    kind: "http_check",
    name: `${method} ${url}`,
    ...commonFields(o),
    check: true,
    facts: () => [],
    plan: () => ({ changed: false, summary: `checked at apply: ${want}${retries > 0 ? ` (${retries} retries, ${delay}s apart)` : ""}` }),
    apply: () => apply,
  });
}
