/**
 * The workload: a small long-running service to deploy with the `service` role (a stand-in for the trading
 * bots such fleets run). `node workload.js [--config config.toml] [--env-file env.toml] [--production] [--check-config]`
 *
 * Exit codes: 0 stopped cleanly (SIGTERM/SIGINT) or config ok (--check-config), 78 bad config, 1 anything else.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import { type BotState, metrics, newState, tick } from "./bot.js";
import { type Config, ConfigError, loadConfig } from "./config.js";
import { createLog, type Log, parseLevel } from "./log.js";

/** Replaced at build time with the release's version (see build.ts). */
declare const __WORKLOAD_VERSION__: string;
const VERSION = typeof __WORKLOAD_VERSION__ === "string" ? __WORKLOAD_VERSION__ : "dev";
const EX_CONFIG = 78;

interface Options {
  configFile: string;
  envFile: string;
  production: boolean;
  checkOnly: boolean;
}

/** Returns the command-line options; throws ConfigError on unknown flags. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  let a: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs({
      args: argv,
      options: {
        config: { type: "string", default: "config.toml" },
        "env-file": { type: "string" },
        production: { type: "boolean", default: false },
        "check-config": { type: "boolean", default: false },
      },
    });
  try {
    a = parse();
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const configFile = path.resolve(a.values.config);
  const envFile = path.resolve(a.values["env-file"] ?? env.WORKLOAD_ENV_TOML ?? path.join(path.dirname(configFile), "env.toml"));
  return { configFile, envFile, production: a.values.production, checkOnly: a.values["check-config"] };
}

/** Writes the PID file; refuses when it names a live process (a second copy would trade twice). */
function writePidFile(file: string): void {
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, "utf8").trim());
    if (pid > 0 && pid !== process.pid && alive(pid)) throw new Error(`already running: ${file} names live process ${pid}`);
  }
  writeFileSync(file, `${process.pid}\n`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts the HTTP server and the tick loop; returns a function that stops both gracefully. */
function start(cfg: Config, production: boolean, log: Log): Promise<(signal: string) => Promise<void>> {
  const state: BotState = newState();
  const startedAt = Date.now();
  const server: Server = createServer((req, res) => {
    if (req.url === "/health") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`${JSON.stringify({ status: "ok", name: cfg.service.name, version: VERSION, production, ticks: state.ticks })}\n`);
    } else if (req.url === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(metrics(state, { version: VERSION, production, startedAt }));
    } else {
      res.writeHead(404).end("not found\n");
    }
  });
  const timer = setInterval(() => tick(state, cfg.strategy, production, log), cfg.strategy.interval_ms);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(cfg.service.port, cfg.service.bind, () => {
      log.info("started", {
        version: VERSION,
        mode: production ? "production" : "dry-run",
        bind: cfg.service.bind,
        port: cfg.service.port,
      });
      resolve(async (signal) => {
        log.info("stopping", { signal });
        clearInterval(timer);
        // In-flight requests finish; idle keep-alive connections close now, the rest when the timeout ends.
        const cut = setTimeout(() => server.closeAllConnections(), cfg.service.shutdown_timeout_ms);
        server.closeIdleConnections();
        await new Promise<void>((done) => server.close(() => done()));
        clearTimeout(cut);
        log.info("stopped", { ticks: state.ticks });
      });
    });
  });
}

async function main(): Promise<number> {
  let log = createLog("info");
  let cfg: Config;
  let opts: Options;
  try {
    log = createLog(parseLevel(process.env.WORKLOAD_LOG));
    opts = parseOptions(process.argv.slice(2), process.env);
    cfg = loadConfig({ configFile: opts.configFile, envFile: opts.envFile, env: process.env });
    if (opts.production && !process.env.WORKLOAD_API_KEY) throw new ConfigError("--production needs WORKLOAD_API_KEY");
  } catch (err) {
    log.error((err as Error).message);
    return EX_CONFIG;
  }
  if (opts.checkOnly) {
    log.info("config ok", { config: opts.configFile, env_file: opts.envFile });
    return 0;
  }
  writePidFile(cfg.service.pid_file);
  try {
    const stop = await start(cfg, opts.production, log);
    const signal = await new Promise<string>((resolve) => {
      for (const s of ["SIGTERM", "SIGINT"] as const) process.once(s, () => resolve(s));
    });
    await stop(signal);
    return 0;
  } finally {
    rmSync(cfg.service.pid_file, { force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    createLog("error").error((err as Error).message);
    process.exit(1);
  },
);
