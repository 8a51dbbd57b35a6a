import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import pc from "picocolors";
import { runSite } from "../../engine/run-site.js";
import { UsageError } from "../../errors.js";
import { parseShard, type Shard } from "../../inventory/shard.js";
import { logger } from "../../log.js";
import { Store } from "../../store/runs.js";
import { promptHidden } from "../../util/prompt.js";
import { type GlobalOptions, parseExtraVars, setup, vaultKeys } from "../context.js";
import { listPlayHosts } from "../list-hosts.js";
import { type HostOptions, hostOptions, tagList } from "../options.js";
import { out, outJson } from "../render.js";
import { HumanRenderer } from "../render-run.js";

const log = logger("run");

interface RunCliOptions extends HostOptions {
  tags?: string;
  skipTags?: string;
  serial?: string;
  yes?: boolean;
  diff?: boolean;
  check?: boolean;
  detailedExitcode?: boolean;
  typecheck?: boolean;
  listHosts?: boolean;
  shard?: Shard;
}

/** Returns the comma-separated list of a flag; an empty one (`-t ''`) is kept so the run API refuses it. */
const list = (s?: string) => (s === undefined ? undefined : s.split(",").map((x) => x.trim()));

export function registerRun(program: Command): void {
  const common = (cmd: Command) =>
    hostOptions(cmd.argument("<site>", "site file (exports a deployment)"))
      .option("-t, --tags <tags>", "only operations with these tags (comma-separated)", tagList)
      .option("--skip-tags <tags>", "skip operations with these tags", tagList)
      .option("--serial <n>", "rolling batch size for every play: a number or a percentage like 30%")
      .option("--no-typecheck", "skip type-checking the site (done once per change of its files otherwise)")
      .option("--list-hosts", "print each play's hosts (and batches) and exit, without connecting")
      .option("--shard <k/n>", "only shard K of N of the selected hosts (a deterministic split, e.g. one CI job of N)", parseShard);

  common(program.command("plan").description("check mode: show per host what would change, with diffs; touches nothing"))
    .option("--detailed-exitcode", "exit 2 when changes are pending")
    .action(async (site: string, o: RunCliOptions, cmd: Command) => run("plan", site, o, cmd));

  common(program.command("apply").description("show the plan, ask for confirmation, then apply it"))
    .option("-y, --yes", "apply without asking (required when not interactive)")
    .option("--check", "same as `bosun plan`")
    .option("--diff", "show file diffs while applying")
    .option("--detailed-exitcode", "with --check: exit 2 when changes are pending")
    .action(async (site: string, o: RunCliOptions, cmd: Command) => run(o.check ? "plan" : "apply", site, o, cmd));
}

/** Renders a run of the run API: events as they come, SIGINT/SIGTERM as an abort (twice: stop now). */
async function run(mode: "plan" | "apply", site: string, o: RunCliOptions, cmd: Command): Promise<void> {
  const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
  if (o.listHosts) return listPlayHosts(loaded, site, o);
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !o.json;
  if (mode === "apply" && !o.yes && !interactive)
    throw new UsageError("apply: not interactive and no --yes: refusing to apply without confirmation");
  const keys = vaultKeys(loaded, o);
  const extraVars = await parseExtraVars(o.extraVars, keys);
  const password = o.askBecomePass ? await promptHidden("BECOME password: ") : undefined;
  const renderer = new HumanRenderer({ showDiff: Boolean(o.diff), mode });
  const stop = new AbortController();
  const kill = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      log.warn("interrupted again: cutting in-flight execs; the run is still recorded", { signal: sig });
      kill.abort();
    } else {
      log.warn("interrupted: stopping every host at its next operation boundary (again to stop now)", { signal: sig });
      stop.abort();
    }
  };
  // Listening until the record is written: a signal at any time ends the run recorded, never killed by default action.
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const handle = runSite({
      mode,
      site,
      inventory: o.inventory,
      config: loaded,
      vaultKeys: keys,
      limit: o.limit,
      shard: o.shard,
      tags: list(o.tags),
      skipTags: list(o.skipTags),
      extraVars,
      serial: o.serial,
      forks: o.forks,
      signal: stop.signal,
      killSignal: kill.signal,
      typecheck: o.typecheck,
      detailedExitCode: o.detailedExitcode,
      origin: { via: "cli" },
      ssh: {
        ...(o.connectTimeout !== undefined ? { connectTimeoutS: o.connectTimeout } : {}),
        ...(o.acceptNewHostKeys !== undefined ? { acceptNewHostKeys: o.acceptNewHostKeys } : {}),
      },
      connection: (s) => ({
        ...s,
        user: o.user ?? s.user,
        become: { enabled: o.become ?? s.become.enabled, user: o.becomeUser ?? s.become.user, password: password ?? s.become.password },
      }),
      confirm: mode === "apply" && !o.yes ? (play) => confirm(renderer, play) : undefined,
    });
    for await (const e of handle.events) {
      if (o.json) outJson(e);
      else renderer.handle(e);
    }
    const record = await handle.result;
    if (!o.json) out(pc.dim(`run ${record.id} recorded in ${new Store(loaded.config.state_dir).runsFile}`));
    process.exitCode = record.exitCode;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function confirm(renderer: HumanRenderer, play: string): Promise<boolean> {
  // The renderer reads events on its own turn: let it catch up with this play's plan first.
  await new Promise((r) => setImmediate(r));
  const planned = renderer.takePlanned();
  out(pc.bold(`\nPlan for ${play}:`));
  for (const [host, changes] of planned) renderer.printPlan(host, changes);
  renderer.restorePlanned(new Map());
  const total = [...planned.values()].reduce((n, c) => n + c.length, 0);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(
      `Apply ${total} change${total === 1 ? "" : "s"} on ${planned.size} host${planned.size === 1 ? "" : "s"}? [y/N] `,
    );
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
