import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { typecheckSite } from "../../../src/engine/typecheck.js";
import { type ImportResult, importAnsible } from "../../../src/import/ansible/index.js";
import { loadInventoryFile } from "../../../src/inventory/load.js";
import { readKeySource } from "../../../src/vault/keys.js";
import { isSecret } from "../../../src/vault/secret.js";
import { revealString } from "../../../src/vault/vars.js";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const REPO = path.join(ROOT, "test/fixtures/ansible-repo");
// Inside the checkout, so the generated site's `import … from "bosun"` resolves to this package.
let out: string;
let result: ImportResult;

before(() => {
  out = mkdtempSync(path.join(ROOT, "tmp", "import-unit-"));
  result = importAnsible({ playbook: path.join(REPO, "site.yml"), inventory: path.join(REPO, "hosts.ini"), out });
});
after(() => rmSync(out, { recursive: true, force: true }));

describe("bosun import ansible", () => {
  it("writes one role per Ansible role, the site, the inventory and the report", () => {
    assert.deepEqual(result.files.sort(), [
      "IMPORT-REPORT.md",
      "group_vars/db/vault.yml",
      "inventory.yml",
      "roles/common.ts",
      "roles/db.ts",
      "roles/play3-tasks.ts",
      "roles/web.ts",
      "site.ts",
    ]);
  });

  it("counts converted and TODO tasks per module, and lists each TODO's reason", () => {
    assert.deepEqual(result.tally.get("apt"), { converted: 3, todo: 0, reasons: [] });
    assert.equal(result.tally.get("wait_for")?.todo, 1);
    assert.match(result.report, /\| wait_for \| 0 \| 1 \|/);
    assert.match(result.report, /roles\/common\/tasks\/main.yml: "a module bosun lacks": module wait_for/);
  });

  it("keeps an unconvertible task as a marked TODO with its original YAML at its place", () => {
    const role = readFileSync(path.join(out, "roles/common.ts"), "utf8");
    assert.match(
      role,
      /\/\/ TODO\(import\): module wait_for has no bosun equivalent yet\n\s*\/\/ - name: a module bosun lacks\n\s*\/\/ {3}wait_for:/,
    );
  });

  it("turns role defaults into typed optional params and plays into deploy() with hosts, serial, tags and role params", () => {
    const role = readFileSync(path.join(out, "roles/web.ts"), "utf8");
    assert.match(role, /export interface WebParams extends Vars \{\n\s+web_port\?: number;\n\s+web_sites\?: string\[\];/);
    assert.match(role, /handler\("reload nginx"/);
    assert.match(role, /notify: "reload nginx"/);
    assert.match(role, /deps: \[common\(\{\}\)\]/);
    const site = readFileSync(path.join(out, "site.ts"), "utf8");
    assert.match(site, /hosts: "web",\s+serial: 1,\s+tags: \["web"\],\s+roles: \[webTagged\(\)\]/);
    assert.match(site, /deps: \[web\(\{ web_port: 8080 \}\)\]/);
  });

  it("keeps vaulted values vaulted: inline vault text in the inventory, a wholly vaulted group_vars file copied encrypted", () => {
    const inv = readFileSync(path.join(out, "inventory.yml"), "utf8");
    assert.match(inv, /api_token: \|\n\s+\$ANSIBLE_VAULT;1\.1;AES256/);
    assert.deepEqual(result.vaultFiles, []);
    assert.equal(
      readFileSync(path.join(out, "group_vars/db/vault.yml"), "utf8"),
      readFileSync(path.join(REPO, "group_vars/db/vault.yml"), "utf8"),
    );
    assert.match(result.report, /kept encrypted as group_vars\/db\/vault\.yml, next to inventory\.yml, which reads it for that group only/);
    for (const f of result.files) assert.doesNotMatch(readFileSync(path.join(out, f), "utf8"), /s3cr3t/);
  });

  it("the wholly vaulted group_vars file applies to that group's hosts only, as in Ansible", async () => {
    const key = await readKeySource("default", path.join(REPO, "vault-password.txt"));
    const inv = await loadInventoryFile(path.join(out, "inventory.yml"), async () => [key]);
    const db = inv.varsFor("db4", {});
    assert.ok(isSecret(db.vault_db_password), "db4 has the vaulted var, as a Secret");
    assert.equal(revealString(db.vault_db_password), "s3cr3t-db-pw");
    assert.equal(inv.varsFor("web8", {}).vault_db_password, undefined, "web8 (not in db) does not");
  });

  it("formats the generated code: role bodies indented, loops and handlers nested", () => {
    const role = readFileSync(path.join(out, "roles/web.ts"), "utf8");
    assert.match(role, /\n {4}const v = ansibleVars\(ctx, DEFAULTS, VARS, p\);\n\n {4}\/\/ nginx\n {4}apt\("nginx"\);/);
    assert.match(role, /\n {4}for \(const item of v\.web_sites\) \{\n {6}directory\(/);
    assert.match(role, /\n {4}handler\("reload nginx", \(\) => \{\n {6}service\("nginx"/);
  });

  it("generates a site that type-checks", async () => {
    await typecheckSite(path.join(out, "site.ts"), path.join(out, ".typecheck-cache.json"));
  });
});
