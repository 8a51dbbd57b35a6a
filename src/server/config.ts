/**
 * The `[server]` section of bosun.toml: what `bosun serve` listens on, which repository and branch it
 * tracks, the environments it reconciles (site + inventory + policy), drift schedule, webhooks and tokens.
 * Included in the whole-file schema by src/config/schema.ts, so it is validated on load like every key.
 */
import { Cron } from "croner";
import { z } from "zod";

const httpUrl = z.url({ protocol: /^https?$/ });

/** A cron expression croner accepts (5 or 6 fields, or a nickname such as @hourly). */
const cronExpr = z.string().refine(
  (s) => {
    try {
      new Cron(s, { paused: true }).stop();
      return true;
    } catch {
      return false;
    }
  },
  { message: "expected a cron expression such as '*/15 * * * *'" },
);

export const TOKEN_SCOPES = ["read", "operator"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const EnvironmentSchema = z.strictObject({
  /** The site file, relative to the repository root. */
  site: z.string().min(1),
  /** Inventory file relative to the repository root, "lab", or a name from [inventories]. */
  inventory: z.string().min(1),
  /** auto: apply every commit after its plan; approve: the plan waits for an operator's approval. */
  policy: z.enum(["auto", "approve"]).default("approve"),
  /** Host pattern limiting the environment to part of the inventory. */
  limit: z.string().min(1).optional(),
});

export const ServerConfigSchema = z.strictObject({
  listen: z
    .string()
    .regex(/^[^:]+:\d{1,5}$/, "expected HOST:PORT")
    .refine((s) => {
      const p = Number(s.slice(s.lastIndexOf(":") + 1));
      return p >= 1 && p <= 65535;
    }, "the port must be 1 to 65535")
    .default("127.0.0.1:8700"),
  /** Public URL of the dashboard (links in webhooks). */
  url: httpUrl.optional(),
  /** TLS certificate and key files (PEM); required with a non-loopback listen address. */
  tls_cert: z.string().min(1).optional(),
  tls_key: z.string().min(1).optional(),
  /** The git repository tracked: a path or a URL git can fetch. */
  repo: z.string().min(1).optional(),
  branch: z.string().min(1).default("main"),
  /** A pipeline file in the repository (relative to its root): its stages can be run from the dashboard and API. */
  pipeline: z.string().min(1).optional(),
  /** Seconds between polls of the branch (0: only on POST /api/reconcile). */
  poll_interval: z.number().int().min(0).max(86400).default(60),
  /** Cron schedule of drift checks (empty: none). */
  drift_schedule: z.union([z.literal(""), cronExpr]).default(""),
  /** URLs that receive a JSON POST when a drift check finds drift or a run fails. */
  webhooks: z.array(httpUrl).default([]),
  /** Seconds a stopping server lets the in-flight run finish before interrupting it. */
  grace_period: z.number().int().min(0).max(3600).default(30),
  /** Where the server keeps its database, checkouts and PID file; relative paths are under the state dir. */
  dir: z.string().min(1).default("server"),
  environments: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "environment names: lowercase letters, digits, - and _"), EnvironmentSchema)
    .default({}),
  /** API tokens: only their SHA-256 is stored (`bosun serve token NAME` makes one). */
  tokens: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, "expected the token's SHA-256 as 64 hex digits"),
        scope: z.enum(TOKEN_SCOPES),
      }),
    )
    .default([]),
});

export type ServerConfig = z.infer<typeof ServerConfigSchema>;
export type EnvironmentConfig = z.infer<typeof EnvironmentSchema>;

/** Returns host and port of a listen address ("127.0.0.1:8700"). */
export function parseListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(":");
  return { host: listen.slice(0, i), port: Number(listen.slice(i + 1)) };
}

/** True for addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Returns why the server must not start with this config (non-loopback without TLS and tokens), or undefined. */
export function exposureProblem(s: ServerConfig): string | undefined {
  const { host } = parseListen(s.listen);
  if (isLoopback(host)) return undefined;
  const missing = [!(s.tls_cert && s.tls_key) && "tls_cert and tls_key", s.tokens.length === 0 && "tokens"].filter(Boolean);
  return missing.length > 0 ? `server.listen ${s.listen} is not a loopback address: configure ${missing.join(" and ")} first` : undefined;
}
