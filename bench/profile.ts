/**
 * Summarises a V8 .cpuprofile (node --cpu-prof) of one bosun run: each sample goes to one bucket by
 * what is on its stack, first match wins (idle, GC, module loading, typecheck, SSH transport, engine,
 * CLI, the rest), so the buckets add up to the sampled time.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const BUCKETS: [string, (frames: ProfileNode["callFrame"][]) => boolean][] = [
  ["idle: event loop waiting (ssh, child processes)", (f) => f[0]?.functionName === "(idle)"],
  ["garbage collector", (f) => f[0]?.functionName === "(garbage collector)"],
  [
    "start-up: module loading and evaluation (node loader, tsx for the site)",
    (f) => f.some((c) => c.url.startsWith("node:internal/modules") || c.url.includes("/node_modules/tsx/") || c.url.includes("esbuild")),
  ],
  ["typecheck (typescript)", (f) => f.some((c) => c.url.includes("/node_modules/typescript/"))],
  ["SSH transport (spawning ssh, streams)", (f) => f.some((c) => c.url.includes("/dist/src/transport/"))],
  [
    "engine: roles, fact scripts, parsing facts, planning",
    (f) => f.some((c) => /\/dist\/src\/(engine|ops|facts)\//.test(c.url) || c.url.includes("/examples/")),
  ],
  ["CLI: options, rendering output", (f) => f.some((c) => c.url.includes("/dist/src/cli/"))],
  ["inventory, config, vault, run record", (f) => f.some((c) => /\/dist\/src\/(inventory|config|store|vault|util|lab)\//.test(c.url))],
  ["(program): V8 native work, compiling", (f) => f[0]?.functionName === "(program)"],
  ["other node internals", () => true],
];

/** Returns ms per bucket (largest first) and the sampled total. */
export function summariseProfile(file: string): {
  categories: { name: string; ms: number }[];
  sampledMs: number;
  top: { fn: string; where: string; ms: number }[];
} {
  const p = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const bucketOf = new Map<number, string>();
  const classify = (id: number): string => {
    const cached = bucketOf.get(id);
    if (cached) return cached;
    const frames: ProfileNode["callFrame"][] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n) frames.push(n.callFrame);
    }
    const name = (BUCKETS.find(([, test]) => test(frames)) as [string, unknown])[0];
    bucketOf.set(id, name);
    return name;
  };
  const ms = new Map<string, number>();
  const self = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    // timeDeltas[i+1] is the time until the next sample: the time this sample stands for.
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    const b = classify(p.samples[i] as number);
    ms.set(b, (ms.get(b) ?? 0) + dt);
    const f = byId.get(p.samples[i] as number)?.callFrame;
    const key = `${f?.functionName || "(anonymous)"}\t${(f?.url ?? "").replace(/^.*\/(dist|node_modules)\//, "$1/")}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  return {
    categories: [...ms.entries()].map(([name, v]) => ({ name, ms: v })).sort((a, b) => b.ms - a.ms),
    sampledMs: total,
    // Self time per function: where the CPU actually went (idle and GC included, as V8 names them).
    top: [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([k, v]) => ({ fn: k.split("\t")[0] as string, where: k.split("\t")[1] as string, ms: v })),
  };
}
