/**
 * The JSON API: reads (runs with events and diffs, hosts with versions, drift, approvals, audit) for
 * any token, actions (plan, apply, approve, rollback, drift check, reconcile) for operator tokens.
 * Every action is recorded in the audit log with who asked.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { RunEvent } from "../core/events.js";
import { BosunError } from "../errors.js";
import { InputsError } from "../pipeline/inputs.js";
import { redact } from "../vault/redact.js";
import { requireScope } from "./auth.js";
import type { ServerConfig } from "./config.js";
import type { Reconciler } from "./reconciler.js";
import { SseStream } from "./sse.js";
import { registerStageApi } from "./stages-api.js";
import type { JobKind, ServerRun, Storage } from "./storage.js";

export interface ApiDeps {
  storage: Storage;
  reconciler: Reconciler;
  server: ServerConfig;
  /** Open event streams, ended when the server stops. */
  streams: Set<SseStream>;
}

const Id = z.object({ id: z.coerce.number().int().positive() });
const Env = z.object({ env: z.string().min(1) });
const RefBody = z.object({ ref: z.string().min(1).optional() }).nullish();
const RollbackBody = z.object({ commit: z.string().min(1) });
const RunsQuery = z.object({
  env: z.string().optional(),
  status: z.enum(["queued", "running", "succeeded", "failed", "interrupted"]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

/** Returns value parsed by schema, or throws a 400 naming the field. */
export function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new HttpError(400, `${what}${i?.path.length ? `.${i.path.join(".")}` : ""}: ${i?.message}`);
  }
  return r.data;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** An event as shown to API clients: any secret the process knows is masked. */
export const mask = (e: RunEvent): RunEvent => JSON.parse(redact(JSON.stringify(e))) as RunEvent;

const finished = (r: ServerRun) => r.status !== "queued" && r.status !== "running";

export function registerApi(app: FastifyInstance, d: ApiDeps): void {
  const read = { preHandler: requireScope(d.server.tokens, "read") };
  const operator = { preHandler: requireScope(d.server.tokens, "operator") };
  const who = (req: FastifyRequest) => req.principal?.name ?? "anonymous";

  app.setErrorHandler(async (err, _req, reply) => {
    if (err instanceof HttpError) return reply.code(err.status).send({ error: err.message });
    if (err instanceof InputsError) return reply.code(400).send({ error: redact(err.message), fields: err.fields });
    if (err instanceof BosunError) return reply.code(400).send({ error: redact(err.message) });
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status < 500) return reply.code(status).send({ error: (err as Error).message });
    app.log.error(err);
    return reply.code(500).send({ error: "internal error" });
  });

  app.get("/api/whoami", read, async (req) => req.principal);
  app.get("/api/envs", read, async () =>
    Object.entries(d.server.environments).map(([name, e]) => ({
      name,
      policy: e.policy,
      site: e.site,
      limit: e.limit,
      applied: d.storage.getMeta(`applied:${name}`),
    })),
  );
  app.get("/api/runs", read, async (req) => d.storage.list(parse(RunsQuery, req.query, "query")));
  app.get("/api/runs/:id", read, async (req) => {
    const { id } = parse(Id, req.params, "path");
    const run = d.storage.get(id);
    if (!run) throw new HttpError(404, `no run ${id}`);
    return { ...run, events: d.storage.events(id).map(mask) };
  });
  app.get("/api/runs/:id/stream", read, async (req, reply) => streamRun(d, parse(Id, req.params, "path").id, reply));
  app.get("/api/stream", read, async (_req, reply) => {
    const s = open(d, reply);
    const onRun = (r: ServerRun) => s.send("run", r);
    d.reconciler.on("run", onRun);
    s.whenClosed(() => d.reconciler.off("run", onRun));
  });
  app.get("/api/approvals", read, async () => d.storage.list({ limit: 1000 }).filter((r) => r.approval === "pending"));
  app.get("/api/drift", read, async () => d.storage.drift());
  app.get("/api/hosts", read, async () => hosts(d.storage));
  app.get("/api/audit", read, async () => d.storage.auditLog(200));

  const action = (kind: JobKind) => async (req: FastifyRequest, reply: FastifyReply) => {
    const { env } = parse(Env, req.params, "path");
    const ref = kind === "rollback" ? parse(RollbackBody, req.body ?? {}, "body").commit : parse(RefBody, req.body, "body")?.ref;
    const run = await d.reconciler.request(env, kind, who(req), ref);
    return reply.code(202).send(run);
  };
  app.post("/api/envs/:env/plan", operator, action("plan"));
  app.post("/api/envs/:env/apply", operator, action("apply"));
  app.post("/api/envs/:env/rollback", operator, action("rollback"));
  app.post("/api/envs/:env/drift", operator, action("drift"));
  app.post("/api/runs/:id/approve", operator, async (req, reply) => {
    const { id } = parse(Id, req.params, "path");
    d.storage.audit({ who: who(req), action: "approve", detail: `run ${id}` });
    return reply.code(202).send(d.reconciler.approve(id, who(req)));
  });
  registerStageApi(app, d, { read, operator, who });
  app.post("/api/reconcile", operator, async (req, reply) => {
    d.storage.audit({ who: who(req), action: "reconcile", detail: "poll the tracked branch now" });
    return reply.code(202).send({ head: await d.reconciler.poll() });
  });
}

function open(d: ApiDeps, reply: FastifyReply): SseStream {
  const s = new SseStream(reply);
  d.streams.add(s);
  s.whenClosed(() => d.streams.delete(s));
  return s;
}

/** Streams a run: its recorded events, then live ones, then its final state. */
function streamRun(d: ApiDeps, id: number, reply: FastifyReply): void {
  const run = d.storage.get(id);
  if (!run) throw new HttpError(404, `no run ${id}`);
  const s = open(d, reply);
  // No await between the replay and subscribing: no event can fall between the two.
  for (const e of d.storage.events(id)) s.send("event", mask(e));
  s.send("run", run);
  if (finished(run)) {
    s.end();
    return;
  }
  const onEvent = (runId: number, e: RunEvent) => runId === id && s.send("event", mask(e));
  const onRun = (r: ServerRun) => {
    if (r.id !== id) return;
    s.send("run", r);
    if (finished(r)) s.end();
  };
  d.reconciler.on("event", onEvent);
  d.reconciler.on("run", onRun);
  s.whenClosed(() => {
    d.reconciler.off("event", onEvent);
    d.reconciler.off("run", onRun);
  });
}

/** Returns each host's deployed version per environment and its result in the environment's last run. */
function hosts(storage: Storage) {
  const out: Record<
    string,
    { env: string; host: string; commit?: string; deployedAt?: string; last?: { run: number; kind: string; status: string } }
  > = {};
  for (const v of storage.versions()) out[`${v.env}/${v.host}`] = { env: v.env, host: v.host, commit: v.commit, deployedAt: v.at };
  for (const r of storage.list({ limit: 200 }).reverse()) {
    for (const [host, h] of Object.entries(r.hosts ?? {})) {
      const key = `${r.env}/${host}`;
      out[key] = { ...(out[key] ?? { env: r.env, host }), last: { run: r.id, kind: r.kind, status: h.status } };
    }
  }
  return Object.values(out);
}
