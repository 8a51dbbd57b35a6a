import type { Command } from "commander";
import pc from "picocolors";
import { UsageError } from "../../errors.js";
import { Store } from "../../store/runs.js";
import { type GlobalOptions, setup } from "../context.js";
import { out, outJson } from "../render.js";

export function registerRuns(program: Command): void {
  const runs = program
    .command("runs")
    .description("list recorded plan/apply runs (newest last)")
    .option("-n <count>", "how many", (v) => Number(v), 20)
    .option("--json", "as JSON lines")
    .action(async (o: { n: number; json?: boolean }, cmd: Command) => {
      const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
      const all = (await new Store(loaded.config.state_dir).runs()).slice(-o.n);
      for (const r of all) {
        if (o.json) {
          outJson(r);
          continue;
        }
        const hosts = Object.values(r.hosts);
        const changed = hosts.reduce((n, h) => n + h.changed, 0);
        const failed = hosts.filter((h) => h.status === "failed" || h.status === "unreachable").length;
        const mark = r.exitCode === 0 || r.exitCode === 2 ? pc.green("✓") : pc.red("✗");
        out(
          `${mark} ${r.id.slice(0, 8)}  ${r.started}  ${r.mode.padEnd(5)}  ${r.deployment}  ${r.kind === "tool" || r.kind === "test" ? `${r.kind} stage${r.note ? `: ${r.note}` : ""}` : `${hosts.length} hosts, ${changed} changed, ${failed} failed`}  exit ${r.exitCode}${r.interrupted ? " (interrupted)" : ""}${r.commit ? pc.dim(`  ${r.commit.slice(0, 10)}`) : ""}`,
        );
      }
    });
  runs
    .command("show")
    .description("show one run (id or its first characters)")
    .argument("<id>")
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
      const matches = (await new Store(loaded.config.state_dir).runs()).filter((r) => r.id.startsWith(id));
      if (matches.length !== 1) throw new UsageError(matches.length ? `run id "${id}" is ambiguous` : `no run "${id}"`);
      outJson(matches[0], 2);
    });
}
