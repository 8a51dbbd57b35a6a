// Shared by the operation tests: build an op outside a role, answer its facts, apply it for real.
import { spawnSync } from "node:child_process";
import { Collector, collectInto } from "../../../src/core/collector.js";
import type { FactLookup, FactRequest, Operation } from "../../../src/core/operation.js";
import { buildApplyScript, opResult, parseApplyOutput } from "../../../src/engine/script.js";

/** Returns the op that fn declares, built outside a role. */
export function declared(fn: () => unknown): Operation {
  const c = new Collector();
  collectInto(c, fn);
  if (c.ops.length !== 1) throw new Error(`expected one op, got ${c.ops.length}`);
  return c.ops[0] as Operation;
}

/** Returns a FactLookup answering each request from the fact command output given for its key. */
export function lookup(outputs: Record<string, string>): FactLookup {
  return {
    get<T>(req: FactRequest<T>): T {
      const out = outputs[req.key];
      if (out === undefined) throw new Error(`no fixture for ${req.key}`);
      return req.parse(out, 0);
    },
  };
}

/** A FactLookup that runs each fact command on this machine. */
export const live: FactLookup = {
  get<T>(req: FactRequest<T>): T {
    const r = spawnSync("sh", ["-c", req.command], { encoding: "utf8" });
    return req.parse(r.stdout, r.status ?? 1);
  },
};

/** Applies op with the real apply script on this machine and returns its outcome. */
export function apply(op: Operation) {
  const { script, token } = buildApplyScript([op], []);
  const r = spawnSync("sh", ["-s"], { input: script, encoding: "utf8" });
  return opResult(parseApplyOutput(r.stdout, token), 0);
}
