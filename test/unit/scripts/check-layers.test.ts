import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { checkLayers, layerOf, violation } from "../../../scripts/check-layers.js";

const root = mkdtempSync(path.join(os.tmpdir(), "bosun-layers-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Writes a src tree of files (path → content) and returns its directory. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(root, "src-"));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    writeFileSync(path.join(dir, p), text);
  }
  return dir;
}

describe("the layering check", () => {
  it("passes on the real src/", () => {
    assert.deepEqual(checkLayers(), []);
  });

  it("reports an import up the layers with its file and line, type-only and dynamic ones too", () => {
    const dir = tree({
      "facts/a.ts": '// facts\nimport type { X } from "../engine/run.js";\nexport const y = 1;\n',
      "store/b.ts": 'export const z = () => import("../engine/run.js");\n',
      "engine/run.ts": 'import { y } from "../facts/a.js";\nexport type X = typeof y;\n',
      "ops/c.ts": 'import { y } from "../facts/a.js";\n',
    });
    const found = checkLayers(dir).map((l) => l.replace(`${path.relative(process.cwd(), dir)}/`, ""));
    assert.deepEqual(found, [
      'facts/a.ts:2: imports "../engine/run.js": facts (rank 4) imports engine (rank 5), a higher layer',
      'store/b.ts:1: imports "../engine/run.js": store (rank 3) imports engine (rank 5), a higher layer',
    ]);
  });

  it("keeps roles on the public API, and facts off ops", () => {
    assert.match(violation("roles", "engine") ?? "", /public API/);
    assert.equal(violation("roles", "index"), undefined);
    assert.match(violation("facts", "ops") ?? "", /must not import/);
    assert.equal(violation("ops", "facts"), undefined);
    assert.match(violation("brand-new", "core") ?? "", /has no rank/);
  });

  it("names a root file's layer without its extension", () => {
    assert.equal(layerOf("index.ts"), "index");
    assert.equal(layerOf("engine/run.ts"), "engine");
  });
});
