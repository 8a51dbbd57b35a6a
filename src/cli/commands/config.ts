import type { Command } from "commander";
import { type GlobalOptions, isSecretName, setup } from "../context.js";
import { out, outJson } from "../render.js";

export function registerConfig(program: Command): void {
  program
    .command("config")
    .description("print the effective configuration with the source of each value")
    .option("--json", "as JSON")
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
      const rows = flatten(loaded.config as unknown as Record<string, unknown>).map(([k, v]) => ({
        key: k,
        value: isSecretName(k) ? "***" : v,
        source: loaded.sources[k] ?? "default",
      }));
      if (o.json) outJson(rows, 2);
      else for (const r of rows) out(`${r.key} = ${JSON.stringify(r.value)}  # ${r.source}`);
    });
}

function flatten(obj: Record<string, unknown>, at = ""): [string, unknown][] {
  return Object.entries(obj).flatMap(([k, v]) => {
    const key = at ? `${at}.${k}` : k;
    return v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0
      ? flatten(v as Record<string, unknown>, key)
      : [[key, v] as [string, unknown]];
  });
}
