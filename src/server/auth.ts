/** Bearer-token authentication and scope checks for the API (fastify hooks). */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { TokenScope } from "./config.js";
import { allows, bearer, findToken, type Principal, type TokenEntry } from "./tokens.js";

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * Returns a preHandler that admits requests whose token allows `needed`. A server with no tokens
 * (possible only on loopback) treats every caller as the operator "anonymous".
 */
export function requireScope(tokens: TokenEntry[], needed: TokenScope) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (tokens.length === 0) {
      req.principal = { name: "anonymous", scope: "operator" };
      return;
    }
    const presented = bearer(req.headers.authorization);
    const entry = presented ? findToken(tokens, presented) : undefined;
    if (!entry) {
      await reply.code(401).header("www-authenticate", 'Bearer realm="bosun"').send({ error: "a valid bearer token is required" });
      return;
    }
    if (!allows(entry.scope, needed)) {
      await reply.code(403).send({ error: `token "${entry.name}" has scope ${entry.scope}; this needs ${needed}` });
      return;
    }
    req.principal = { name: entry.name, scope: entry.scope };
  };
}
