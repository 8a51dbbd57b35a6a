import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { typecheckSite } from "../../../src/engine/typecheck.js";
import { SiteError } from "../../../src/errors.js";

// Outside the checkout, with no package.json or node_modules: the user's own repository.
const dir = mkdtempSync(path.join(tmpdir(), "bosun-typecheck-"));
const cache = path.join(dir, "state", "typecheck.json");
after(() => rmSync(dir, { recursive: true, force: true }));

function site(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe("typecheckSite outside the checkout", () => {
  it("resolves bosun to this copy and accepts a correct site, then caches it", async () => {
    const f = site(
      "ok.ts",
      'import { deploy, file, role } from "bosun";\nconst r = role("r", () => { file("/x", { content: "y" }); });\nexport default deploy("s", [{ hosts: "all", roles: [r()] }]);\n',
    );
    await typecheckSite(f, cache);
    assert.ok(existsSync(cache));
  });

  it("names the file and line of a type error against bosun's types", async () => {
    const f = site("bad.ts", 'import { deploy, file } from "bosun";\nfile("/x", { contnt: "y" });\nexport default deploy("s", []);\n');
    await assert.rejects(
      typecheckSite(f, cache),
      (e) => e instanceof SiteError && /bad\.ts:2: type errors/.test(e.message) && /'contnt'/.test(e.message),
    );
  });

  it("gives node's types to a site that uses them", async () => {
    const f = site(
      "node.ts",
      'import { readFileSync } from "node:fs";\nimport { deploy } from "bosun";\nexport default deploy(readFileSync("/etc/hostname", "utf8") + String(process.pid), []);\n',
    );
    await typecheckSite(f, cache);
  });

  it("says a missing site or a directory is not found, not type errors", async () => {
    await assert.rejects(typecheckSite(path.join(dir, "nope.ts"), cache), { message: `${path.join(dir, "nope.ts")}: file not found` });
    mkdirSync(path.join(dir, "d"));
    await assert.rejects(typecheckSite(path.join(dir, "d"), cache), /not a regular file/);
  });
});
