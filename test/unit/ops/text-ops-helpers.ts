/** Helpers for the unit tests of operations: declare an op outside a role, plan it on local facts, run its apply fragment locally. */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import type { FactLookup, FactRequest, Operation, OpPlan } from "../../../src/core/operation.js";
import { buildApplyScript, type StepResult as OpOutcome, opResult, parseApplyOutput } from "../../../src/engine/script.js";

export { declared } from "./helpers.js";

/** Returns a lookup serving the given facts by key. */
export function lookupOf(values: Record<string, unknown>): FactLookup {
  return {
    get<T>(req: FactRequest<T>): T {
      if (!(req.key in values)) throw new Error(`fact ${req.key} not in fixture`);
      return values[req.key] as T;
    },
  };
}

/** Returns the op's plan from its facts gathered on this machine (each fact command run by sh). */
export function planLocally(op: Operation): OpPlan {
  const values: Record<string, unknown> = {};
  for (const f of op.facts()) {
    const r = spawnSync("sh", ["-c", f.command], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    values[f.key] = f.parse(r.stdout, r.status ?? 1);
  }
  return op.plan(lookupOf(values));
}

/** Runs the op's apply fragment in a real apply script with `sh -s`; returns the op's outcome. */
export function applyLocally(op: Operation, env: NodeJS.ProcessEnv = {}): OpOutcome {
  const { script, token } = buildApplyScript([op], []);
  const r = spawnSync("sh", ["-s"], { input: script, encoding: "utf8", env: { ...process.env, ...env } });
  const out = opResult(parseApplyOutput(r.stdout, token), 0);
  if (!out) throw new Error(`no outcome: rc=${r.status} ${r.stdout} ${r.stderr}`);
  return out;
}

/** Returns whether a command exists on this machine. */
export function have(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns the op with every absolute path under these prefixes moved under root in its apply
 * fragment, so an op on fixed system paths (/etc/…) runs locally on a copy of them.
 */
export function rebased(op: Operation, root: string, prefixes: string[]): Operation {
  return { ...op, apply: () => prefixes.reduce((text, p) => text.replaceAll(p, `${root}${p}`), op.apply()) };
}

/** Writes an executable sh script; returns its path. */
export function fakeCommand(dir: string, name: string, body: string): string {
  const p = `${dir}/${name}`;
  writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return p;
}

/**
 * Asserts that the op (editing file, which holds `before`) plans a change exactly when its apply, run
 * locally, leaves the file as the planner's model (`modelled`, latin1) says, and that a second run
 * changes nothing and plans nothing.
 */
export function assertHostDoesWhatModelSays(file: string, before: string, op: Operation, modelled: string): void {
  writeFileSync(file, before);
  const plan = planLocally(op);
  const expected = Buffer.from(modelled, "latin1");
  const first = applyLocally(op);
  assert.deepEqual(readFileSync(file), expected);
  assert.equal(first.status, expected.equals(Buffer.from(before)) ? "ok" : "changed", first.output);
  assert.equal(plan.changed, first.status === "changed");
  assert.equal(applyLocally(op).status, "ok");
  assert.equal(planLocally(op).changed, false);
}
