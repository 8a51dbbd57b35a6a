/**
 * The dashboard: three static files (plain HTML, JS and CSS; no CDN, no build step) served by the
 * server itself. They hold no data: the page reads everything through the API with the user's token.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";

/** The assets live in src/server/dashboard; from a build (dist/src/server) they are read from the sources. */
function assetDir(): string {
  const here = path.join(path.dirname(fileURLToPath(import.meta.url)), "dashboard");
  return existsSync(here) ? here : here.replace(`${path.sep}dist${path.sep}src${path.sep}`, `${path.sep}src${path.sep}`);
}

const FILES: Record<string, string> = {
  "/": "index.html",
  "/app.js": "app.js",
  "/style.css": "style.css",
};
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

export function registerDashboard(app: FastifyInstance): void {
  const dir = assetDir();
  for (const [route, file] of Object.entries(FILES)) {
    const body = readFileSync(path.join(dir, file), "utf8");
    app.get(route, async (_req, reply) =>
      reply
        .type(TYPES[path.extname(file)] ?? "text/plain")
        .header("content-security-policy", "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'")
        .send(body),
    );
  }
}
