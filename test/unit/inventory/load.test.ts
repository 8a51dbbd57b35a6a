import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { typecheckSite } from "../../../src/engine/typecheck.js";
import { BosunError, InventoryError } from "../../../src/errors.js";
import { loadInventoryFile } from "../../../src/inventory/load.js";

// TypeScript inventories import bosun's sources relatively, so they live inside the project's tmp/.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const TYPED = path.join(ROOT, "src/inventory/typed.ts");
let dir = "";

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function loadError(file: string): Promise<InventoryError> {
  try {
    await loadInventoryFile(file);
  } catch (err) {
    assert.ok(err instanceof InventoryError, `expected InventoryError, got ${err}`);
    return err;
  }
  assert.fail(`${file} loaded without error`);
}

before(() => {
  mkdirSync(path.join(ROOT, "tmp"), { recursive: true });
  dir = mkdtempSync(path.join(ROOT, "tmp", "unit-load-"));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("loadInventoryFile", () => {
  it("loads a .yml file as a YAML inventory", async () => {
    const file = write("lab.yml", "all:\n  children:\n    web:\n      hosts:\n        web1:\n          bosun_host: 198.18.0.10\n");
    const inv = await loadInventoryFile(file);
    assert.equal(inv.source, file);
    assert.deepEqual(inv.groupHosts("web"), ["web1"]);
    assert.equal(inv.varsFor("web1").bosun_host, "198.18.0.10");
  });

  it("loads a .yaml file and a .json file with the YAML loader", async () => {
    const y = await loadInventoryFile(write("x.yaml", "db:\n  hosts:\n    db1:\n"));
    assert.deepEqual(y.groupHosts("db"), ["db1"]);
    const j = await loadInventoryFile(write("x.json", '{"db": {"hosts": {"db2": {"bosun_port": 2222}}}}'));
    assert.equal(j.varsFor("db2").bosun_port, 2222);
  });

  it("loads an .ini file as an Ansible INI inventory", async () => {
    const inv = await loadInventoryFile(write("hosts.ini", "[web]\nweb[1:2] ansible_user=deploy\n[prod:children]\nweb\n"));
    assert.deepEqual(inv.groupHosts("prod"), ["web1", "web2"]);
    assert.equal(inv.varsFor("web2").ansible_user, "deploy");
  });

  it("loads a file without an extension as an Ansible INI inventory", async () => {
    const inv = await loadInventoryFile(write("hosts", "lonely\n[db]\ndb1\n"));
    assert.deepEqual(inv.groups.get("ungrouped")?.hosts, ["lonely"]);
    assert.deepEqual(inv.groupHosts("db"), ["db1"]);
  });

  it("resolves a relative path against the working directory", async () => {
    const file = write("rel.yml", "web:\n  hosts:\n    w:\n");
    const inv = await loadInventoryFile(path.relative(process.cwd(), file));
    assert.equal(inv.source, file);
  });

  it("loads a .ts inventory that imports bosun relatively, as a user's file would", async () => {
    const file = write(
      "site.ts",
      `import { inventory } from "../../src/index.js";\n` +
        `const port: number = 2222;\n` +
        `export default inventory({\n  vars: { env: "lab" },\n  hosts: { web1: { address: "198.18.0.10", port } },\n` +
        `  groups: { web: { hosts: ["web1"] }, db: { hosts: { db1: { user: "pg" } } } },\n});\n`,
    );
    const inv = await loadInventoryFile(file);
    assert.equal(inv.source, file);
    assert.deepEqual([...inv.hosts.keys()], ["web1", "db1"]);
    const v = inv.varsFor("web1");
    assert.equal(v.bosun_host, "198.18.0.10");
    assert.equal(v.bosun_port, 2222);
    assert.equal(v.env, "lab");
    assert.equal(inv.varsFor("db1").bosun_user, "pg");
  });

  it("loads a .ts inventory that imports bosun by absolute path", async () => {
    const file = write(
      "abs.ts",
      `import { inventory } from ${JSON.stringify(TYPED)};\nexport default inventory({ hosts: { only: {} } });\n`,
    );
    const inv = await loadInventoryFile(file);
    assert.deepEqual([...inv.hosts.keys()], ["only"]);
  });

  it("loads a .mjs module whose default export carries the inventory marker", async () => {
    const file = write(
      "plain.mjs",
      'export default { [Symbol.for("bosun.inventory")]: true, spec: { hosts: { m1: { user: "ops" } } } };\n',
    );
    const inv = await loadInventoryFile(file);
    assert.equal(inv.varsFor("m1").bosun_user, "ops");
  });

  it("reports a syntax error in a .ts inventory with the file, line and 1-based column", async () => {
    const file = write(
      "broken.ts",
      `import { inventory } from ${JSON.stringify(TYPED)};\nexport default inventory({ hosts: { a: {} }\n  groups: {}\n});\n`,
    );
    const err = await loadError(file);
    assert.equal(err.location.file, file);
    assert.equal(err.location.line, 3);
    assert.equal(err.location.column, 3);
    assert.ok(err.message.startsWith(`${file}:3:3: `), err.message);
  });

  it("reports a .ts inventory that throws while loading, naming the file", async () => {
    const file = write("throws.ts", 'throw new Error("boom at load");\nexport default 1;\n');
    const err = await loadError(file);
    assert.equal(err.location.file, file);
    assert.match(err.message, /cannot load module: .*boom at load/);
  });

  it("reports a .ts inventory that imports a missing module, naming the file", async () => {
    const file = write("missing-import.ts", 'import { nope } from "./does-not-exist.js";\nexport default nope;\n');
    const err = await loadError(file);
    assert.equal(err.location.file, file);
    assert.match(err.message, /cannot load module/);
  });

  it("rejects a .ts module whose default export is not an inventory", async () => {
    const file = write("wrong.ts", "export default { hosts: { a: {} } };\n");
    const err = await loadError(file);
    assert.match(err.message, /expected `export default inventory\(\{\.\.\.\}\)`/);
    assert.equal(err.location.file, file);
  });

  it("reports a missing file", async () => {
    const file = path.join(dir, "nope.yml");
    const err = await loadError(file);
    assert.equal(err.message, `${file}: inventory file not found`);
  });

  it("reports loader errors with the file and line", async () => {
    const file = write("bad.ini", "[web]\nweb1\n[web:nonsense]\n");
    const err = await loadError(file);
    assert.deepEqual(err.location, { file, line: 3 });
  });

  it("reports errors found when building the inventory", async () => {
    const file = write(
      "cycle.ts",
      `import { inventory } from ${JSON.stringify(TYPED)};\nexport default inventory({ groups: { a: { children: ["b"] }, b: { children: ["a"] } } });\n`,
    );
    const err = await loadError(file);
    assert.match(err.message, /cycle in group children/);
  });

  it("type-checks a TypeScript inventory before importing it when given a type-checker (the site's)", async () => {
    const file = write(
      "typo.ts",
      `import { inventory } from ${JSON.stringify(TYPED)};\nexport default inventory({\n  hosts: { web1: { adress: "10.0.0.1" } },\n});\n`,
    );
    await assert.rejects(
      loadInventoryFile(file, undefined, { typecheck: (f) => typecheckSite(f, path.join(dir, "typecheck.json")) }),
      (err: Error) => err instanceof BosunError && err.message.includes(`${file}:3:20: Object literal may only specify known properties`),
    );
  });
});
