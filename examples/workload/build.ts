/** Bundles the workload (with its TOML and schema libraries) into one JavaScript file for Node 18 hosts. */
import { build } from "esbuild";

/** Writes the bundle to outfile with version baked in; returns its size in bytes. */
export async function buildWorkload(outfile: string, version: string): Promise<number> {
  const r = await build({
    entryPoints: [new URL("main.ts", import.meta.url).pathname],
    bundle: true,
    platform: "node",
    target: "node18",
    format: "cjs",
    minify: true,
    outfile,
    metafile: true,
    logLevel: "silent",
    define: { __WORKLOAD_VERSION__: JSON.stringify(version) },
  });
  return Object.values(r.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
}
