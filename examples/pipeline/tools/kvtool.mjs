#!/usr/bin/env node
// kvtool: a small infrastructure tool with Terraform's plan/apply shape, used by the example's
// tool stage and by the tests (neither Terraform nor a cluster is available here).
//   kvtool plan  --desired FILE --state FILE --out PLAN   exit 0: no changes, 2: changes (plan written), 1: error
//   kvtool apply --state FILE PLAN                        applies exactly PLAN; refuses a plan made on another state
// The "infrastructure" is a JSON object of keys in the state file, with a serial bumped by each apply.
import { readFileSync, renameSync, writeFileSync } from "node:fs";

const [cmd, ...rest] = process.argv.slice(2);
const opt = (name) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? rest[i + 1] : undefined;
};
const readJson = (file, fallback) => {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    if (fallback !== undefined && err.code === "ENOENT") return fallback;
    throw err;
  }
};
const show = (k, v) => (/password|secret|token/i.test(k) ? "(sensitive)" : JSON.stringify(v));
const fail = (msg) => {
  process.stderr.write(`kvtool: ${msg}\n`);
  process.exit(1);
};

try {
  if (cmd === "plan") {
    const desired = readJson(opt("desired"));
    const state = readJson(opt("state"), { serial: 0, values: {} });
    const changes = [];
    for (const [k, v] of Object.entries(desired)) {
      if (!(k in state.values)) changes.push({ op: "create", key: k, value: v });
      else if (JSON.stringify(state.values[k]) !== JSON.stringify(v)) changes.push({ op: "update", key: k, value: v });
    }
    for (const k of Object.keys(state.values)) if (!(k in desired)) changes.push({ op: "delete", key: k });
    for (const c of changes)
      process.stdout.write(
        `${c.op === "create" ? "+" : c.op === "delete" ? "-" : "~"} ${c.key}${c.op === "delete" ? "" : ` = ${show(c.key, c.value)}`}\n`,
      );
    process.stdout.write(changes.length ? `Plan: ${changes.length} to change.\n` : "No changes.\n");
    if (changes.length) writeFileSync(opt("out"), JSON.stringify({ serial: state.serial, changes }));
    process.exit(changes.length ? 2 : 0);
  } else if (cmd === "apply") {
    const planFile = rest.find((a, i) => !a.startsWith("--") && rest[i - 1] !== "--state");
    const plan = readJson(planFile);
    const stateFile = opt("state");
    const state = readJson(stateFile, { serial: 0, values: {} });
    if (plan.serial !== state.serial) fail(`the plan was made on state serial ${plan.serial}, the state is at ${state.serial}: plan again`);
    for (const c of plan.changes) {
      if (c.op === "delete") delete state.values[c.key];
      else state.values[c.key] = c.value;
      process.stdout.write(`${c.op} ${c.key}\n`);
    }
    state.serial++;
    writeFileSync(`${stateFile}.tmp`, JSON.stringify(state, null, 1));
    renameSync(`${stateFile}.tmp`, stateFile);
    process.stdout.write(`Apply complete: ${plan.changes.length} changed, serial ${state.serial}.\n`);
  } else fail("usage: kvtool plan|apply …");
} catch (err) {
  fail(err.message);
}
