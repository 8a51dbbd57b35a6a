import { existsSync } from "node:fs";
import path from "node:path";
import { SiteError, UsageError } from "../errors.js";
import { importUserModule } from "../util/module.js";
import { isPipeline, type Pipeline, type Stage } from "./define.js";

/** Returns the pipeline a file exports as default, with its absolute path; errors name the file. */
export async function loadPipeline(file: string): Promise<Pipeline> {
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new SiteError({ file: abs }, "pipeline file not found");
  const mod = (await importUserModule(abs, (loc, msg) => new SiteError(loc, msg))) as { default?: unknown };
  if (!isPipeline(mod.default))
    throw new SiteError(
      { file: abs },
      'expected `export default pipeline("name", [stages…], { environments })` (import { pipeline } from "bosun")',
    );
  return { ...mod.default, file: abs };
}

/** Returns the stage named by id ("6-app") or by its number ("6"); a UsageError lists the stages otherwise. */
export function findStage(p: Pipeline, ref: string): Stage {
  const s = p.stages.find((x) => x.id === ref || x.id.split("-")[0] === ref);
  if (!s) throw new UsageError(`pipeline ${p.name}: no stage "${ref}" (stages: ${p.stages.map((x) => x.id).join(", ")})`);
  return s;
}

/** Returns the environment name, checked against the pipeline's environments. */
export function envName(p: Pipeline, env: string | undefined): string {
  const name = env ?? p.defaultEnv;
  if (!p.environments[name])
    throw new UsageError(`pipeline ${p.name}: no environment "${name}" (environments: ${Object.keys(p.environments).join(", ")})`);
  return name;
}

/** Returns a path of the pipeline relative to its file's directory, absolute. */
export function fromPipeline(p: Pipeline, rel: string): string {
  return path.resolve(path.dirname(p.file ?? "."), rel);
}
