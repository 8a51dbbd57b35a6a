/**
 * `bosun serve` as a library: wires storage, git, reconciler, scheduler, API, dashboard, health and
 * metrics into one process, and stops it gracefully (stop accepting, let runs finish or interrupt
 * them after the grace period, flush, release the PID file).
 */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { LoadedConfig } from "../config/load.js";
import { recordDeadRuns } from "../engine/orphan-runs.js";
import { ConfigError } from "../errors.js";
import { logger } from "../log.js";
import { buildApp } from "./app.js";
import { exposureProblem, parseListen, type ServerConfig } from "./config.js";
import { GitSource } from "./git.js";
import { Metrics } from "./metrics.js";
import { writePidFile } from "./pidfile.js";
import { Reconciler } from "./reconciler.js";
import { driftTargets, Scheduler } from "./scheduler.js";
import { SqliteStorage } from "./sqlite.js";
import type { SseStream } from "./sse.js";
import { PipelineStages } from "./stages.js";
import type { Storage } from "./storage.js";
import { webhooks } from "./webhooks.js";

const log = logger("server");

export interface RunningServer {
  /** The URL it listens on. */
  url: string;
  app: FastifyInstance;
  reconciler: Reconciler;
  storage: Storage;
  /** Stops gracefully; resolves once state is flushed. */
  stop(): Promise<void>;
}

/** Throws a ConfigError when [server] cannot run as configured (fail fast, before binding anything). */
export function checkServerConfig(s: ServerConfig, files: string[]): void {
  const where = { file: files[0] ?? "configuration" };
  const exposure = exposureProblem(s);
  if (exposure) throw new ConfigError(where, exposure);
  if (!s.repo) throw new ConfigError(where, "server.repo: the git repository to track is not set");
  if (Object.keys(s.environments).length === 0) throw new ConfigError(where, "server.environments: no environment configured");
  if (Boolean(s.tls_cert) !== Boolean(s.tls_key)) throw new ConfigError(where, "server.tls_cert and server.tls_key go together");
}

/** Starts the server; returns once it listens. */
export async function startServer(loaded: LoadedConfig): Promise<RunningServer> {
  const s = loaded.config.server;
  checkServerConfig(s, loaded.files);
  const dir = path.resolve(loaded.config.state_dir, s.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const removePid = writePidFile(path.join(dir, "bosun-server.pid"));
  const storage = new SqliteStorage(path.join(dir, "server.db"));
  const metrics = new Metrics();
  const git = new GitSource(s.repo as string, s.branch, dir);
  const stages = s.pipeline ? new PipelineStages(s.pipeline, git, loaded) : undefined;
  const reconciler = new Reconciler({ storage, git, config: loaded, metrics, notify: webhooks(s.webhooks), stages });
  const streams = new Set<SseStream>();
  let ready = false;

  const https = s.tls_cert && s.tls_key ? { key: readFileSync(s.tls_key), cert: readFileSync(s.tls_cert) } : undefined;
  const app = buildApp({ server: s, storage, reconciler, metrics, streams, ready: () => ready, https });

  const { host, port } = parseListen(s.listen);
  await app.listen({ host, port });
  const addr = app.server.address();
  const url = `${https ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${typeof addr === "object" && addr ? addr.port : port}`;
  // Runs.jl first: a run the last process was in the middle of is recorded there as interrupted too.
  await recordDeadRuns(loaded.config.state_dir);
  reconciler.resume();
  const scheduler = new Scheduler(s.poll_interval, s.drift_schedule, {
    poll: () => reconciler.poll(),
    driftCheck: async () => {
      for (const env of driftTargets(reconciler.environments, (e) => storage.getMeta(`applied:${e}`))) {
        // A check still waiting or running covers this one: a slow environment never piles up checks.
        if (storage.list({ env, limit: 20 }).some((r) => r.kind === "drift" && (r.status === "queued" || r.status === "running"))) continue;
        await reconciler.request(env, "drift", "schedule");
      }
    },
  });
  scheduler.start();
  await scheduler.pollOnce();
  ready = true;
  log.info("bosun server listening", { url, repo: s.repo, branch: s.branch, environments: reconciler.environments.join(",") });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      ready = false;
      scheduler.stop();
      for (const st of streams) st.end();
      await app.close();
      await reconciler.stop(s.grace_period * 1000);
      storage.close();
      removePid();
      log.info("bosun server stopped");
    })());
  return { url, app, reconciler, storage, stop };
}
