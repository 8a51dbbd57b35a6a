import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { parse } from "yaml";
import { githubWorkflows } from "../../../src/pipeline/github.js";
import { loadPipeline } from "../../../src/pipeline/load.js";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const GOLDEN = path.join(ROOT, "test/fixtures/workflows");
const pipeline = await loadPipeline(path.join(ROOT, "examples/pipeline.ts"));
const plain = githubWorkflows(pipeline, { pipelineFile: "examples/pipeline.ts" });
const sharded = githubWorkflows(pipeline, { pipelineFile: "examples/pipeline.ts", shards: 4 });

const expr = (e: string) => `\${{ ${e} }}`;

/** Returns GitHub's own parser's errors for a workflow (parse, then convert: expressions and contexts are checked there). */
async function githubErrors(name: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value) {
    const t = await convertWorkflowTemplate(parsed.context, parsed.value);
    errors.push(...(t.errors ?? []).map((e) => e.Message));
  }
  return errors;
}

describe("generated GitHub workflows", () => {
  it("one per stage and a drift workflow", () =>
    assert.deepEqual(
      Object.keys(plain).sort(),
      [...pipeline.stages.map((s) => `bosun-example-${s.id}.yml`), "bosun-example-drift.yml"].sort(),
    ));

  for (const [name, text] of [...Object.entries(plain), ...Object.entries(sharded).map(([n, t]) => [`sharded-${n}`, t] as const)]) {
    it(`${name} parses with GitHub's workflow parser without errors`, async () => assert.deepEqual(await githubErrors(name, text), []));
  }

  for (const [name, text] of Object.entries(plain)) {
    it(`${name} matches its golden file (UPDATE_GOLDEN=1 rewrites)`, () => {
      const file = path.join(GOLDEN, name);
      if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
      assert.equal(text, readFileSync(file, "utf8"));
    });
  }
  it("the sharded app workflow matches its golden file", () => {
    const file = path.join(GOLDEN, "sharded-bosun-example-6-app.yml");
    const text = sharded["bosun-example-6-app.yml"] as string;
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
    assert.equal(text, readFileSync(file, "utf8"));
  });

  it("types the dispatch inputs from the stage's inputs and targets a GitHub environment with a concurrency group", () => {
    const w = parse(plain["bosun-example-6-app.yml"] as string);
    const inputs = w.on.workflow_dispatch.inputs;
    assert.deepEqual(inputs.environment.options, ["dev", "staging", "prod"]);
    assert.equal(inputs.version.type, "string");
    assert.equal(inputs.version.required, true);
    assert.equal(inputs.host.default, "web");
    assert.equal(parse(plain["bosun-example-4-database.yml"] as string).on.workflow_dispatch.inputs.maxConnections.type, "number");
    assert.equal(w.jobs.run.environment, expr("inputs.environment"));
    assert.match(w.concurrency.group, /inputs\.environment.*6-app/);
    assert.equal(w.concurrency["cancel-in-progress"], false);
  });

  it("never disables host key checking and never splices an input into a script", () => {
    for (const text of Object.values({ ...plain, ...sharded })) {
      assert.doesNotMatch(text, /StrictHostKeyChecking/);
      const w = parse(text);
      for (const job of Object.values(w.jobs) as { steps: { run?: string }[] }[])
        for (const step of job.steps)
          assert.doesNotMatch(step.run ?? "", /\$\{\{\s*inputs\./, "inputs reach scripts as environment variables");
    }
  });

  it("a sharded stage runs a matrix over --shard k/N and merges the records in a final job", () => {
    const w = parse(sharded["bosun-example-6-app.yml"] as string);
    assert.deepEqual(w.jobs.run.strategy.matrix.shard, [1, 2, 3, 4]);
    assert.equal(w.jobs.run.env.BOSUN_SHARD, `${expr("matrix.shard")}/4`);
    assert.equal(w.jobs.merge.needs, "run");
    assert.ok(w.jobs.merge.steps.some((s: { run?: string }) => s.run?.includes("pipeline recap")));
  });

  it("the drift workflow is scheduled over every environment", () => {
    const w = parse(plain["bosun-example-drift.yml"] as string);
    assert.equal(w.on.schedule[0].cron, "0 6 * * *");
    assert.deepEqual(w.jobs.drift.strategy.matrix.environment, ["dev", "staging", "prod"]);
  });
});
