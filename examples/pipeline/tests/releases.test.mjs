// The example's own tests, run by its 0-test stage: every release artifact is complete.
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { test } from "node:test";

const dir = new URL("../releases/", import.meta.url).pathname;
test("every release has an index page and a health file", () => {
  const releases = readdirSync(dir);
  assert.ok(releases.length > 0);
  for (const r of releases) for (const f of ["index.html", "health"]) assert.ok(existsSync(`${dir}${r}/${f}`), `${r}/${f}`);
});
