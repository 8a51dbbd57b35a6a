import type { Command } from "commander";
import pc from "picocolors";
import { exitCodeOf, forEachHost } from "../../engine/adhoc.js";
import type { ExecResult } from "../../transport/types.js";
import { type GlobalOptions, setup } from "../context.js";
import { listPatternHosts } from "../list-hosts.js";
import { type HostOptions, hostOptions, positiveSeconds } from "../options.js";
import { out, outJson, seconds, statusText, summaryLine } from "../render.js";
import { openTargets } from "../targets.js";

export function registerExec(program: Command): void {
  hostOptions(
    program
      .command("exec")
      .description("run an ad-hoc shell command on the hosts matching PATTERN, in parallel")
      .argument("<pattern>", "host pattern: names, groups, globs, a:b, a:&b, a:!b")
      .argument("<command...>", "the command (put it after --)"),
  )
    .option("--timeout <s>", "fail a host whose command runs longer (seconds)", positiveSeconds)
    .option("--list-hosts", "print the hosts PATTERN selects and exit, without connecting")
    .action(async (pattern: string, words: string[], o: HostOptions & { timeout?: number; listHosts?: boolean }, cmd: Command) => {
      const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
      if (o.listHosts) return listPatternHosts(loaded, pattern, o);
      const command = words.join(" ");
      const t = await openTargets(loaded, pattern, o);
      const start = Date.now();
      try {
        const outcomes = await forEachHost<ExecResult>(
          t.specs,
          t.pool,
          t.forks,
          async (tr) => {
            const r = await tr.exec(command, { timeoutMs: o.timeout ? o.timeout * 1000 : undefined });
            return { value: r, failed: r.code !== 0 };
          },
          o.json ? undefined : printHost,
        );
        if (o.json) {
          outJson(
            Object.fromEntries(
              outcomes.map((x) => [
                x.host,
                {
                  status: x.status,
                  rc: x.value?.code,
                  stdout: x.value?.stdout,
                  stderr: x.value?.stderr,
                  error: x.error,
                  duration_ms: x.durationMs,
                },
              ]),
            ),
          );
        } else out(summaryLine(outcomes, Date.now() - start));
        process.exitCode = exitCodeOf(outcomes);
      } finally {
        await t.pool.closeAll();
      }
    });
}

function printHost(o: {
  host: string;
  address: string;
  status: "ok" | "failed" | "unreachable";
  value?: ExecResult;
  error?: string;
  durationMs: number;
}): void {
  const rc = o.value ? ` rc=${o.value.code}` : "";
  out(`${pc.bold(o.host)} ${pc.dim(`(${o.address})`)} ${statusText(o.status)}${rc} ${pc.dim(seconds(o.durationMs))}`);
  if (o.value?.stdout) out(indent(o.value.stdout));
  if (o.value?.stderr) out(pc.yellow(indent(o.value.stderr)));
  if (o.value?.truncated) out(pc.yellow("  (output truncated)"));
  if (o.error) out(pc.red(indent(o.error)));
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
