#!/usr/bin/env node
// The bosun command: runs the compiled CLI (npm run build makes dist/).
import { existsSync } from "node:fs";

const entry = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("bosun: not built yet: run `npm run build` in the bosun checkout\n");
  process.exit(1);
}
await import(entry.href);
