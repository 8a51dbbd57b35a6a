/**
 * What the engine does for a host around its apply exec, beyond running the script: values ops send
 * back for the vault (planned, then stored), and the fresh-connection check of ops that can lock the
 * operator out (ufw). Both take the host's outcome and amend it, so play.ts only calls them.
 */
import path from "node:path";
import type { RunEvent } from "../core/events.js";
import { type Operation, opId } from "../core/operation.js";
import type { TransportPool } from "../transport/pool.js";
import type { ConnectionSpec } from "../transport/spec.js";
import type { Secret } from "../vault/secret.js";
import { checkVaultOutput, type VaultWriteBack } from "../vault/write-back.js";
import type { PlannedHost } from "./host.js";
import type { HostOutcome } from "./outcome.js";
import type { ApplyOutcome } from "./script-output.js";

/** A vault output of an op, its file resolved. */
interface Output {
  op: Operation;
  index: number | null;
  file: string;
  key: string;
}

/** Returns every vault output of the host's ops (play ops with their index, handler ops with null); throws on a bad or doubled one. */
export function vaultOutputs(p: PlannedHost, siteDir: string): Output[] {
  const all: Output[] = [];
  const add = (op: Operation, index: number | null) => {
    for (const o of op.vaultOutputs ?? []) {
      const bad = checkVaultOutput(o.file, o.key);
      if (bad) throw new Error(`${opId(op)}: ${bad}${op.location ? ` (${op.location})` : ""}`);
      const file = path.resolve(siteDir, o.file);
      const twice = all.find((x) => x.key === o.key);
      if (twice) throw new Error(`${opId(op)}: vault key ${o.key} is also written by ${opId(twice.op)} on this host`);
      all.push({ op, index, file, key: o.key });
    }
  };
  for (const [i, op] of p.evaluated.ops.entries()) add(op, i);
  for (const h of p.evaluated.handlers) for (const op of h.ops) add(op, null);
  return all;
}

/**
 * Marks ops whose vault key is not in its vault file yet as changed ("store KEY in FILE"): their
 * fragment sends the value whenever it runs, so an apply brings back a value that was created on the
 * host before but never stored (a first run that failed to write the vault, a vault file reset).
 */
export async function planVaultOutputs(p: PlannedHost, siteDir: string, vault: VaultWriteBack): Promise<void> {
  for (const o of vaultOutputs(p, siteDir)) {
    if (o.index === null || (await vault.has(o.file, o.key))) continue;
    const plan = p.plans[o.index];
    if (!plan) continue;
    const store = `store ${o.key} in ${path.relative(siteDir, o.file) || o.file}`;
    p.plans[o.index] = { ...plan, changed: true, summary: plan.changed ? `${plan.summary}, ${store}` : store };
  }
}

/**
 * Stores the values the host sent back, emitting `secret_stored` for each new or changed key (the
 * record keeps only that). A value no op declared, or one the vault cannot take, fails the host
 * with an error naming the file; the value itself is never shown.
 */
export async function storeVaultOutputs(
  play: string,
  host: string,
  p: PlannedHost,
  outcome: ApplyOutcome,
  r: HostOutcome,
  siteDir: string,
  vault: VaultWriteBack,
): Promise<void> {
  if (!outcome.secrets?.length) return;
  const outputs = vaultOutputs(p, siteDir);
  const byFile = new Map<string, { op: Operation; values: Map<string, Secret> }>();
  const fail = (op: string, error: string) => {
    r.events.push({ type: "op_failed", play, host, index: null, op, error });
    r.counts.failed++;
    r.status = "failed";
  };
  for (const s of outcome.secrets) {
    const o = outputs.find((x) => x.key === s.key);
    if (!o) {
      fail("(vault)", `the host sent back a value for ${s.key}, which no operation declared as a vault output; it was not stored`);
      continue;
    }
    const entry = byFile.get(o.file) ?? { op: o.op, values: new Map() };
    entry.values.set(s.key, s.value);
    byFile.set(o.file, entry);
  }
  for (const [file, { op, values }] of byFile) {
    try {
      for (const key of await vault.store(file, values)) r.events.push({ type: "secret_stored", play, host, op: opId(op), file, key });
    } catch (err) {
      fail(
        opId(op),
        `${[...values.keys()].join(", ")} came back from the host but could not be stored: ${(err as Error).message} (the vault file is unchanged)`,
      );
    }
  }
}

/** How long the fresh connection of a guard may take to run `true`, connecting included. */
const FRESH_TIMEOUT_MS = 30_000;

/**
 * For ops with a connection guard that changed: opens a NEW connection to the host (a pool of its own,
 * so no multiplexed master is reused) and runs `true`. When that fails, runs each guard's rollback
 * through the run's still-open connection and turns the op into a failure naming the host.
 */
export async function checkConnectionGuards(
  play: string,
  host: string,
  p: PlannedHost,
  outcome: ApplyOutcome,
  r: HostOutcome,
  io: { spec: ConnectionSpec; freshPool: () => Promise<TransportPool>; open: TransportPool; become?: boolean },
): Promise<void> {
  const guarded = p.evaluated.ops.flatMap((op, i) => {
    const step = outcome.steps.find((s) => !("handler" in s) && s.op === i);
    return op.connectionGuard && step?.status === "changed" ? [{ op, i, guard: op.connectionGuard }] : [];
  });
  if (guarded.length === 0 || io.spec.connection === "local") return;
  const why = await freshConnectionFails(io.spec, io.freshPool);
  if (why === undefined) return;
  for (const { op, i, guard } of guarded) {
    const id = opId(op);
    let undone = guard.undone;
    try {
      const rb = await io.open.get(io.spec).exec(guard.rollback, { become: io.become, timeoutMs: FRESH_TIMEOUT_MS });
      if (rb.code !== 0) undone = `the rollback failed too (exit ${rb.code}: ${rb.stderr.trim().split("\n").at(-1) ?? ""})`;
    } catch (err) {
      undone = `the rollback could not run either (${(err as Error).message})`;
    }
    const error = `${host}: a new SSH connection failed after this change (${why}); ${undone}`;
    const at = r.events.findIndex((e) => e.type === "op_changed" && e.index === i);
    const failed: RunEvent = { type: "op_failed", play, host, index: i, op: id, error };
    if (at >= 0) {
      r.events[at] = failed;
      r.counts.changed--;
      r.changedOps = r.changedOps.filter((c) => c !== id);
    } else r.events.push(failed);
    r.counts.failed++;
  }
  r.status = "failed";
}

/** Returns why a fresh connection to the host cannot run `true`, or undefined when it can. */
async function freshConnectionFails(spec: ConnectionSpec, freshPool: () => Promise<TransportPool>): Promise<string | undefined> {
  const pool = await freshPool();
  try {
    const res = await pool.get(spec).exec("true", { timeoutMs: FRESH_TIMEOUT_MS });
    return res.code === 0 ? undefined : `\`true\` exited ${res.code}`;
  } catch (err) {
    return (err as Error).message.replace(`${spec.name}: `, "");
  } finally {
    await pool.closeAll();
  }
}
