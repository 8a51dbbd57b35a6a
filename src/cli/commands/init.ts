import { existsSync, readdirSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { bosunTypeEntries } from "../../util/module.js";
import { out } from "../render.js";
import { scaffold } from "../scaffold.js";

export function registerInit(program: Command): void {
  program
    .command("init")
    .description("create an infrastructure repository: site.ts, inventory.yml, bosun.toml, tsconfig.json, .gitignore")
    .argument("[dir]", "where (created when missing; must hold none of the files)", ".")
    .action(async (dir: string) => {
      const root = path.resolve(dir);
      if (existsSync(root) && !(await isDir(root))) throw new UsageError(`init ${dir}: exists and is not a directory`);
      const files = scaffold(bosunTypeEntries());
      const clash = Object.keys(files).filter((f) => existsSync(path.join(root, f)));
      if (clash.length) throw new UsageError(`init ${dir}: would overwrite ${clash.join(", ")}; nothing was written`);
      await mkdir(root, { recursive: true });
      for (const [name, text] of Object.entries(files)) await writeFile(path.join(root, name), text, { flag: "wx" });
      out(`created ${Object.keys(files).join(", ")} in ${root}`);
      out("next: edit inventory.yml, then `bosun plan site.ts`");
    });
}

async function isDir(p: string): Promise<boolean> {
  try {
    readdirSync(p);
    return true;
  } catch {
    return false;
  }
}
