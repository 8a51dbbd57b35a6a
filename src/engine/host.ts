import type { FactRequest, OpPlan } from "../core/operation.js";
import { RemoteCommandError } from "../errors.js";
import { HOST_FACT_COMMANDS, type HostFacts, parseHostFacts } from "../facts/host.js";
import { batchScript, splitSections } from "../facts/sections.js";
import type { Transport } from "../transport/types.js";
import { type Evaluated, type EvaluateInput, evaluatePlay, lazyFacts, NeedHostFacts } from "./evaluate.js";
import { type ApplyOutcome, buildApplyScript, parseApplyOutput } from "./script.js";

export interface PlannedHost {
  evaluated: Evaluated;
  facts: HostFacts;
  plans: OpPlan[];
}

/** Runs a generated script on the host through `sh -s` (script on stdin, never on the command line). */
function runScript(t: Transport, script: string, become: boolean | undefined) {
  return t.exec("sh -s", { stdin: script, become });
}

/** Returns the host facts (one exec). */
async function gatherHostFacts(t: Transport, become?: boolean): Promise<HostFacts> {
  return (await gatherOpFacts(t, [], become)).host;
}

/** Tracks whether a role read any fact, so cached facts can be re-checked against fresh ones. */
function trackedFacts(facts: HostFacts, onRead: () => void): HostFacts {
  return new Proxy(facts, {
    get(target, prop, recv) {
      if (typeof prop === "string") onRead();
      return Reflect.get(target, prop, recv);
    },
  });
}

/**
 * Evaluates the play's roles for the host and plans every op from facts gathered in ONE exec
 * (host facts included, refreshing the cache). Costs a second exec only when roles read facts
 * that were not cached yet, or when fresh facts made the roles declare ops needing other facts.
 */
export async function planHost(
  t: Transport,
  input: Omit<EvaluateInput, "facts">,
  cached: HostFacts | undefined,
  become?: boolean,
): Promise<PlannedHost> {
  let readFacts = false;
  let evaluated: Evaluated;
  let facts = cached;
  try {
    evaluated = evaluatePlay({ ...input, facts: cached ? trackedFacts(cached, () => (readFacts = true)) : lazyFacts() });
  } catch (err) {
    if (!(err instanceof NeedHostFacts)) throw err;
    facts = await gatherHostFacts(t, become);
    evaluated = evaluatePlay({ ...input, facts });
  }
  const results = await gatherOpFacts(t, uniqueRequests(evaluated), become);
  facts = results.host;
  if (readFacts && cached) {
    // Roles read cached facts: declare again with the fresh ones; gather whatever new facts that needs.
    evaluated = evaluatePlay({ ...input, facts });
    const more = uniqueRequests(evaluated).filter((r) => !results.values.has(r.key));
    if (more.length > 0) {
      const extra = await gatherOpFacts(t, more, become);
      for (const [k, v] of extra.values) results.values.set(k, v);
    }
  }
  const lookup = {
    get<T>(req: FactRequest<T>): T {
      if (!results.values.has(req.key)) throw new Error(`fact ${req.key} was not gathered`);
      return results.values.get(req.key) as T;
    },
  };
  const plans = evaluated.ops.map((op) => {
    try {
      return op.plan(lookup);
    } catch (err) {
      throw new PlanError(op.kind, op.name, (err as Error).message, op.location);
    }
  });
  return { evaluated, facts: facts as HostFacts, plans };
}

/** An op could not be planned from its facts (e.g. a directory where a file should be). */
export class PlanError extends Error {
  constructor(
    readonly kind: string,
    readonly opName: string,
    message: string,
    readonly location?: string,
  ) {
    super(`${kind} ${opName}: ${message}${location ? ` (${location})` : ""}`);
  }
}

function uniqueRequests(e: Evaluated): FactRequest[] {
  const map = new Map<string, FactRequest>();
  for (const op of e.ops) for (const r of op.facts()) if (!map.has(r.key)) map.set(r.key, r);
  return [...map.values()];
}

/** Gathers host facts plus the given op facts in one exec; returns parsed values by key. */
async function gatherOpFacts(t: Transport, requests: FactRequest[], become?: boolean) {
  const sections: Record<string, string> = { ...HOST_FACT_COMMANDS };
  requests.forEach((r, i) => {
    sections[`f${i}`] = r.command;
  });
  const r = await runScript(t, batchScript(sections), become);
  if (r.code !== 0) throw new RemoteCommandError(t.host, "facts script", r.code, r.stderr);
  const parsed = splitSections(r.stdout);
  const values = new Map<string, unknown>();
  requests.forEach((req, i) => {
    const s = parsed[`f${i}`];
    if (!s) throw new Error(`fact ${req.key}: no output from the host (script cut short?)`);
    values.set(req.key, req.parse(s.output, s.rc));
  });
  return { host: parseHostFacts(r.stdout), values };
}

/** Applies every op of the plan (guarded) and the notified handlers in ONE exec; returns what happened. */
export async function applyHost(
  t: Transport,
  planned: PlannedHost,
  become?: boolean,
): Promise<ApplyOutcome & { code: number; stderr: string }> {
  const { script, token } = buildApplyScript(planned.evaluated.ops, planned.evaluated.handlers);
  const r = await runScript(t, script, become);
  const outcome = parseApplyOutput(r.stdout, token);
  if (r.code !== 0 && r.code !== 1) throw new RemoteCommandError(t.host, "apply script", r.code, r.stderr);
  return { ...outcome, code: r.code, stderr: r.stderr };
}
