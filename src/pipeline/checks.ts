/**
 * Typed pre-flight and verify checks. Each helper returns data: where the check runs (on the target
 * host over Bosun's transport, or on the controller), the shell command (built with sh``, every
 * value quoted) or a function, a pure evaluation of the result, and its timeout and retries.
 * run-checks.ts executes them.
 */
import { connect } from "node:net";
import type { Vars } from "../inventory/model.js";
import type { ConnectionSpec } from "../transport/spec.js";
import type { ExecResult } from "../transport/types.js";
import { sh } from "../util/shell.js";

/** What a check can read about the host it checks and the run it belongs to. */
export interface CheckContext {
  host: string;
  /** The address Bosun connects to (bosun_host), for checks run from the controller. */
  address: string;
  vars: Vars;
  inputs: Record<string, unknown>;
  env: string;
  spec: ConnectionSpec;
  /** Every host of this check run (e.g. to find the stage's database host among them). */
  selection: readonly string[];
  /** Hosts of a group, in inventory order ([] for an unknown group). */
  groupHosts(group: string): string[];
  hostVars(host: string): Vars;
}

/** A value given directly or computed from the context (e.g. the version input). */
export type Value<T> = T | ((c: CheckContext) => T);
const val = <T>(v: Value<T>, c: CheckContext): T => (typeof v === "function" ? (v as (c: CheckContext) => T)(c) : v);

export interface Retry {
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** Further attempts after a failure (default 0). */
  retries?: number;
  /** Pause between attempts (default 1 s). */
  intervalMs?: number;
}

/** A check's outcome: undefined when it passed, else what was expected and found. */
export type Verdict = string | undefined;

export type Check = Required<Retry> & {
  name: string;
  on: "host" | "controller";
} & (
    | { command: (c: CheckContext) => string; evaluate: (r: ExecResult, c: CheckContext) => Verdict }
    /** Checks that need the controller's own state (vault keys, environment): handed a probe by the runner. */
    | { probe: (c: CheckContext, p: Probes) => Promise<Verdict> }
  );

/** What the runner gives function checks. */
export interface Probes {
  /** Returns an error message when the vault keys cannot decrypt, else undefined. */
  vault(): Promise<Verdict>;
}

const retry = (r: Retry = {}) => ({ timeoutMs: r.timeoutMs ?? 10_000, retries: r.retries ?? 0, intervalMs: r.intervalMs ?? 1000 });
const tail = (s: string) => s.trim().split("\n").slice(-3).join(" / ").slice(0, 300);
const exitZero = (what: string) => (r: ExecResult) =>
  r.code === 0 ? undefined : `${what}: exit code ${r.code}${r.stderr ? ` (${tail(r.stderr)})` : ""}`;

