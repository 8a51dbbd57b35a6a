import type { FactRequest, OpPlan } from "../core/operation.js";
import { ConnectionError, RemoteCommandError } from "../errors.js";
import { HOST_FACT_COMMANDS, HOST_FACT_INLINE, type HostFacts, parseHostFacts } from "../facts/host.js";
import type { Transport } from "../transport/types.js";
import { type Evaluated, type EvaluateInput, evaluatePlay, lazyFacts, NeedHostFacts } from "./evaluate.js";
import { factSections } from "./fact-batch.js";
import { batchScript, type Section, splitSections } from "./fact-script.js";
import { pendingRequest } from "./pending-fact.js";
import { type ApplyOutcome, buildApplyScript, parseApplyOutput, workDir } from "./script.js";

export { pendingRequest };

export interface PlannedHost {
  evaluated: Evaluated;
  facts: HostFacts;
  plans: OpPlan[];
  /** Handlers (indexes) an earlier, cut-off run notified and never ran: run by this apply. */
  resume: number[];
}

/** A facts exec that takes longer than this means a silent host (keepalives usually tell sooner). */
const FACTS_TIMEOUT_MS = 120_000;

/** Runs a generated script on the host through `sh -s` (script on stdin, never on the command line). */
function runScript(t: Transport, script: string, become: boolean | undefined, timeoutMs?: number) {
  return t.exec("sh -s", { stdin: script, become, timeoutMs });
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

/** Host facts and the values of fact requests by key, from one facts exec. */
export interface Gathered {
  host: HostFacts;
  values: Map<string, unknown>;
}

/**
 * Returns the host facts plus the values of requests. `plan` is the one gathering a plan needs
 * (where facts gathered ahead can stand in, see facts-ahead.ts); `extra` a follow-up for facts it
 * did not know it needed.
 */
export type GatherFacts = (requests: FactRequest[], kind: "plan" | "extra") => Promise<Gathered>;

/** Returns a GatherFacts that runs one facts exec on t per call. */
export function execGatherer(t: Transport, become?: boolean): GatherFacts {
  return async (requests) => {
    const raw = await gatherRaw(t, requests, become);
    return { host: raw.host, values: parseRequests(raw, requests) };
  };
}

/**
 * Evaluates the play's roles for the host and plans every op from facts gathered in ONE exec
 * (host facts included, refreshing the cache). Costs a second exec only when roles read facts
 * that were not cached yet, or when fresh facts made the roles declare ops needing other facts.
 */
export async function planHost(
  gather: GatherFacts,
  input: Omit<EvaluateInput, "facts">,
  cached: HostFacts | undefined,
  pendingKey?: string,
): Promise<PlannedHost> {
  let readFacts = false;
  let evaluated: Evaluated;
  let facts = cached;
  try {
    evaluated = evaluatePlay({ ...input, facts: cached ? trackedFacts(cached, () => (readFacts = true)) : lazyFacts() });
  } catch (err) {
    if (!(err instanceof NeedHostFacts)) throw err;
    facts = (await gather([], "extra")).host;
    evaluated = evaluatePlay({ ...input, facts });
  }
  const pending = pendingKey ? [pendingRequest(pendingKey)] : [];
  const results = await gather([...uniqueRequests(evaluated), ...pending], "plan");
  facts = results.host;
  if (readFacts && cached) {
    // Roles read cached facts: declare again with the fresh ones; gather whatever new facts that needs.
    evaluated = evaluatePlay({ ...input, facts });
    const more = uniqueRequests(evaluated).filter((r) => !results.values.has(r.key));
    if (more.length > 0) {
      const extra = await gather(more, "extra");
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
  const pendingNames = pendingKey ? (results.values.get(pendingRequest(pendingKey).key) as string[]) : [];
  const resume = evaluated.handlers.flatMap((h, i) => (pendingNames.includes(h.name) ? [i] : []));
  return { evaluated, facts: facts as HostFacts, plans, resume };
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

/** Returns the fact requests of the evaluated ops, one per key. */
export function uniqueRequests(e: Evaluated): FactRequest[] {
  return uniqueByKey(e.ops.flatMap((op) => op.facts()));
}

/** Returns one request per key, first seen first. */
export function uniqueByKey(requests: FactRequest[]): FactRequest[] {
  const m = new Map<string, FactRequest>();
  for (const r of requests) if (!m.has(r.key)) m.set(r.key, r);
  return [...m.values()];
}

/** What one facts exec returned: host facts, and each request's section by key (unparsed). */
export interface RawFacts {
  host: HostFacts;
  sections: Map<string, Section>;
}

/**
 * Gathers host facts plus the given requests in one exec: one section per key, or per batch kind
 * (fact-batch.ts). Requests a batch could not answer (a file changed while read) are gathered again
 * by their own commands, in a second exec.
 */
export async function gatherRaw(t: Transport, requests: FactRequest[], become?: boolean): Promise<RawFacts> {
  const plan = factSections(uniqueByKey(requests));
  const commands = { ...HOST_FACT_COMMANDS, ...plan.commands };
  const parsed = await runFactsScript(t, commands, new Set([...HOST_FACT_INLINE, ...plan.inline]), become);
  const { sections, missing } = plan.collect(parsed);
  if (missing.length > 0) {
    const again = factSections(missing.map((r) => ({ ...r, batch: undefined })));
    for (const [k, s] of again.collect(await runFactsScript(t, again.commands, again.inline, become)).sections) sections.set(k, s);
  }
  return { host: parseHostFacts(parsed), sections };
}

/** Runs one facts script of the given sections and returns its sections by name. */
async function runFactsScript(t: Transport, commands: Record<string, string>, inline: Set<string>, become?: boolean) {
  const r = await runScript(t, batchScript(commands, undefined, inline), become, FACTS_TIMEOUT_MS);
  if (r.code !== 0) throw new RemoteCommandError(t.host, "facts script", r.code, r.stderr);
  return splitSections(r.stdout);
}

/** Returns the parsed value of each request by key; throws when the host sent no section for one. */
export function parseRequests(raw: RawFacts, requests: FactRequest[]): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const req of requests) {
    const s = raw.sections.get(req.key);
    if (!s) throw new Error(`fact ${req.key}: no output from the host (script cut short?)`);
    values.set(req.key, req.parse(s.output, s.rc));
  }
  return values;
}

export interface ApplyHostOptions {
  become?: boolean;
  /** Keeps notified handlers in a host file until they ran (see buildApplyScript). */
  pendingKey?: string;
  /** Abort = stop the host's script at its next operation boundary. */
  signal?: AbortSignal;
}

/** The connection dropped during an apply: what the host reported before, for the record. */
export class ApplyCutError extends ConnectionError {
  constructor(
    host: string,
    message: string,
    readonly outcome: ApplyOutcome,
  ) {
    super(host, message, false);
  }
}

/**
 * Applies every op of the plan (guarded) and the notified handlers in ONE exec; returns what happened.
 * On abort, a second exec asks the script to stop before its next operation. A connection lost
 * mid-way throws ApplyCutError carrying what the host had reported.
 */
export async function applyHost(t: Transport, planned: PlannedHost, o: ApplyHostOptions = {}): Promise<ApplyOutcome> {
  const { script, token } = buildApplyScript(planned.evaluated.ops, planned.evaluated.handlers, {
    pendingKey: o.pendingKey,
    resume: planned.resume,
  });
  const requestStop = () => {
    t.exec(`touch ${workDir(token)}/stop 2>/dev/null; true`, { become: o.become, timeoutMs: 10_000 }).catch(() => {});
  };
  if (o.signal?.aborted) requestStop();
  else o.signal?.addEventListener("abort", requestStop, { once: true });
  try {
    const r = await runScript(t, script, o.become);
    const outcome = parseApplyOutput(r.stdout, token);
    if (r.code === 255 && !outcome.finished)
      throw new ApplyCutError(
        t.host,
        `connection lost during the apply (${r.stderr.trim().split("\n").at(-1) ?? "ssh exit 255"})`,
        outcome,
      );
    if (r.code !== 0 && r.code !== 1) throw new RemoteCommandError(t.host, "apply script", r.code, r.stderr);
    return outcome;
  } catch (err) {
    if (err instanceof ConnectionError && !(err instanceof ApplyCutError))
      throw new ApplyCutError(t.host, err.message.replace(`${t.host}: `, ""), parseApplyOutput(err.partialStdout ?? "", token));
    throw err;
  } finally {
    o.signal?.removeEventListener("abort", requestStop);
  }
}
