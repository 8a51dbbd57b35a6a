/**
 * Formats the generated TypeScript with Biome (the formatter this project uses; see docs/dependencies.md),
 * with its settings passed explicitly so the formatting does not depend on where the site is written.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

const SETTINGS = {
  formatter: { enabled: true, indentStyle: "space", indentWidth: 2, lineWidth: 120 },
  javascript: { formatter: { quoteStyle: "double" } },
  vcs: { enabled: false },
};

/** Formats files (absolute paths) in place; throws with Biome's message when one is not valid TypeScript. */
export function formatFiles(files: string[]): void {
  if (files.length === 0) return;
  const biome = createRequire(import.meta.url).resolve("@biomejs/biome/bin/biome");
  const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-format-"));
  try {
    writeFileSync(path.join(dir, "biome.json"), JSON.stringify(SETTINGS));
    const r = spawnSync(process.execPath, [biome, "format", "--write", `--config-path=${dir}`, ...files], { encoding: "utf8" });
    if (r.status !== 0)
      throw new Error(`formatting the generated code failed: ${(r.stderr || r.stdout).trim().split("\n").slice(0, 20).join("\n")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
