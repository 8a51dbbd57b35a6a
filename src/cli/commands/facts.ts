import type { Command } from "commander";
import pc from "picocolors";
import { exitCodeOf, forEachHost } from "../../engine/adhoc.js";
import { hostFactsFromOutput, hostFactsScript } from "../../engine/fact-script.js";
import type { HostFacts } from "../../facts/host.js";
import { type GlobalOptions, setup } from "../context.js";
import { type HostOptions, hostOptions } from "../options.js";
import { out, statusText, summaryLine } from "../render.js";
import { openTargets } from "../targets.js";

export function registerFacts(program: Command): void {
  hostOptions(
    program
      .command("facts")
      .description("gather facts (OS, kernel, CPUs, memory, addresses, …) from hosts, one remote exec each")
      .argument("[pattern]", "host pattern", "all"),
  ).action(async (pattern: string, o: HostOptions, cmd: Command) => {
    const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
    const t = await openTargets(loaded, pattern, o);
    const start = Date.now();
    const script = hostFactsScript();
    try {
      const outcomes = await forEachHost<HostFacts>(t.specs, t.pool, t.forks, async (tr) => {
        const r = await tr.exec(script);
        if (r.code !== 0) throw new Error(`facts script exited ${r.code}: ${r.stderr.trim()}`);
        return { value: hostFactsFromOutput(r.stdout) };
      });
      if (o.json) {
        out(
          JSON.stringify(
            Object.fromEntries(
              outcomes.map((x) => [x.host, x.status === "ok" ? { status: "ok", facts: x.value } : { status: x.status, error: x.error }]),
            ),
            null,
            2,
          ),
        );
      } else {
        for (const x of outcomes) {
          if (x.value) out(factsLine(x.host, x.value));
          else out(`${pc.bold(x.host)} ${statusText(x.status)} ${pc.red(x.error ?? "")}`);
        }
        out(summaryLine(outcomes, Date.now() - start));
      }
      process.exitCode = exitCodeOf(outcomes);
    } finally {
      await t.pool.closeAll();
    }
  });
}

function factsLine(host: string, f: HostFacts): string {
  const addrs = f.addresses
    .filter((a) => a.family === "inet")
    .map((a) => a.address)
    .join(",");
  return [
    pc.bold(host),
    `${f.distribution.name} ${f.distribution.version} (${f.distribution.codename})`,
    `kernel ${f.kernel}`,
    f.architecture,
    `${f.cpus} cpu`,
    `${f.memory.totalMiB} MiB`,
    `init ${f.initSystem}`,
    `pkg ${f.packageManager ?? "none"}`,
    `hostname ${f.hostname}`,
    `ip ${addrs || "-"}`,
  ].join("  ");
}
