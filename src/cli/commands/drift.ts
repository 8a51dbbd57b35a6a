import path from "node:path";
import type { Command } from "commander";
import pc from "picocolors";
import { isDeployment } from "../../engine/declare.js";
import { SiteError } from "../../errors.js";
import { selectHosts } from "../../inventory/patterns.js";
import { parseShard, shardHosts } from "../../inventory/shard.js";
import { logger } from "../../log.js";
import { isPipeline } from "../../pipeline/define.js";
import { type DriftReport, driftExitCode, notifyDrift, pipelineDrift, planDrift } from "../../pipeline/drift.js";
import { envName } from "../../pipeline/load.js";
import { importUserModule } from "../../util/module.js";
import { hostOptions } from "../options.js";
import { out } from "../render.js";
import { HumanRenderer } from "../render-run.js";
import { type PipelineCliOptions, pipelineContext, pipelineFile } from "./pipeline.js";

const log = logger("drift");

interface DriftCliOptions extends PipelineCliOptions {
  notify?: string;
  stage?: string[];
}

export function registerDrift(program: Command): void {
  hostOptions(program.command("drift").description("plan every stage with its last applied inputs (or a site as is); exit 2 when drifted"))
    .argument("[target]", "pipeline or site file (default ./pipeline.ts, or $BOSUN_PIPELINE)")
    .option("--env <env>", "pipeline environment (default: the pipeline's first)")
    .option("--stage <id>", "only this stage (repeatable)", (v: string, prev: string[] = []) => [...prev, v])
    .option("--shard <k/n>", "only shard k of n of the hosts")
    .option("--notify <url>", "POST a JSON summary to this webhook when drifted")
    .option("--no-typecheck", "skip type-checking the sites")
    .action(async (target: string | undefined, o: DriftCliOptions, cmd: Command) => {
      const file = path.resolve(target ?? pipelineFile(o));
      const mod = (await importUserModule(file, (loc, msg) => new SiteError(loc, msg))) as { default?: unknown };
      const shard = o.shard ? parseShard(o.shard) : undefined;
      let report: DriftReport;
      if (isPipeline(mod.default)) {
        const p = { ...mod.default, file };
        const ctx = await pipelineContext(p, { ...o, json: true }, cmd);
        report = await pipelineDrift({ ...ctx, emit: () => {} }, envName(p, o.env), o.stage, shard);
      } else if (isDeployment(mod.default)) {
        const ctx = await pipelineContext(
          { name: mod.default.name, stages: [], environments: {}, defaultEnv: "", file } as never,
          { ...o, json: true },
          cmd,
        );
        // -i is relative to the current directory here (the site's own inventory), as for `bosun plan`.
        const ref =
          o.inventory && o.inventory !== "lab" && !ctx.config.config.inventories[o.inventory] ? path.resolve(o.inventory) : o.inventory;
        let hosts: string[] | undefined;
        if (o.limit || shard) {
          const inventory = await ctx.loadInventory(ref ?? ctx.config.config.inventory ?? "inventory.yml");
          const selected = o.limit ? selectHosts(inventory, o.limit) : [...inventory.hosts.keys()];
          hosts = shard ? shardHosts(selected, shard) : selected;
        }
        const d = await planDrift({
          ...ctx,
          site: file,
          inventory: ref,
          hosts,
          extraVars: ctx.extraVars,
          lockKey: `site/${mod.default.name}`,
          origin: { via: ctx.via, by: ctx.by, commit: ctx.commit },
        });
        report = {
          name: mod.default.name,
          at: new Date().toISOString(),
          drifted: Object.keys(d.hosts).length > 0,
          stages: [{ stage: "site", ...d }],
        };
      } else throw new SiteError({ file }, "expected a pipeline or a site (a default export of pipeline(…) or deploy(…))");
      if (o.json) out(JSON.stringify(report));
      else print(report);
      if (o.notify && report.drifted) {
        const status = await notifyDrift(o.notify, report).catch((err: Error) => err.message);
        if (status !== 200 && status !== 201 && status !== 202 && status !== 204)
          log.warn("drift webhook failed", { status: String(status) });
      }
      process.exitCode = driftExitCode(report);
    });
}

function print(r: DriftReport): void {
  for (const s of r.stages) {
    for (const [host, changes] of Object.entries(s.hosts)) {
      new HumanRenderer({ showDiff: true, mode: "plan" }).printPlan(`${s.stage}${s.version ? ` (${s.version})` : ""} ${host}`, changes);
    }
    for (const [host, err] of Object.entries(s.errors)) out(pc.red(`${s.stage} ${host}: ${err}`));
  }
  const hosts = new Set(r.stages.flatMap((s) => Object.keys(s.hosts)));
  out(
    r.drifted ? pc.yellow(`drift on ${hosts.size} host${hosts.size === 1 ? "" : "s"}`) : pc.green(`no drift${r.env ? ` in ${r.env}` : ""}`),
  );
}
