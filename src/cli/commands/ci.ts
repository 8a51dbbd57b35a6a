import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { githubWorkflows } from "../../pipeline/github.js";
import { loadPipeline } from "../../pipeline/load.js";
import { collect, positiveInt } from "../options.js";
import { out } from "../render.js";
import { pipelineFile } from "./pipeline.js";

export function registerCi(program: Command): void {
  const ci = program.command("ci").description("generate CI workflows from a pipeline");
  ci.command("github")
    .description("one GitHub Actions workflow per stage, and a scheduled drift workflow")
    .option("-p, --pipeline <file>", "pipeline file (default ./pipeline.ts, or $BOSUN_PIPELINE)")
    .option("--out <dir>", "where to write the workflows", ".github/workflows")
    .option("--shards <n>", "split site stages over a matrix of n jobs (--shard k/n) and merge their records", positiveInt)
    .option("--bosun <command>", "how the workflow runs bosun", "npx --no-install bosun")
    .option("--setup <command>", "a command after checkout and setup-node (repeatable; default `npm ci`)", collect, [])
    .option("--drift-cron <cron>", "schedule of the drift workflow", "0 6 * * *")
    .action(async (o: { pipeline?: string; out: string; shards?: number; bosun: string; setup: string[]; driftCron: string }) => {
      const file = pipelineFile(o);
      const p = await loadPipeline(file);
      const files = githubWorkflows(p, {
        pipelineFile: path.relative(process.cwd(), path.resolve(file)),
        bosun: o.bosun,
        setup: o.setup.length ? o.setup : undefined,
        shards: o.shards,
        driftCron: o.driftCron,
      });
      await mkdir(o.out, { recursive: true });
      for (const [name, text] of Object.entries(files)) {
        await writeFile(path.join(o.out, name), text);
        out(path.join(o.out, name));
      }
    });
}
