import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import type { FactBatchKind, FactRequest } from "../../../src/core/operation.js";
import { factSections } from "../../../src/engine/fact-batch.js";
import { batchScript, splitSections } from "../../../src/engine/fact-script.js";
import { quote } from "../../../src/util/shell.js";

/** A kind that echoes "arg=value" lines for every arg in one printf; split leaves out args named "lost". */
const ECHO: FactBatchKind = {
  id: "echo",
  command: (args) => `printf '%s\\n' ${args.map((a) => quote(`${a}=batched`)).join(" ")}`,
  split: (output, rc, args) =>
    new Map(
      args
        .filter((a) => a !== "lost")
        .map((a) => [a, { output: (output.split("\n").find((l) => l.startsWith(`${a}=`)) ?? "").slice(a.length + 1), rc }]),
    ),
};

function req(key: string, arg: string): FactRequest<string> {
  return { key, command: `echo ${quote(`${arg}-alone`)}`, parse: (out) => out.trim(), batch: { kind: ECHO, arg } };
}

/** Runs the sections in a real sh and returns what collect() makes of them. */
function run(requests: FactRequest[]) {
  const plan = factSections(requests);
  const out = execFileSync("sh", ["-c", batchScript(plan.commands, undefined, plan.inline)], { encoding: "utf8" });
  return { plan, ...plan.collect(splitSections(out)) };
}

describe("factSections", () => {
  it("gathers the requests of one kind in one section, and gives each its own part", () => {
    const { plan, sections, missing } = run([req("k:a", "a"), req("k:b", "b"), { key: "plain", command: "echo plain", parse: (o) => o }]);
    assert.equal(Object.keys(plan.commands).length, 2);
    assert.equal(sections.get("k:a")?.output, "batched");
    assert.equal(sections.get("k:b")?.output, "batched");
    assert.equal(sections.get("plain")?.output, "plain");
    assert.deepEqual(missing, []);
  });

  it("runs a kind's only request by its own command", () => {
    const { sections } = run([req("k:a", "a")]);
    assert.equal(sections.get("k:a")?.output, "a-alone");
  });

  it("answers every key that shares an arg", () => {
    const { sections } = run([req("one", "a"), req("two", "a"), req("k:b", "b")]);
    assert.equal(sections.get("one")?.output, "batched");
    assert.equal(sections.get("two")?.output, "batched");
  });

  it("reports the requests the split left out, to gather them alone", () => {
    const lost = req("k:lost", "lost");
    const { sections, missing } = run([req("k:a", "a"), lost]);
    assert.deepEqual(missing, [lost]);
    assert.equal(sections.has("k:lost"), false);
  });

  it("treats a split that throws as answering nothing", () => {
    const broken: FactBatchKind = {
      ...ECHO,
      id: "broken",
      split: () => {
        throw new Error("unreadable");
      },
    };
    const a = { ...req("k:a", "a"), batch: { kind: broken, arg: "a" } };
    const b = { ...req("k:b", "b"), batch: { kind: broken, arg: "b" } };
    assert.deepEqual(run([a, b]).missing, [a, b]);
  });
});
