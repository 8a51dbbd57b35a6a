import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import { type Command, Option } from "commander";
import pc from "picocolors";
import { UsageError } from "../../errors.js";
import { parseShard } from "../../inventory/shard.js";
import { promoteStage, rollbackStage, runStages } from "../../pipeline/actions.js";
import type { PipelineContext, PipelineEvent } from "../../pipeline/context.js";
import { type Pipeline, stageInputs } from "../../pipeline/define.js";
import { parseInputPairs } from "../../pipeline/inputs.js";
import { envName, findStage, loadPipeline } from "../../pipeline/load.js";
import { makePipelineContext } from "../../pipeline/make-context.js";
import { parseEvents, recapMarkdown } from "../../pipeline/recap.js";
import { historyRuns, statusRows } from "../../pipeline/status.js";
import { type GlobalOptions, parseExtraVars, setup, vaultKeys } from "../context.js";
import { collect, type HostOptions, hostOptions } from "../options.js";
import { out } from "../render.js";
import { HumanRenderer } from "../render-run.js";

export interface PipelineCliOptions extends HostOptions {
  pipeline?: string;
  env?: string;
  input: string[];
  yes?: boolean;
  shard?: string;
  typecheck?: boolean;
}

/** Returns the pipeline file: -p, $BOSUN_PIPELINE, else ./pipeline.ts. */
export const pipelineFile = (o: { pipeline?: string }) => o.pipeline ?? process.env.BOSUN_PIPELINE ?? "pipeline.ts";

