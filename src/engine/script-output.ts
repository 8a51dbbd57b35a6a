import { Secret } from "../vault/secret.js";

/**
 * The apply script's output, typed: marker lines on its stdout say what each step did. A step is
 * an op of the play (`{ op }`) or an op of a handler run (`{ handler, op, flushAt }`, flushAt the
 * flush_handlers op it ran at, null for the end of the play).
 */
export type StepId = { op: number } | { handler: number; op: number; flushAt: number | null };

export type StepResult = StepId & {
  status: "changed" | "ok" | "failed";
  rc?: number;
  /** Last lines of the step's output, when it failed. */
  output?: string;
};

export interface HandlerRun {
  handler: number;
  flushAt: number | null;
}

export interface ApplyOutcome {
  steps: StepResult[];
  /** Handler runs, in order. */
  handlerRuns: HandlerRun[];
  /** The op the script stopped before (a stop request), if it did. */
  stoppedBefore?: number;
  /** True when the script reached its end (false: cut off, e.g. a dropped connection). */
  finished: boolean;
  /** Values ops sent back for the vault (`__secret`), wrapped as Secrets as soon as they are read. */
  secrets?: { key: string; value: Secret }[];
}

export const markerOf = (token: string) => `@@bosun-${token}`;

/** Returns the marker text of a step: "o.3", or "h.1.0.5" / "h.1.0.-" for handler 1's first op at flush 5 / the end. */
export function stepKey(s: StepId): string {
  return "handler" in s ? `h.${s.handler}.${s.op}.${s.flushAt ?? "-"}` : `o.${s.op}`;
}

function parseStepKey(key: string): StepId | undefined {
  const p = key.split(".");
  if (p[0] === "o" && p.length === 2) return { op: Number(p[1]) };
  if (p[0] === "h" && p.length === 4) return { handler: Number(p[1]), op: Number(p[2]), flushAt: p[3] === "-" ? null : Number(p[3]) };
  return undefined;
}

/** Returns the result of the play's op i, if the script got to it. */
export function opResult(o: ApplyOutcome, i: number): StepResult | undefined {
  return o.steps.find((s) => !("handler" in s) && s.op === i);
}

/** Returns the results of one handler run's ops, in order. */
export function handlerRunSteps(o: ApplyOutcome, run: HandlerRun): StepResult[] {
  return o.steps.filter((s) => "handler" in s && s.handler === run.handler && s.flushAt === run.flushAt);
}

/** Returns what the apply script's stdout says happened to each step (a cut-off output gives what it reached). */
export function parseApplyOutput(stdout: string, token: string): ApplyOutcome {
  const m = markerOf(token);
  const byKey = new Map<string, StepResult>();
  const outcome: ApplyOutcome = { steps: [], handlerRuns: [], finished: false };
  const set = (key: string, r: Omit<StepResult, keyof StepId>) => {
    const id = parseStepKey(key);
    if (!id) return;
    const prev = byKey.get(key);
    if (prev) Object.assign(prev, r);
    else {
      const s = { ...id, ...r } as StepResult;
      byKey.set(key, s);
      outcome.steps.push(s);
    }
  };
  const lines = stdout.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!line.startsWith(`${m} `)) continue;
    const [verb, a = "", b] = line.slice(m.length + 1).split(" ");
    if (verb === "changed") set(a, { status: "changed" });
    else if (verb === "done") {
      if (!byKey.has(a)) set(a, { status: "ok" });
    } else if (verb === "failed") {
      const out: string[] = [];
      const end = `${m} end`;
      while (i + 1 < lines.length) {
        const next = lines[++i] as string;
        // When the op's output did not end with a newline, the end marker follows its last line on the same line.
        if (next.endsWith(end)) {
          if (next.length > end.length) out.push(next.slice(0, -end.length));
          break;
        }
        out.push(next);
      }
      set(a, { status: "failed", rc: Number(b), output: out.join("\n") });
    } else if (verb === "handler") outcome.handlerRuns.push({ handler: Number(a), flushAt: b === "-" ? null : Number(b) });
    else if (verb === "stopped") outcome.stoppedBefore = Number(a);
    else if (verb === "finished") outcome.finished = true;
    else if (verb === "secret" && /^\w+$/.test(a) && b !== undefined)
      (outcome.secrets ??= []).push({ key: a, value: new Secret(Buffer.from(b, "base64").toString("utf8")) });
  }
  return outcome;
}
