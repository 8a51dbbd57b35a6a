/**
 * The pipeline part of the API: the stages and their typed inputs (what the dashboard's forms are
 * made of), versions and history per environment, stage and host, and the actions: run a stage with
 * inputs, roll a stage back. Bad inputs are a 400 with one message per field, from the CLI's validation.
 */
import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from "fastify";
import { z } from "zod";
import { type ApiDeps, parse } from "./api.js";

const StagePath = z.object({ env: z.string().min(1), stage: z.string().min(1) });
const RunBody = z
  .object({ inputs: z.record(z.string(), z.union([z.string(), z.boolean(), z.number()])).optional(), confirm: z.boolean().optional() })
  .nullish();
const RollbackBody = z.object({ to: z.string().min(1).optional(), confirm: z.boolean().optional() }).nullish();

interface Guards {
  read: { preHandler: preHandlerHookHandler };
  operator: { preHandler: preHandlerHookHandler };
  who: (req: FastifyRequest) => string;
}

export function registerStageApi(app: FastifyInstance, d: ApiDeps, g: Guards): void {
  const r = d.reconciler;
  app.get("/api/pipeline", g.read, async () => r.pipeline().describe(await r.head()));
  app.get("/api/pipeline/versions", g.read, async () => r.pipeline().versions(await r.head()));
  app.post("/api/pipeline/envs/:env/stages/:stage/run", g.operator, async (req, reply) => {
    const { env, stage } = parse(StagePath, req.params, "path");
    const body = parse(RunBody, req.body, "body") ?? {};
    return reply.code(202).send(await r.requestStage(env, stage, "stage", body, g.who(req)));
  });
  app.post("/api/pipeline/envs/:env/stages/:stage/rollback", g.operator, async (req, reply) => {
    const { env, stage } = parse(StagePath, req.params, "path");
    const body = parse(RollbackBody, req.body, "body") ?? {};
    return reply.code(202).send(await r.requestStage(env, stage, "stage-rollback", body, g.who(req)));
  });
}