function gitCommit(dir: string): string | undefined {
  try {
    return (
      execFileSync("git", ["-C", dir, "rev-parse", "HEAD"], { stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/** Returns the context a pipeline verb runs with: config, inventories, vault, who and how, and how events are shown. */
export async function pipelineContext(p: Pipeline, o: PipelineCliOptions, cmd: Command): Promise<PipelineContext> {
  const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
  const keys = vaultKeys(loaded, o);
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !o.json;
  const github = process.env.GITHUB_ACTIONS === "true";
  let renderer = new HumanRenderer({ showDiff: false, mode: "apply" });
  return makePipelineContext(p, loaded, {
    keys,
    ssh: { connectTimeoutS: o.connectTimeout, acceptNewHostKeys: o.acceptNewHostKeys },
    forks: o.forks,
    extraVars: await parseExtraVars(o.extraVars, keys),
    limit: o.limit,
    ask: interactive ? ask : undefined,
    yes: Boolean(o.yes),
    by: (github ? process.env.GITHUB_ACTOR : undefined) ?? os.userInfo().username,
    via: github ? "ci" : "pipeline",
    commit: (github ? process.env.GITHUB_SHA : undefined) ?? gitCommit(path.dirname(p.file ?? ".")),
    typecheck: o.typecheck !== false,
    specOverride: (s) => ({
      ...s,
      user: o.user ?? s.user,
      become: { ...s.become, enabled: o.become ?? s.become.enabled, user: o.becomeUser ?? s.become.user },
    }),
    emit: (e) => {
      if (o.json) return out(JSON.stringify(e));
      if (e.type === "run_started") renderer = new HumanRenderer({ showDiff: false, mode: e.mode });
      render(e, renderer);
    },
  });
}

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

function render(e: PipelineEvent, r: HumanRenderer): void {
  switch (e.type) {
    case "stage_started":
      out(pc.bold(`\n■ ${e.stage} → ${e.env}  ${e.version}`) + pc.dim(`  ${e.kind}${e.hosts.length ? `, ${e.hosts.join(", ")}` : ""}`));
      break;
    case "batch_started":
      out(pc.cyan(`\n● ${e.batch} batch (${e.version}): ${e.hosts.join(", ")}`));
      break;
    case "check_result":
      out(
        `${e.ok ? pc.green("✓") : pc.red("✗")} ${e.phase} ${pc.bold(e.host)} ${e.check}${e.error ? `: ${pc.red(e.error)}` : ""}${e.attempts > 1 ? pc.dim(` (${e.attempts} attempts)`) : ""}`,
      );
      break;
    case "canary_rolled_back":
      out(
        pc.yellow(
          `↩ canary rolled back: ${Object.entries(e.to)
            .map(([h, v]) => `${h} → ${v}`)
            .join(", ")}`,
        ),
      );
      break;
    case "tool_output":
      out(pc.dim(`--- ${e.step} (exit ${e.exit_code}${e.changes === undefined ? "" : e.changes ? ", changes pending" : ", no changes"})`));
      out(e.output.trimEnd());
      break;
    case "stage_finished":
      out((e.exit_code === 0 ? pc.green : pc.red)(`■ ${e.stage} in ${e.env}: ${e.result}${e.note ? ` (${e.note})` : ""}`));
      break;
    default:
      r.handle(e);
  }
}

const withPipeline = (cmd: Command) => cmd.option("-p, --pipeline <file>", "pipeline file (default ./pipeline.ts, or $BOSUN_PIPELINE)");
const runOptions = (cmd: Command) =>
  hostOptions(withPipeline(cmd))
    .option("--env <env>", "environment (default: the pipeline's first)")
    .option("-y, --yes", "confirm for environments that require it (required when not interactive)")
    .option("--no-typecheck", "skip type-checking the stage's site");

export function registerPipeline(program: Command): void {
  const pl = program.command("pipeline").description("numbered stages with typed inputs, checks, versions, canary and rollback");

  withPipeline(pl.command("list").description("the stages, their inputs and the environments"))
    .addOption(new Option("--json", "as JSON"))
    .action(async (o: { pipeline?: string; json?: boolean }) => {
      const p = await loadPipeline(pipelineFile(o));
      if (o.json)
        return out(
          JSON.stringify({
            name: p.name,
            environments: p.environments,
            stages: p.stages.map((s) => ({ id: s.id, kind: s.kind ?? "site", inputs: s.inputs ?? {} })),
          }),
        );
      out(
        pc.bold(`pipeline ${p.name}`) +
          pc.dim(
            `  environments: ${Object.entries(p.environments)
              .map(([n, e]) => `${n}${e.confirm ? " (confirm)" : ""}`)
              .join(", ")}`,
          ),
      );
      for (const s of p.stages) {
        const inputs = Object.entries(stageInputs(s)).map(([k, d]) => `${k}: ${d.kind}${d.default !== undefined ? ` = ${d.default}` : ""}`);
        out(
          `  ${pc.bold(s.id.padEnd(16))} ${(s.kind ?? "site").padEnd(5)} ${s.description ?? ""}${inputs.length ? pc.dim(`  [${inputs.join(", ")}]`) : ""}`,
        );
      }
    });

  runOptions(pl.command("run").description("run stages in order (a failing stage stops the rest)"))
    .argument("[stages...]", "stage ids or numbers (e.g. 6-app, or 6)")
    .option("--all", "every stage, in order")
    .option("--input <name=value>", "a stage input (repeatable)", collect, [])
    .option("--shard <k/n>", "only shard k of n of the selected hosts")
    .option("--plan", "tool stages: plan only and save the plan (exit 2 when changes are pending)")
    .option("--apply-plan", "tool stages: apply the plan saved by an earlier --plan")
    .action(async (ids: string[], o: PipelineCliOptions & { all?: boolean; plan?: boolean; applyPlan?: boolean }, cmd: Command) => {
      const p = await loadPipeline(pipelineFile(o));
      if (!o.all && ids.length === 0) throw new UsageError("pipeline run: name a stage (or --all)");
      const stages = o.all ? p.stages : ids.map((id) => findStage(p, id));
      const ctx = await pipelineContext(p, o, cmd);
      const r = await runStages(ctx, stages, {
        env: envName(p, o.env),
        inputs: parseInputPairs(o.input),
        shard: o.shard ? parseShard(o.shard) : undefined,
        planOnly: o.plan,
        applySaved: o.applyPlan,
      });
      process.exitCode = r.exitCode;
    });

  runOptions(pl.command("rollback").description("re-apply the last successful inputs before the current ones (or --to), then verify"))
    .argument("<stage>")
    .option("--to <version>", "the version to go back to")
    .action(async (id: string, o: PipelineCliOptions & { to?: string }, cmd: Command) => {
      const p = await loadPipeline(pipelineFile(o));
      process.exitCode = (await rollbackStage(await pipelineContext(p, o, cmd), findStage(p, id), envName(p, o.env), o.to)).exitCode;
    });

  runOptions(pl.command("promote").description("run a stage in one environment with the inputs that passed in another"))
    .argument("<stage>")
    .requiredOption("--from <env>", "environment whose last passing inputs are promoted")
    .requiredOption("--to <env>", "environment to run in")
    .action(async (id: string, o: PipelineCliOptions & { from: string; to: string }, cmd: Command) => {
      const p = await loadPipeline(pipelineFile(o));
      const ctx = await pipelineContext(p, o, cmd);
      process.exitCode = (await promoteStage(ctx, findStage(p, id), envName(p, o.from), envName(p, o.to))).exitCode;
    });

  withPipeline(pl.command("status").description("per environment, stage and host: version, inputs, when, by whom, result"))
    .option("--env <env>", "only this environment")
    .addOption(new Option("--json", "as JSON"))
    .action(async (o: { pipeline?: string; env?: string; json?: boolean }, cmd: Command) => {
      const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
      const p = await loadPipeline(pipelineFile(o));
      const rows = await statusRows(p, loaded.config.state_dir, o.env ? [envName(p, o.env)] : Object.keys(p.environments));
      if (o.json) return out(JSON.stringify(rows));
      if (rows.length === 0) return out("nothing recorded yet");
      for (const r of rows)
        out(
          `${r.env.padEnd(8)} ${r.stage.padEnd(16)} ${pc.bold(r.host.padEnd(10))} ${r.version.padEnd(10)} ${(r.result === "ok" ? pc.green : pc.yellow)(r.result.padEnd(12))} ${r.at}  ${r.by}  ${pc.dim(JSON.stringify(r.inputs))}`,
        );
    });

  withPipeline(pl.command("history").description("stage runs, oldest first"))
    .argument("[stage]")
    .option("--env <env>", "only this environment")
    .addOption(new Option("--json", "as JSON lines"))
    .action(async (id: string | undefined, o: { pipeline?: string; env?: string; json?: boolean }, cmd: Command) => {
      const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
      const p = await loadPipeline(pipelineFile(o));
      const runs = await historyRuns(
        p,
        loaded.config.state_dir,
        o.env ? [envName(p, o.env)] : Object.keys(p.environments),
        id ? findStage(p, id).id : undefined,
      );
      for (const r of runs)
        out(
          o.json
            ? JSON.stringify(r)
            : `${r.at}  ${r.env.padEnd(8)} ${r.stage.padEnd(16)} ${r.kind.padEnd(8)} ${r.version.padEnd(10)} ${(r.result === "ok" ? pc.green : pc.red)(r.result)}  ${r.by} via ${r.via}${r.note ? pc.dim(`  ${r.note}`) : ""}`,
        );
    });

  pl.command("recap")
    .description("markdown summary of `pipeline run --json` records (several files: shards merged into one)")
    .argument("<files...>")
    .action(async (files: string[]) => {
      process.stdout.write(recapMarkdown(await Promise.all(files.map(async (f) => parseEvents(await readFile(f, "utf8"))))));
    });
}
