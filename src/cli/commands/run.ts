import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import pc from "picocolors";
import type { RunEvent } from "../../core/events.js";
import { type RunResult, runDeployment } from "../../engine/run.js";
import { loadSite } from "../../engine/site.js";
import { typecheckSite } from "../../engine/typecheck.js";
import { UsageError } from "../../errors.js";
import type { HostFacts } from "../../facts/host.js";
import { logger } from "../../log.js";
import { type RunRecord, Store } from "../../store/runs.js";
import { TransportPool } from "../../transport/pool.js";
import { type GlobalOptions, parseExtraVars, resolveInventory, setup, vaultKeys } from "../context.js";
import { listPlayHosts } from "../list-hosts.js";
import { type HostOptions, hostOptions, tagList } from "../options.js";
import { promptHidden } from "../prompt.js";
import { out } from "../render.js";
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
}

const list = (s?: string) =>
  s
    ? s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;

export function registerRun(program: Command): void {
  const common = (cmd: Command) =>
    hostOptions(cmd.argument("<site>", "site file (exports a deployment)"))
      .option("-t, --tags <tags>", "only operations with these tags (comma-separated)", tagList)
      .option("--skip-tags <tags>", "skip operations with these tags", tagList)
      .option("--serial <n>", "rolling batch size for every play: a number or a percentage like 30%")
      .option("--no-typecheck", "skip type-checking the site (done once per change of its files otherwise)")
      .option("--list-hosts", "print each play's hosts (and batches) and exit, without connecting");

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

async function run(mode: "plan" | "apply", site: string, o: RunCliOptions, cmd: Command): Promise<void> {
  const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
  if (o.listHosts) return listPlayHosts(loaded, site, o);
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !o.json;
  if (mode === "apply" && !o.yes && !interactive)
    throw new UsageError("apply: not interactive and no --yes: refusing to apply without confirmation");
  // Everything that can fail before touching a host fails here: site, inventory, vars, patterns.
  const store = new Store(loaded.config.state_dir);
  if (o.typecheck !== false) await typecheckSite(site, path.join(loaded.config.state_dir, "typecheck.json"));
  const dep = await loadSite(site);
  const keys = vaultKeys(loaded, o);
  const inventory = await resolveInventory(loaded, o.inventory, keys);
  const extraVars = await parseExtraVars(o.extraVars, keys);
  const password = o.askBecomePass ? await promptHidden("BECOME password: ") : undefined;
  const factCache = new Map(Object.entries(await store.readFacts<HostFacts>()));
  const pool = await TransportPool.create({
    connectTimeoutS: o.connectTimeout ?? loaded.config.ssh.connect_timeout,
    acceptNewHostKeys: o.acceptNewHostKeys ?? loaded.config.ssh.accept_new_host_keys,
    controlPersistS: loaded.config.ssh.control_persist,
    retries: loaded.config.ssh.retries,
  });
  const renderer = new HumanRenderer({ showDiff: Boolean(o.diff), mode });
  const emit = (e: RunEvent) => (o.json ? out(JSON.stringify(e)) : renderer.handle(e));
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(130);
    log.warn("interrupted: starting nothing new, letting in-flight execs finish (again to quit now)", { signal: sig });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const started = new Date();
  let result: RunResult | undefined;
  try {
    result = await runDeployment(dep, {
      mode,
      site: path.resolve(site),
      inventory,
      limit: o.limit,
      filter: { tags: list(o.tags), skipTags: list(o.skipTags) },
      extraVars,
      forks: o.forks ?? loaded.config.forks,
      serial: o.serial,
      pool,
      factCache,
      specOverride: (s) => ({
        ...s,
        user: o.user ?? s.user,
        become: { enabled: o.become ?? s.become.enabled, user: o.becomeUser ?? s.become.user, password: password ?? s.become.password },
      }),
      confirm: mode === "apply" && !o.yes ? (play) => confirm(renderer, play) : undefined,
      emit,
      interrupted: () => signals > 0,
      detailedExitCode: o.detailedExitcode,
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await pool.closeAll();
  }
  await store.writeFacts(Object.fromEntries(factCache));
  const record = toRecord(result, mode, started, site, dep.name, inventory.source, o);
  await store.appendRun(record);
  await store.updateState(record);
  if (!o.json) out(pc.dim(`run ${result.id} recorded in ${store.runsFile}`));
  process.exitCode = result.exitCode;
}

async function confirm(renderer: HumanRenderer, play: string): Promise<boolean> {
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

function gitCommit(site: string): string | undefined {
  try {
    return (
      execFileSync("git", ["-C", path.dirname(path.resolve(site)), "rev-parse", "HEAD"], { stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .trim() || undefined
    );
  } catch {
    return undefined;
  }
}

function toRecord(
  r: RunResult,
  mode: "plan" | "apply",
  started: Date,
  site: string,
  deployment: string,
  inventory: string,
  o: RunCliOptions,
): RunRecord {
  const hosts: RunRecord["hosts"] = {};
  for (const [h, c] of Object.entries(r.hosts)) hosts[h] = { ...c, status: r.status[h] ?? "skipped", changedOps: r.changedOps[h] ?? [] };
  return {
    id: r.id,
    mode,
    user: os.userInfo().username,
    started: started.toISOString(),
    ended: new Date().toISOString(),
    site: path.resolve(site),
    deployment,
    inventory,
    limit: o.limit,
    tags: list(o.tags),
    skipTags: list(o.skipTags),
    commit: gitCommit(site),
    hosts,
    exitCode: r.exitCode,
    interrupted: r.interrupted,
    aborted: r.aborted,
  };
}
