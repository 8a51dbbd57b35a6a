import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../../../src/errors.js";
import { input, parseInputPairs, parseInputs } from "../../../src/pipeline/inputs.js";

const defs = {
  host: input.hosts({ default: "web" }),
  version: input.semver({ required: true }),
  dryRun: input.boolean({ default: false }),
  size: input.number({ min: 1, max: 10 }),
  tier: input.choice(["small", "large"] as const, { default: "small" }),
  note: input.string({ pattern: /^[a-z]+$/ }),
};

const refused = (given: Record<string, unknown>, message: RegExp) =>
  assert.throws(
    () => parseInputs("6-app", defs, given),
    (err: Error) => err instanceof UsageError && message.test(err.message),
  );

describe("parseInputs", () => {
  it("parses text values into typed ones and fills defaults", () => {
    assert.deepEqual(parseInputs("6-app", defs, { version: "1.4.2", dryRun: "true", size: "3" }), {
      host: "web",
      version: "1.4.2",
      dryRun: true,
      size: 3,
      tier: "small",
    });
  });
  it("keeps typed values from a recorded run as they are", () => {
    assert.deepEqual(parseInputs("6-app", defs, { version: "2.0.0-rc.1", dryRun: false, size: 10, tier: "large" }).size, 10);
  });
  it("names the stage and input of a bad semantic version", () =>
    refused({ version: "1.4" }, /stage 6-app: input "version": expected a semantic version/));
  it("refuses a missing required input", () => refused({}, /input "version" is required/));
  it("refuses an unknown input and lists the known ones", () =>
    refused({ version: "1.0.0", vesion: "x" }, /unknown input "vesion" \(inputs: host, version/));
  it("refuses a value outside the choices", () => refused({ version: "1.0.0", tier: "huge" }, /expected one of small, large/));
  it("refuses a number out of range", () => refused({ version: "1.0.0", size: "11" }, /input "size"/));
  it("refuses a boolean that is neither true nor false", () => refused({ version: "1.0.0", dryRun: "maybe" }, /expected true or false/));
  it("refuses text that does not match the pattern", () => refused({ version: "1.0.0", note: "A1" }, /input "note"/));
});

describe("parseInputPairs", () => {
  it("splits name=value at the first =", () => assert.deepEqual(parseInputPairs(["a=1", "b=x=y"]), { a: "1", b: "x=y" }));
  it("refuses a pair without a name", () => assert.throws(() => parseInputPairs(["=1"]), UsageError));
});
