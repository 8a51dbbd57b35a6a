/**
 * User crontabs edited as Ansible's cron module edits them. The expected crontabs and changed flags in
 * test/fixtures/ansible-cron-golden.json were produced by ansible-core 2.14 itself (`ansible localhost -c
 * local -m cron -a ARGS` with a `crontab` stand-in on PATH holding TEXT). Each case runs the op's plan (the
 * TypeScript model) and both of its apply paths on real sh: the compare-and-swap path (the crontab is as the
 * plan saw it) and the awk path (the crontab changed since the plan).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import type { Operation } from "../../../src/core/operation.js";
import { crontab, crontabEnv } from "../../../src/ops/crontab.js";
import { applyHere, declared, fakeCommand, planHere } from "./kit.js";

const GOLDEN = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../fixtures/ansible-cron-golden.json"), "utf8")) as [
  string,
  string,
  boolean,
  string,
][];
const root = mkdtempSync(path.join(os.tmpdir(), "bosun-crontab-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Returns the op of an Ansible cron args string ("name=x job=y minute=5"). */
function opOf(args: string): Operation {
  const a = Object.fromEntries(args.split(" ").map((w) => w.split("=", 2) as [string, string]));
  const name = a.name as string;
  const state = (a.state ?? "present") as "present" | "absent";
  if (a.env === "true") return declared(() => crontabEnv(name, { state, value: a.job }));
  const schedule = a.special_time ? `@${a.special_time}` : ["minute", "hour", "day", "month", "weekday"].map((f) => a[f] ?? "*").join(" ");
  return declared(() => crontab(name, { state, schedule, job: a.job, disabled: a.disabled === "true" }));
}

let n = 0;
/** A crontab stand-in over one file; returns its env and the file. */
function fake(text: string): { env: NodeJS.ProcessEnv; file: string } {
  const dir = path.join(root, String(++n));
  mkdirSync(path.join(dir, "bin"), { recursive: true });
  const file = path.join(dir, "crontab");
  if (text !== "") writeFileSync(file, text);
  fakeCommand(
    path.join(dir, "bin"),
    "crontab",
    `l=; f=; while [ $# -gt 0 ]; do case $1 in -l) l=1; shift;; -u) shift 2;; *) f=$1; shift;; esac; done
if [ -n "$l" ]; then [ -e ${file} ] || { echo "no crontab for root" >&2; exit 1; }; cat ${file}; else cp "$f" ${file}; fi`,
  );
  return { env: { PATH: `${dir}/bin:${process.env.PATH}` }, file };
}

const read = (f: string) => (existsSync(f) ? readFileSync(f, "latin1") : "");

describe("crontab and crontabEnv edit a user's crontab exactly as Ansible's cron module", () => {
  for (const [text, args, changed, expected] of GOLDEN) {
    it(`${args} on ${JSON.stringify(text)}: ${changed ? "changes it" : "leaves it"} as Ansible does`, () => {
      const op = opOf(args);
      const { env, file } = fake(text);
      const plan = planHere(op, env);
      assert.equal(plan.changed, changed, plan.summary);
      assert.equal(applyHere(op, env).status, changed ? "changed" : "ok");
      assert.equal(read(file), expected);
      assert.equal(applyHere(op, env).status, "ok", "a second apply changes nothing");
    });

    it(`${args} on ${JSON.stringify(text)}: the host derives the same edit when the crontab changed since the plan`, () => {
      const op = opOf(args);
      const { env, file } = fake("#Ansible: unrelated\n@reboot seen-by-plan\n");
      planHere(op, env);
      if (text === "") rmSync(file);
      else writeFileSync(file, text);
      assert.equal(applyHere(op, env).status, changed ? "changed" : "ok");
      assert.equal(read(file), expected);
    });
  }

  it("refuses a job without a schedule, a multi-line job and a bad variable name", () => {
    assert.throws(() => crontab("x", { job: "true" }), /needs schedule and job/);
    assert.throws(() => crontab("x", { schedule: "@daily", job: "a\nb" }), /one non-empty line/);
    assert.throws(() => crontabEnv("A B", { value: "1" }), /bad variable name/);
  });
});
