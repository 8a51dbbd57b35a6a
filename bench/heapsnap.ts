/**
 * What a Bosun run's heap holds, by constructor: sums the shallow sizes of a V8 heap snapshot
 * (`node --heapsnapshot-signal=SIGUSR2 bin/bosun.js …`, then `kill -USR2 PID` mid-run), or the
 * difference between two snapshots taken at two host counts, divided by the host difference: what
 * each additional host costs.
 *
 *   node --import tsx bench/heapsnap.ts A.heapsnapshot [B.heapsnapshot HOSTS_A HOSTS_B]
 */
import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Bytes and object count per "type:name" (strings and code grouped by type only). */
export function byConstructor(file: string): Map<string, { bytes: number; count: number }> {
  const s = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const f = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = [f.indexOf("type"), f.indexOf("name"), f.indexOf("self_size")];
  const out = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < s.nodes.length; i += f.length) {
    const type = types[s.nodes[i + iType] as number] as string;
    const named = type === "object" || type === "closure" || type === "native";
    const key = named ? `${type}:${s.strings[s.nodes[i + iName] as number]}` : type;
    const e = out.get(key) ?? { bytes: 0, count: 0 };
    e.bytes += s.nodes[i + iSize] as number;
    e.count++;
    out.set(key, e);
  }
  return out;
}

function main(argv: string[]): void {
  const [a, b, na, nb] = argv;
  if (!a) throw new Error("usage: heapsnap.ts A.heapsnapshot [B.heapsnapshot HOSTS_A HOSTS_B]");
  const A = byConstructor(a);
  const rows: [string, number, number][] = [];
  if (b) {
    const B = byConstructor(b);
    const dn = Number(nb) - Number(na);
    for (const k of new Set([...A.keys(), ...B.keys()])) {
      const d = (B.get(k)?.bytes ?? 0) - (A.get(k)?.bytes ?? 0);
      rows.push([k, d / dn, ((B.get(k)?.count ?? 0) - (A.get(k)?.count ?? 0)) / dn]);
    }
  } else for (const [k, v] of A) rows.push([k, v.bytes, v.count]);
  rows.sort((x, y) => y[1] - x[1]);
  const total = rows.reduce((t, r) => t + r[1], 0);
  process.stdout.write(
    `${b ? "per additional host" : "heap"}: ${(total / 1024).toFixed(1)} KiB\n| what | KiB | objects |\n|---|---:|---:|\n`,
  );
  for (const [k, bytes, count] of rows.slice(0, 20))
    process.stdout.write(`| ${k} | ${(bytes / 1024).toFixed(1)} | ${count.toFixed(0)} |\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
