/**
 * Who holds a run's heap: attributes every object of a V8 heap snapshot to the nearest "owner" on its
 * shortest path from the GC roots (a run structure: the event queue's items, the recorder, the tally,
 * the fact cache, a play's plans, the transports), and sums shallow sizes per owner. With two
 * snapshots at two host counts it prints what each additional host costs per owner (bench/heap-run.ts
 * writes such pairs). An approximation of retained size (shared objects go to the first path found),
 * good enough to say which structure grows with the hosts. Compiled code is left out (it grows with
 * the work done, as more functions get optimised, not with what the run keeps); BY_TYPE=1 splits each
 * owner by object type.
 *
 *   node --import tsx bench/heap-owners.ts A.heapsnapshot B.heapsnapshot HOSTS_A HOSTS_B
 */
import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Objects of these classes own what hangs below them. */
const CLASSES = new Set(["EventQueue", "RunRecorder", "RunTally", "TransportPool", "Ssh2Transport", "SshTransport", "Client", "Socket"]);
/** Properties and closure variables of run structures that own what hangs below them. */
const EDGES = new Set(["factCache", "plans", "items", "transports", "hosts", "changedOps", "status", "started", "planned", "durations"]);

/** Bytes per owner ("(other)" for objects below no owner). */
export function byOwner(file: string): Map<string, number> {
  const s = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const nf = s.snapshot.meta.node_fields;
  const ef = s.snapshot.meta.edge_fields;
  const nTypes = s.snapshot.meta.node_types[0];
  const eTypes = s.snapshot.meta.edge_types[0];
  const [iType, iName, iSize, iEdges] = [nf.indexOf("type"), nf.indexOf("name"), nf.indexOf("self_size"), nf.indexOf("edge_count")];
  const [eType, eName, eTo] = [ef.indexOf("type"), ef.indexOf("name_or_index"), ef.indexOf("to_node")];
  const count = s.nodes.length / nf.length;
  const firstEdge = new Int32Array(count + 1);
  for (let n = 0; n < count; n++) firstEdge[n + 1] = (firstEdge[n] as number) + (s.nodes[n * nf.length + iEdges] as number) * ef.length;
  const owner = new Array<string | undefined>(count);
  const seen = new Uint8Array(count);
  owner[0] = "(other)";
  seen[0] = 1;
  const queue = [0];
  for (let q = 0; q < queue.length; q++) {
    const n = queue[q] as number;
    for (let e = firstEdge[n] as number; e < (firstEdge[n + 1] as number); e += ef.length) {
      const type = eTypes[s.edges[e + eType] as number];
      if (type === "weak" || type === "shortcut") continue;
      const to = (s.edges[e + eTo] as number) / nf.length;
      if (seen[to]) continue;
      seen[to] = 1;
      const edgeName = type === "element" || type === "hidden" ? "" : s.strings[s.edges[e + eName] as number];
      const cls =
        nTypes[s.nodes[to * nf.length + iType] as number] === "object" ? s.strings[s.nodes[to * nf.length + iName] as number] : "";
      const mine = owner[n] as string;
      owner[to] =
        mine === "(other)" && cls && CLASSES.has(cls) ? cls : mine === "(other)" && edgeName && EDGES.has(edgeName) ? `.${edgeName}` : mine;
      queue.push(to);
    }
  }
  const out = new Map<string, number>();
  for (let n = 0; n < count; n++) {
    const type = nTypes[s.nodes[n * nf.length + iType] as number] as string;
    // Compiled code grows with the work done (more functions get optimised), not with what a run keeps per host.
    if (type === "code") continue;
    const what = process.env.BY_TYPE ? ` ${type}:${s.strings[s.nodes[n * nf.length + iName] as number]?.slice(0, 40)}` : "";
    const k = `${owner[n] ?? "(unreachable)"}${what}`;
    out.set(k, (out.get(k) ?? 0) + (s.nodes[n * nf.length + iSize] as number));
  }
  return out;
}

function main(argv: string[]): void {
  const [a, b, na, nb] = argv;
  if (!a || !b) throw new Error("usage: heap-owners.ts A.heapsnapshot B.heapsnapshot HOSTS_A HOSTS_B");
  const A = byOwner(a);
  const B = byOwner(b);
  const dn = Number(nb) - Number(na);
  const rows = [...new Set([...A.keys(), ...B.keys()])].map((k) => [k, ((B.get(k) ?? 0) - (A.get(k) ?? 0)) / dn] as const);
  rows.sort((x, y) => y[1] - x[1]);
  const total = rows.reduce((t, r) => t + r[1], 0);
  const lines = [`per additional host: ${(total / 1024).toFixed(1)} KiB`, "| owner | KiB/host |", "|---|---:|"];
  for (const [k, bytes] of rows) if (Math.abs(bytes) >= 256) lines.push(`| ${k} | ${(bytes / 1024).toFixed(1)} |`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
