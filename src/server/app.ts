/** The HTTP side of the server as one fastify instance: health, readiness, metrics, API and dashboard. */
import Fastify, { type FastifyInstance } from "fastify";
import { logger } from "../log.js";
import { registerApi } from "./api.js";
import type { ServerConfig } from "./config.js";
import { registerDashboard } from "./dashboard.js";
import type { Metrics } from "./metrics.js";
import type { Reconciler } from "./reconciler.js";
import type { SseStream } from "./sse.js";
import type { Storage } from "./storage.js";

const log = logger("server");

export interface AppDeps {
  server: ServerConfig;
  storage: Storage;
  reconciler: Reconciler;
  metrics: Metrics;
  /** Open event streams (ended when the server stops). */
  streams: Set<SseStream>;
  ready: () => boolean;
  https?: { key: Buffer; cert: Buffer };
}

/** Returns the fastify app (not yet listening). */
export function buildApp(d: AppDeps): FastifyInstance {
  const app = Fastify({ logger: false, ...(d.https ? { https: d.https } : {}) }) as unknown as FastifyInstance;
  app.addHook("onResponse", async (req, reply) => {
    log.debug("request", { method: req.method, path: req.url.split("?")[0], status: reply.statusCode, by: req.principal?.name });
  });
  app.get("/healthz", async () => ({ ok: true }));
  app.get("/readyz", async (_req, reply) => (d.ready() ? { ready: true } : reply.code(503).send({ ready: false })));
  app.get("/metrics", async (_req, reply) => {
    d.metrics.queueDepth.set(d.storage.queueDepth());
    return reply.type(d.metrics.registry.contentType).send(await d.metrics.registry.metrics());
  });
  registerApi(app, d);
  registerDashboard(app);
  return app;
}
