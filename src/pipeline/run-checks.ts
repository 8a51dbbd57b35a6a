/**
 * Runs checks on hosts: host checks over the host's transport (the run's SSH connection), controller
 * checks through a local shell or a probe. Each check has a per-attempt timeout and retries; hosts are
 * checked in parallel.
 */
import type { Inventory } from "../inventory/model.js";
import { LocalTransport } from "../transport/local.js";
import { mapLimit, type TransportPool } from "../transport/pool.js";
import { type ConnectionSpec, connectionFromVars } from "../transport/spec.js";
import { sleep } from "../util/proc.js";
import { redact } from "../vault/redact.js";
import type { Check, CheckContext, Probes, Verdict } from "./checks.js";

export interface CheckResult {
  host: string;
  check: string;
  ok: boolean;
  attempts: number;
  error?: string;
}

export interface CheckRun {
  inventory: Inventory;
  pool: TransportPool;
  env: string;
  inputs: Record<string, unknown>;
  extraVars: Record<string, unknown>;
  probes: Probes;
  forks: number;
  specOverride?: (s: ConnectionSpec) => ConnectionSpec;
  /** Called once per finished check and host (the CLI prints it, the record keeps it). */
  onResult?: (r: CheckResult) => void;
}

const controller = new LocalTransport({
  name: "controller",
  connection: "local",
  address: "localhost",
  become: { enabled: false, user: "root" },
});

/** Returns every (host, check) result; a failed one carries what was expected and found, secrets masked. */
export async function runChecks(checks: readonly Check[], hosts: readonly string[], o: CheckRun): Promise<CheckResult[]> {
  if (checks.length === 0) return [];
  const perHost = await mapLimit(hosts, o.forks, async (host) => {
    const vars = o.inventory.varsFor(host, o.extraVars);
    const base = connectionFromVars(host, vars);
    const spec = o.specOverride ? o.specOverride(base) : base;
    const ctx: CheckContext = {
      host,
      address: spec.address,
      vars,
      inputs: o.inputs,
      env: o.env,
      spec,
      selection: hosts,
      groupHosts: (g) => (o.inventory.groups.has(g) ? o.inventory.groupHosts(g) : []),
      hostVars: (h) => o.inventory.varsFor(h, o.extraVars),
    };
    const results: CheckResult[] = [];
    for (const c of checks) {
      const r = await runOne(c, ctx, o);
      o.onResult?.(r);
      results.push(r);
    }
    return results;
  });
  return perHost.flat();
}

async function runOne(c: Check, ctx: CheckContext, o: CheckRun): Promise<CheckResult> {
  let verdict: Verdict = "not run";
  let attempts = 0;
  for (let i = 0; i <= c.retries; i++) {
    attempts++;
    if (i > 0) await sleep(c.intervalMs);
    verdict = await attempt(c, ctx, o).catch((err: Error) => err.message);
    if (verdict === undefined) break;
  }
  return { host: ctx.host, check: c.name, ok: verdict === undefined, attempts, ...(verdict ? { error: redact(verdict) } : {}) };
}

async function attempt(c: Check, ctx: CheckContext, o: CheckRun): Promise<Verdict> {
  if ("probe" in c) return withTimeout(c.probe(ctx, o.probes), c.timeoutMs, c.name);
  const t = c.on === "host" ? o.pool.get(ctx.spec) : controller;
  // The transport's own timeout kills the command; a check never runs with privilege escalation unless the host's become says so.
  const r = await t.exec(c.command(ctx), { timeoutMs: c.timeoutMs });
  return c.evaluate(r, ctx);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T | string> {
  return Promise.race([p, sleep(ms).then(() => `${what}: timed out after ${ms} ms`)]);
}

/** Returns a one-line summary of failed results ("web1: http …: expected …"). */
export function failures(results: readonly CheckResult[]): string[] {
  return results.filter((r) => !r.ok).map((r) => `${r.host}: ${r.check}: ${r.error}`);
}
