/**
 * `bosun init` from an empty directory outside the checkout: the scaffolded repository plans against
 * real lab hosts with the installed CLI, with no node_modules, package.json or other setup; a second
 * copy of "bosun" in the repository's node_modules is never the one loaded.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { bosun, tempDir } from "./helpers.js";

const HOSTS = (process.env.BOSUN_E2E_INIT_HOSTS ?? "db2,web5,web6").split(",");

describe("bosun init", () => {
  const dir = path.join(tempDir("bosun-init-"), "infra");
  after(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

  it("scaffolds site.ts, inventory.yml, bosun.toml, tsconfig.json and .gitignore in a new directory", async () => {
    const r = await bosun(["init", dir], { cwd: "/tmp" });
    assert.equal(r.code, 0, r.stderr);
    for (const f of ["site.ts", "inventory.yml", "bosun.toml", "tsconfig.json", ".gitignore"]) assert.ok(existsSync(path.join(dir, f)), f);
    assert.ok(!existsSync(path.join(dir, "node_modules")));
    const tsconfig = JSON.parse(readFileSync(path.join(dir, "tsconfig.json"), "utf8"));
    // Editor support: the installed Bosun's own type declarations.
    for (const f of Object.values(tsconfig.compilerOptions.paths as Record<string, string[]>)) assert.ok(path.isAbsolute(f[0] as string));
  });

  it("the scaffolded repository plans on lab hosts with the installed CLI (type-check included)", async () => {
    const r = await bosun(["plan", "site.ts", "-i", "lab", "-l", HOSTS.join(","), "--json"], { cwd: dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const events = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { type: string; host?: string; op?: string; changed?: boolean });
    const recap = events.at(-1) as { type: string; hosts: Record<string, { failed: number; unreachable: boolean }> };
    assert.equal(recap.type, "recap");
    assert.deepEqual(Object.keys(recap.hosts).sort(), [...HOSTS].sort());
    for (const h of HOSTS) assert.equal(recap.hosts[h]?.unreachable, false, h);
    const motd = events.filter((e) => e.type === "op_planned" && e.op?.includes("/etc/motd"));
    assert.equal(motd.length, HOSTS.length, r.stdout);
  });

  it("a type error in the scaffolded site is reported with its file and line", async () => {
    const site = path.join(dir, "site.ts");
    const good = readFileSync(site, "utf8");
    writeFileSync(site, good.replace('mode: "0644"', 'mode: "0644", ownr: "root"'));
    try {
      const r = await bosun(["plan", "site.ts", "-i", "lab", "-l", HOSTS[0] as string], { cwd: dir });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /site\.ts:\d+: type errors/);
      assert.match(r.stderr, /'ownr' does not exist/);
    } finally {
      writeFileSync(site, good);
    }
  });

  it("a second copy of bosun in the repository's node_modules is never used", async () => {
    const fake = path.join(dir, "node_modules", "bosun");
    mkdirSync(fake, { recursive: true });
    writeFileSync(path.join(fake, "package.json"), JSON.stringify({ name: "bosun", type: "module", exports: { ".": "./index.js" } }));
    writeFileSync(path.join(fake, "index.js"), 'throw new Error("the other copy of bosun was loaded");\n');
    try {
      const r = await bosun(["plan", "site.ts", "-i", "lab", "-l", HOSTS[0] as string, "--no-typecheck"], { cwd: dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout + r.stderr, /other copy/);
    } finally {
      rmSync(path.join(dir, "node_modules"), { recursive: true, force: true });
    }
  });
});
