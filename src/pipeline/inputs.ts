/**
 * Typed stage inputs. A stage declares `inputs: { version: input.semver(…), dryRun: input.boolean() }`;
 * the same declaration parses `--input k=v` on the CLI, types the `vars`/`limit` functions of the
 * stage, and becomes `workflow_dispatch` inputs (choice, boolean, string) in generated workflows.
 */
import { z } from "zod";
import { UsageError } from "../errors.js";

interface Common {
  description?: string;
  /** A required input without a default must be given on every run. */
  required?: boolean;
}

export type InputDef =
  | (Common & { kind: "string"; default?: string; pattern?: RegExp })
  | (Common & { kind: "semver"; default?: string })
  | (Common & { kind: "hosts"; default?: string })
  | (Common & { kind: "boolean"; default?: boolean })
  | (Common & { kind: "number"; default?: number; min?: number; max?: number })
  | (Common & { kind: "choice"; options: readonly string[]; default?: string });

export type InputDefs = Record<string, InputDef>;

type ValueOf<D extends InputDef> = D extends { kind: "boolean" } ? boolean : D extends { kind: "number" } ? number : string;
/** The typed values a stage's functions receive: optional only when neither required nor defaulted. */
export type InputValues<I extends InputDefs> = {
  [K in keyof I]: I[K] extends { default: unknown } ? ValueOf<I[K]> : ValueOf<I[K]> | undefined;
};

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Input constructors: what a pipeline file writes. */
export const input = {
  string: <O extends Omit<Extract<InputDef, { kind: "string" }>, "kind">>(o: O = {} as O) => ({ kind: "string" as const, ...o }),
  /** A semantic version such as 1.4.2 (what a release is called). */
  semver: <O extends Omit<Extract<InputDef, { kind: "semver" }>, "kind">>(o: O = {} as O) => ({ kind: "semver" as const, ...o }),
  /** A host pattern (Ansible syntax); a stage's run is limited to it. */
  hosts: <O extends Omit<Extract<InputDef, { kind: "hosts" }>, "kind">>(o: O = {} as O) => ({ kind: "hosts" as const, ...o }),
  boolean: <O extends Omit<Extract<InputDef, { kind: "boolean" }>, "kind">>(o: O = {} as O) => ({ kind: "boolean" as const, ...o }),
  number: <O extends Omit<Extract<InputDef, { kind: "number" }>, "kind">>(o: O = {} as O) => ({ kind: "number" as const, ...o }),
  choice: <const T extends readonly string[], O extends Omit<Extract<InputDef, { kind: "choice" }>, "kind" | "options">>(
    options: T,
    o: O = {} as O,
  ) => ({ kind: "choice" as const, options, ...o }),
};

/** Returns the zod schema of one input; values may arrive as text (CLI, workflow inputs) or typed (recorded runs). */
export function inputSchema(def: InputDef): z.ZodType<unknown> {
  switch (def.kind) {
    case "string":
      return def.pattern ? z.string().regex(def.pattern, `expected text matching ${def.pattern}`) : z.string();
    case "semver":
      return z.string().regex(SEMVER, "expected a semantic version like 1.4.2");
    case "hosts":
      return z.string().min(1, "expected a host pattern");
    case "boolean":
      return z.preprocess(
        (v) => (v === "true" || v === "yes" || v === "1" ? true : v === "false" || v === "no" || v === "0" ? false : v),
        z.boolean({ error: "expected true or false" }),
      );
    case "number": {
      let n = z.number({ error: "expected a number" });
      if (def.min !== undefined) n = n.min(def.min);
      if (def.max !== undefined) n = n.max(def.max);
      return z.preprocess((v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v), n);
    }
    case "choice":
      return z.enum(def.options as [string, ...string[]], { error: `expected one of ${def.options.join(", ")}` });
  }
}

/** Bad inputs: the message names the first; `fields` has one message per bad input (the server shows them per form field). */
export class InputsError extends UsageError {
  constructor(
    message: string,
    readonly fields: Record<string, string>,
  ) {
    super(message);
  }
}

/**
 * Returns the stage's input values: given ones parsed and validated, defaults filled in. Unknown
 * names, missing required inputs and bad values are an InputsError naming the stage and each input.
 */
export function parseInputs(stage: string, defs: InputDefs, given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields: Record<string, string> = {};
  const messages: string[] = [];
  const bad = (k: string, field: string, message: string) => {
    fields[k] ??= field;
    messages.push(`stage ${stage}: ${message}`);
  };
  for (const k of Object.keys(given)) {
    if (!(k in defs)) {
      const known = Object.keys(defs);
      bad(k, "unknown input", `unknown input "${k}" (${known.length ? `inputs: ${known.join(", ")}` : "it takes no inputs"})`);
    }
  }
  for (const [k, def] of Object.entries(defs)) {
    const raw = given[k] ?? def.default;
    if (raw === undefined || raw === "") {
      if (def.required) bad(k, "required", `input "${k}" is required (--input ${k}=…)`);
      continue;
    }
    const r = inputSchema(def).safeParse(raw);
    if (r.success) out[k] = r.data;
    else {
      const why = `${r.error.issues[0]?.message}, found ${JSON.stringify(raw)}`;
      bad(k, why, `input "${k}": ${why}`);
    }
  }
  if (messages.length) throw new InputsError(messages[0] as string, fields);
  return out;
}

/** Returns `--input k=v` options as a map; a pair without "=" is a UsageError. */
export function parseInputPairs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new UsageError(`--input ${p}: expected name=value`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}
