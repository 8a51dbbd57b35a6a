/**
 * After a secret is rotated, the host's file still holds the OLD value: plan, plan --json and
 * apply --diff must not print it (no registry knows an old value, so every removed line of a file
 * whose desired content holds a Secret is hidden).
 */
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { bosun, onHost, tempDir } from "./helpers.js";

const HOST = (process.env.BOSUN_E2E_SECRET_ROTATION_HOSTS ?? "web6").split(",")[0] as string;
const FILE = "/etc/bosun-rotation.env";
const OLD = "Old-Rotated-Secret-4711";
const NEW = "New-Current-Secret-0815";

describe("a rotated secret", () => {
  const dir = tempDir("bosun-rotation-");
  const site = path.join(dir, "site.ts");
  before(async () => {
    writeFileSync(
      site,
      `import { deploy, file, role, Secret, sensitive } from "bosun";
const app = role("app", () => {
  file("${FILE}", { content: sensitive\`MODE=prod\\nDB_PASSWORD=\${new Secret("${NEW}")}\\nPORT=80\\n\`, mode: "0600" });
});
export default deploy("rotation", [{ hosts: "all", roles: [app()] }]);
`,
    );
    const r = await onHost(HOST, `printf 'MODE=prod\\nDB_PASSWORD=${OLD}\\nPORT=80\\n' > ${FILE} && chmod 600 ${FILE}`);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await onHost(HOST, `rm -f ${FILE}`);
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, args] of [
    ["plan", ["plan", site, "-i", "lab", "-l", HOST]],
    ["plan --json", ["plan", site, "-i", "lab", "-l", HOST, "--json"]],
    ["plan -vv", ["-vv", "plan", site, "-i", "lab", "-l", HOST]],
  ] as const) {
    it(`${name} shows the change without the old or the new value`, async () => {
      const r = await bosun([...args]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const all = r.stdout + r.stderr;
      assert.match(all, /DB_PASSWORD=\*\*\*/);
      assert.match(all, /old line hidden/);
      for (const s of [OLD, NEW, "Rotated-Secret", "Current-Secret"]) assert.ok(!all.includes(s), `${s} printed:\n${all}`);
    });
  }

  it("apply --diff writes the new value and prints neither", async () => {
    const r = await bosun(["apply", site, "-i", "lab", "-l", HOST, "--diff", "--yes"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const s of [OLD, NEW]) assert.ok(!(r.stdout + r.stderr).includes(s), `${s} printed`);
    const cat = await onHost(HOST, `cat ${FILE}`);
    assert.equal(cat.stdout, `MODE=prod\nDB_PASSWORD=${NEW}\nPORT=80\n`);
  });
});
