/**
 * Ansible's filters and Jinja2 printing, compared with what ansible-core 2.14 rendered for the same
 * expressions and vars (test/fixtures/jinja: cases.yml, vars.yml, expected.json — produced by a template
 * task against localhost).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { renderJinja } from "../../../src/ops/jinja.js";

const DIR = path.resolve(import.meta.dirname, "../../fixtures/jinja");
const cases = parse(readFileSync(path.join(DIR, "cases.yml"), "utf8")) as Record<string, string>;
const vars = parse(readFileSync(path.join(DIR, "vars.yml"), "utf8")) as Record<string, unknown>;
const expected = JSON.parse(readFileSync(path.join(DIR, "expected.json"), "utf8")) as Record<string, string>;

/** Renders every case in one template, as Ansible did, and splits the output by case. */
function renderCases(): Record<string, string> {
  const text = Object.entries(cases)
    .map(([k, v]) => `@@@${k}@@@\n${v}\n`)
    .join("");
  const out = renderJinja(text, vars, { file: path.join(DIR, "cases.j2") });
  const parts = out.split(/@@@(\w+)@@@\n/);
  const got: Record<string, string> = {};
  for (let i = 1; i < parts.length; i += 2) got[parts[i] as string] = (parts[i + 1] as string).replace(/\n$/, "");
  return got;
}

describe("Jinja2 templates render as Ansible renders them", () => {
  const got = renderCases();
  it("covers every case Ansible rendered", () => {
    assert.deepEqual(Object.keys(got).sort(), Object.keys(expected).sort());
    assert.ok(Object.keys(expected).length >= 40);
  });
  for (const name of Object.keys(expected)) {
    it(`${name}: ${cases[name]?.slice(0, 60)}`, () => {
      assert.equal(got[name], expected[name]);
    });
  }
});
