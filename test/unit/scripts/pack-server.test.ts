import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { productionPackages } from "../../../scripts/pack-server.js";

describe("pack-server", () => {
  const pkgs = productionPackages();

  it("ships the production dependencies the server loads, with Node's types for the site type-check", () => {
    for (const p of ["node_modules/fastify", "node_modules/better-sqlite3", "node_modules/typescript", "node_modules/@types/node"])
      assert.ok(pkgs.includes(p), p);
  });

  it("leaves out dev-only packages, biome, and nested packages already inside their parent", () => {
    assert.ok(!pkgs.some((p) => p.startsWith("node_modules/@biomejs/")));
    assert.ok(!pkgs.includes("node_modules/playwright-core"));
    assert.ok(!pkgs.some((p) => pkgs.some((q) => q !== p && p.startsWith(`${q}/`))));
  });
});
