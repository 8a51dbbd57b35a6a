import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { logger } from "../../log.js";
import { hashToken, newToken } from "../../server/tokens.js";
import { type GlobalOptions, setup } from "../context.js";
import { out } from "../render.js";

const log = logger("server");

export function registerServe(program: Command): void {
  const serve = program
    .command("serve")
    .description("run the GitOps server: tracks [server] repo, plans/applies per environment, dashboard and API")
    .action(async (_o: unknown, cmd: Command) => {
      const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
      // Loaded here, not at the top: the HTTP stack (fastify, metrics, tracing) is ~40% of the CLI's start-up,
      // and every other command (a no-op apply among them) would pay for it.
      const { startServer } = await import("../../server/server.js");
      const server = await startServer(loaded);
      out(`bosun server listening on ${server.url}`);
      await new Promise<void>((resolve) => {
        let signals = 0;
        const onSignal = (sig: NodeJS.Signals) => {
          if (++signals > 1) {
            log.error("second signal: exiting now", { signal: sig });
            process.exit(1);
          }
          log.info("stopping", { signal: sig });
          server.stop().then(resolve, (err) => {
            log.error("stop failed", { error: (err as Error).message });
            process.exitCode = 1;
            resolve();
          });
        };
        process.on("SIGTERM", onSignal);
        process.on("SIGINT", onSignal);
      });
    });
  serve
    .command("token <name>")
    .description("make an API token: prints it once, and the [[server.tokens]] entry (its SHA-256) for bosun.toml")
    .option("--scope <scope>", "read or operator", "read")
    .action((name: string, o: { scope: string }) => {
      if (o.scope !== "read" && o.scope !== "operator") throw new UsageError(`--scope: expected read or operator, got ${o.scope}`);
      const token = newToken();
      out(
        `token (shown once): ${token}\n\n[[server.tokens]]\nname = ${JSON.stringify(name)}\nscope = "${o.scope}"\nsha256 = "${hashToken(token)}"`,
      );
    });
}