/** Check helpers: `check.http({ url: "http://127.0.0.1:9100/version", body: (c) => c.inputs.version })`. */
export const check = {
  /** The host answers over SSH (a no-op command). */
  reachable: (o: Retry = {}): Check => ({
    name: "reachable",
    on: "host",
    ...retry(o),
    command: () => "true",
    evaluate: exitZero("not reachable"),
  }),

  /** The host's key is in the known_hosts Bosun verifies against (never accepted on the fly). */
  hostKeyKnown: (o: Retry = {}): Check => ({
    name: "host key known",
    on: "controller",
    ...retry(o),
    command: (c) => {
      const name = c.spec.port && c.spec.port !== 22 ? `[${c.spec.address}]:${c.spec.port}` : c.spec.address;
      return c.spec.knownHostsFile ? sh`ssh-keygen -F ${name} -f ${c.spec.knownHostsFile}` : sh`ssh-keygen -F ${name}`;
    },
    evaluate: (r, c) => (r.code === 0 && r.stdout.trim() ? undefined : `no known_hosts entry for ${c.spec.address}`),
  }),

  /** At least minMb free on the filesystem holding path. */
  freeDisk: (o: { path: string; minMb: number } & Retry): Check => ({
    name: `free disk ${o.path} ≥ ${o.minMb} MB`,
    on: "host",
    ...retry(o),
    command: () => sh`df -Pk ${o.path} | tail -n 1`,
    evaluate: (r) => {
      const kb = Number(r.stdout.trim().split(/\s+/)[3]);
      if (r.code !== 0 || !Number.isFinite(kb)) return `df failed: ${tail(r.stderr || r.stdout)}`;
      const mb = Math.floor(kb / 1024);
      return mb >= o.minMb ? undefined : `expected ≥ ${o.minMb} MB free on ${o.path}, found ${mb} MB`;
    },
  }),

  /** The vault keys of this run decrypt (so a deploy never fails half-way on a secret). */
  vaultUnlockable: (o: Retry = {}): Check => ({ name: "vault unlockable", on: "controller", ...retry(o), probe: (_c, p) => p.vault() }),

  /** Named secrets are present: as environment variables of the run, or as vars of the host. */
  secretsPresent: (names: readonly string[], o: Retry = {}): Check => ({
    name: `secrets present (${names.join(", ")})`,
    on: "controller",
    ...retry(o),
    probe: async (c) => {
      const missing = names.filter((n) => !process.env[n] && (c.vars[n] === undefined || c.vars[n] === ""));
      return missing.length ? `missing secret${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}` : undefined;
    },
  }),

  /** An artifact URL answers (HEAD, 2xx): the version to deploy exists. Runs on the host by default. */
  artifactExists: (o: { url: Value<string>; on?: "host" | "controller" } & Retry): Check => ({
    name: "artifact exists",
    on: o.on ?? "host",
    ...retry(o),
    command: (c) => sh`curl -fsSI -o /dev/null --max-time ${Math.ceil((o.timeoutMs ?? 10_000) / 1000)} ${val(o.url, c)}`,
    evaluate: (r, c) => (r.code === 0 ? undefined : `artifact ${val(o.url, c)} not found (curl exit ${r.code})`),
  }),

  /** A systemd unit is active. */
  unitActive: (unit: string, o: Retry = {}): Check => ({
    name: `unit ${unit} active`,
    on: "host",
    ...retry(o),
    command: () => sh`systemctl is-active ${unit}`,
    evaluate: (r) =>
      r.stdout.trim() === "active" ? undefined : `expected unit ${unit} active, found ${r.stdout.trim() || `exit ${r.code}`}`,
  }),

  /** An HTTP GET returns status (default 200) and, when given, a body containing the text or matching the RegExp. */
  http: (o: { url: Value<string>; status?: number; body?: Value<string | RegExp>; on?: "host" | "controller" } & Retry): Check => ({
    name: `http ${typeof o.url === "string" ? o.url : "GET"}`,
    on: o.on ?? "host",
    ...retry(o),
    // The status goes last on its own line so the body can be anything.
    command: (c) => sh`curl -sS --max-time ${Math.ceil((o.timeoutMs ?? 10_000) / 1000)} -w '\n%{http_code}' ${val(o.url, c)}`,
    evaluate: (r, c) => {
      const url = val(o.url, c);
      if (r.code !== 0) return `GET ${url}: curl exit ${r.code} (${tail(r.stderr)})`;
      const cut = r.stdout.lastIndexOf("\n");
      const status = Number(r.stdout.slice(cut + 1));
      const body = r.stdout.slice(0, Math.max(0, cut));
      const want = o.status ?? 200;
      if (status !== want) return `GET ${url}: expected status ${want}, found ${status}`;
      if (o.body === undefined) return undefined;
      const b = val(o.body, c);
      const ok = typeof b === "string" ? body.includes(b) : b.test(body);
      return ok
        ? undefined
        : `GET ${url}: expected body ${typeof b === "string" ? `containing "${b}"` : `matching ${b}`}, found "${tail(body)}"`;
    },
  }),

  /** A TCP port accepts connections: from the controller to the host's address (default), or on the host (needs nc there). */
  tcp: (o: { port: number; host?: Value<string>; on?: "host" | "controller" } & Retry): Check =>
    (o.on ?? "controller") === "controller"
      ? {
          name: `tcp port ${o.port} open`,
          on: "controller",
          ...retry(o),
          probe: async (c) => {
            const target = o.host ? val(o.host, c) : c.address;
            return (await tcpOpen(target, o.port, o.timeoutMs ?? 10_000)) ? undefined : `port ${o.port} on ${target} is not open`;
          },
        }
      : {
          name: `tcp port ${o.port} open`,
          on: "host",
          ...retry(o),
          command: (c) => sh`nc -z -w ${Math.ceil((o.timeoutMs ?? 10_000) / 1000)} ${o.host ? val(o.host, c) : "127.0.0.1"} ${o.port}`,
          evaluate: (r, c) => (r.code === 0 ? undefined : `port ${o.port} on ${o.host ? val(o.host, c) : c.host} is not open`),
        },

  /** A command exits 0 (argv, quoted word by word: a typed check, not shell text). */
  command: (argv: Value<readonly string[]>, o: { name?: string; on?: "host" | "controller" } & Retry = {}): Check => ({
    name: o.name ?? `command ${typeof argv === "function" ? "" : argv.join(" ")}`.trim(),
    on: o.on ?? "host",
    ...retry(o),
    command: (c) => sh`${[...val(argv, c)]}`,
    evaluate: exitZero("command failed"),
  }),

  /**
   * A Prometheus instant query (HTTP API, queried from the controller) returns a sample, and, when
   * given, every sample's value is below/above the threshold.
   */
  prometheus: (o: { url: Value<string>; query: Value<string>; below?: number; above?: number } & Retry): Check => ({
    name: `prometheus ${typeof o.query === "string" ? o.query : "query"}`,
    on: "controller",
    ...retry(o),
    command: (c) =>
      sh`curl -fsS --max-time ${Math.ceil((o.timeoutMs ?? 10_000) / 1000)} -G --data-urlencode ${`query=${val(o.query, c)}`} ${`${val(o.url, c).replace(/\/$/, "")}/api/v1/query`}`,
    evaluate: (r, c) => prometheusVerdict(r, val(o.query, c), o),
  }),
};

/** Returns true when a TCP connection to host:port opens within ms. */
function tcpOpen(host: string, port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port, timeout: ms });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.once("connect", () => done(true));
    sock.once("timeout", () => done(false));
    sock.once("error", () => done(false));
  });
}

/** Returns the verdict on a Prometheus /api/v1/query answer (pure: unit-tested on real answers). */
export function prometheusVerdict(r: ExecResult, query: string, o: { below?: number; above?: number }): Verdict {
  if (r.code !== 0) return `prometheus query ${query}: curl exit ${r.code} (${tail(r.stderr)})`;
  let doc: { status?: string; data?: { result?: { value?: [number, string] }[] } };
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    return `prometheus query ${query}: not a JSON answer: ${tail(r.stdout)}`;
  }
  if (doc.status !== "success") return `prometheus query ${query}: status ${doc.status}`;
  const values = (doc.data?.result ?? []).map((s) => Number(s.value?.[1]));
  if (values.length === 0) return `prometheus query ${query}: no sample (metric absent)`;
  const bad = values.find((v) => (o.below !== undefined && !(v < o.below)) || (o.above !== undefined && !(v > o.above)));
  if (bad !== undefined)
    return `prometheus query ${query}: value ${bad} is not ${o.below !== undefined ? `below ${o.below}` : `above ${o.above}`}`;
  return undefined;
}
