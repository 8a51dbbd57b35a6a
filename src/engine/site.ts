import { existsSync } from "node:fs";
import path from "node:path";
import { SiteError } from "../errors.js";
import { importUserModule } from "../util/module.js";
import { type Deployment, isDeployment } from "./declare.js";

/** Returns the deployment a site file exports as default; errors name the file (and line when known). */
export async function loadSite(file: string): Promise<Deployment> {
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new SiteError({ file: abs }, "site file not found");
  const mod = (await importUserModule(abs, (loc, msg) => new SiteError(loc, msg))) as { default?: unknown };
  if (!isDeployment(mod.default)) {
    throw new SiteError({ file: abs }, 'expected `export default deploy("name", [plays…])` (import { deploy } from "bosun")');
  }
  for (const [i, play] of mod.default.plays.entries()) {
    if (typeof play.hosts !== "string" || play.hosts.trim() === "")
      throw new SiteError({ file: abs }, `play ${i + 1}: hosts must be a host pattern`);
    if (!Array.isArray(play.roles)) throw new SiteError({ file: abs }, `play ${i + 1}: roles must be a list`);
    play.roles.forEach((r, j) => {
      if (!r || typeof r !== "object" || !("role" in r)) {
        throw new SiteError({ file: abs }, `play ${i + 1}: role ${j + 1} is not a role use (call the role: common({...}))`);
      }
    });
  }
  return mod.default;
}
