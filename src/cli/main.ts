import { Command, CommanderError } from "commander";
import { registerCi } from "./commands/ci.js";
import { registerConfig } from "./commands/config.js";
import { registerDrift } from "./commands/drift.js";
import { registerExec } from "./commands/exec.js";
import { registerFacts } from "./commands/facts.js";
import { registerImport } from "./commands/import.js";
import { registerInit } from "./commands/init.js";
import { registerInventory } from "./commands/inventory.js";
import { registerLab } from "./commands/lab.js";
import { registerPipeline } from "./commands/pipeline.js";
import { registerRun } from "./commands/run.js";
import { registerRuns } from "./commands/runs.js";
import { registerServe } from "./commands/serve.js";
import { registerVault } from "./commands/vault.js";
import { reportError } from "./fail.js";
import { increase } from "./options.js";

/** Returns the bosun command-line program. */
export function program(): Command {
  const p = new Command("bosun")
    .description("Infrastructure automation and deployment pipelines for Linux fleets")
    .version("0.1.0")
    .option("-c, --config <file>", "bosun.toml to use (default ./bosun.toml, or $BOSUN_CONFIG)")
    .option("-v, --verbose", "more logs on stderr (-vv for debug); BOSUN_LOG overrides", increase, 0)
    // One line per usage error (commander's own text, without its "error: "), never the whole help.
    .configureOutput({
      outputError: (str, write) =>
        write(
          `bosun: ${str
            .replace(/^error: /, "")
            .trim()
            .replaceAll("\n", " ")} (see --help)\n`,
        ),
    })
    .exitOverride();
  registerInit(p);
  registerRun(p);
  registerRuns(p);
  registerExec(p);
  registerFacts(p);
  registerInventory(p);
  registerLab(p);
  registerConfig(p);
  registerVault(p);
  registerImport(p);
  registerServe(p);
  registerPipeline(p);
  registerDrift(p);
  registerCi(p);
  return p;
}

/** Runs the CLI; errors become one clear line on stderr and an exit code. */
export async function main(argv: string[]): Promise<void> {
  // `bosun … | head`: a reader that went away is not a crash.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
  // An error thrown outside the command's promise chain (a callback, a stream) ends the same way.
  const fatal = (err: unknown) => process.exit(reportError(err));
  process.on("uncaughtException", fatal);
  process.on("unhandledRejection", fatal);
  try {
    await program().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 64;
      return;
    }
    process.exitCode = reportError(err);
  }
}

await main(process.argv);
