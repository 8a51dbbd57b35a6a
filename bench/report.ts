/** Result rows, the Markdown report and the targets of `npm run bench`. */

export type Tool = "bosun" | "ansible" | "ansible-mitogen";

/** One row of bench/results/latest.json (absolute seconds and MiB). */
export interface Row {
  tool: Tool;
  n: number;
  first_s: number;
  noop_s: number;
  check_s: number;
  floor_s: number;
  peak_rss_mib: number;
  date: string;
}

/** What the Markdown shows beyond the row. */
export interface Detail {
  tool: Tool;
  n: number;
  hosts: string[];
  noopAll: number[];
  checkAll: number[];
  floorAll: number[];
  firstRss: number;
  noopRss: number;
  checkRss: number;
  /** ssh processes' share of the peak, and how many ssh processes ran at once at most. */
  peakSshMiB: number;
  /** The processes at the peak (MiB): "node 80.1, ssh×6 21.9". */
  atPeak: string;
  maxSsh: number;
}

export interface ScalingRow {
  n: number;
  noop_s: number;
  floor_s: number;
  peak_rss_mib: number;
  /** The ssh processes' part of that peak, and the rest (node). */
  peak_ssh_mib: number;
  peak_tool_mib: number;
  max_ssh_procs: number;
  /** The processes at the peak: "node 80.1 MiB, ssh×6 21.9 MiB, …". */
  at_peak: string;
  /** Peak of the summed PSS in one more (untimed) no-op: shared pages counted once overall. */
  peak_pss_mib: number;
  converge_s: number;
  date: string;
}

export interface Growth {
  /** Least-squares slope of peak RSS over host count (MiB per additional host). */
  total: number;
  ssh: number;
  tool: number;
  /** The same slope for PSS (not a target; shows how much of the RSS growth is shared pages). */
  pss?: number;
  points: number;
}

export interface ScalingResult {
  date: string;
  offset: number;
  repeat: number;
  requested: number[];
  largest_n: number;
  stopped?: string;
  rows: ScalingRow[];
  growth_mib_per_host: Growth;
}

export interface MitogenStatus {
  tried: boolean;
  works: boolean;
  /** Why it was not run or how it failed (quoted from Ansible's output). */
  note: string;
  version?: string;
}

export interface ProfileSummary {
  n: number;
  wallS: number;
  runMs: number;
  hostMedianMs: number;
  nodeStartMs: number;
  cliLoadMs: number;
  categories: { name: string; ms: number }[];
  sampledMs: number;
  profileFile: string;
}

export interface Env {
  date: string;
  cpus: number;
  memGiB: number;
  kernel: string;
  node: string;
  bosun: string;
  ansible: string;
  repeat: number;
  offset: number;
  sizes: number[];
}

export const r3 = (x: number) => Math.round(x * 1000) / 1000;
export const r1 = (x: number) => Math.round(x * 10) / 10;

/** Least-squares slope of y over x. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

export function growthOf(rows: ScalingRow[]): Growth {
  const xs = rows.map((r) => r.n);
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const by = (f: (r: ScalingRow) => number) => r2(slope(xs, rows.map(f)));
  return {
    total: by((r) => r.peak_rss_mib),
    ssh: by((r) => r.peak_ssh_mib),
    tool: by((r) => r.peak_tool_mib),
    pss: by((r) => r.peak_pss_mib),
    points: rows.length,
  };
}

/** "node 80.1, ssh×6 21.9" from a peak's by-name breakdown, largest first. */
export function atPeak(byName: Record<string, { mib: number; count: number }>): string {
  return Object.entries(byName)
    .sort((a, b) => b[1].mib - a[1].mib)
    .map(([name, e]) => `${name}${e.count > 1 ? `×${e.count}` : ""} ${e.mib.toFixed(1)}`)
    .join(", ");
}

const s = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(3) : x.toFixed(2)) : "–");
const x1 = (x: number) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(1)}×` : "–");
const mib = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "–");

export interface Target {
  name: string;
  measured: string;
  met: boolean | undefined;
}

/** The issue's targets against the rows (at N=20, or the largest N compared when 20 was not run). */
export function targets(rows: Row[], growth: Growth | undefined, growthSource: string): { n: number; list: Target[] } {
  const ns = [...new Set(rows.map((r) => r.n))].sort((a, b) => a - b);
  const n = ns.includes(20) ? 20 : (ns[ns.length - 1] ?? 0);
  const b = rows.find((r) => r.tool === "bosun" && r.n === n);
  const a = rows.find((r) => r.tool === "ansible" && r.n === n);
  const list: Target[] = [];
  const ratio = (num?: number, den?: number) => (num !== undefined && den !== undefined && den > 0 ? num / den : Number.NaN);
  const noopRatio = ratio(a?.noop_s, b?.noop_s);
  const floorRatio = ratio(b?.noop_s, b?.floor_s);
  const checkRatio = ratio(a?.check_s, b?.check_s);
  const firstRatio = ratio(a?.first_s, b?.first_s);
  const judge = (v: number, ok: (v: number) => boolean) => (Number.isFinite(v) ? ok(v) : undefined);
  list.push({
    name: `no-op at N=${n}: ≥ 20× faster than tuned Ansible`,
    measured: `Ansible/Bosun = ${x1(noopRatio)}`,
    met: judge(noopRatio, (v) => v >= 20),
  });
  list.push({
    name: `no-op at N=${n}: within 3× of the floor`,
    measured: `Bosun/floor = ${x1(floorRatio)}`,
    met: judge(floorRatio, (v) => v <= 3),
  });
  list.push({
    name: `check at N=${n}: ≥ 20× faster than ansible-playbook --check`,
    measured: `Ansible/Bosun = ${x1(checkRatio)}`,
    met: judge(checkRatio, (v) => v >= 20),
  });
  list.push({
    name: `first apply at N=${n}: ≥ 3× faster`,
    measured: `Ansible/Bosun = ${x1(firstRatio)}`,
    met: judge(firstRatio, (v) => v >= 3),
  });
  const g = growth?.total ?? Number.NaN;
  list.push({
    name: "controller memory grows < 5 MiB per additional host",
    measured: Number.isFinite(g)
      ? `${g.toFixed(2)} MiB/host of RSS (${growthSource}${
          growth && Number.isFinite(growth.ssh) ? `; ssh processes ${growth.ssh.toFixed(2)}, the rest ${growth.tool.toFixed(2)}` : ""
        }${growth?.pss !== undefined && Number.isFinite(growth.pss) ? `; as PSS ${growth.pss.toFixed(2)}` : ""})`
      : "not measured",
    met: judge(g, (v) => v < 5),
  });
  return { n, list };
}

export function resultsTable(rows: Row[], details: Detail[], repeat: number): string {
  const lines = [
    `| tool | N | first apply (s) | no-op (s, median of ${repeat}) | check (s, median of ${repeat}) | floor (s) | peak RSS (MiB) | RSS first / no-op / check (MiB) | processes at the peak (MiB) |`,
    "|---|---:|---:|---:|---:|---:|---:|---|---|",
  ];
  const order: Tool[] = ["bosun", "ansible", "ansible-mitogen"];
  for (const r of [...rows].sort((p, q) => p.n - q.n || order.indexOf(p.tool) - order.indexOf(q.tool))) {
    const d = details.find((x) => x.tool === r.tool && x.n === r.n);
    lines.push(
      `| ${r.tool} | ${r.n} | ${s(r.first_s)} | ${s(r.noop_s)} | ${s(r.check_s)} | ${s(r.floor_s)} | ${mib(r.peak_rss_mib)} | ${
        d ? `${mib(d.firstRss)} / ${mib(d.noopRss)} / ${mib(d.checkRss)}` : ""
      } | ${d ? d.atPeak : ""} |`,
    );
  }
  return lines.join("\n");
}

export function ratioTable(rows: Row[]): string {
  const lines = [
    "| N | metric | Bosun | Ansible | Ansible/Bosun | mitogen | mitogen/Bosun | floor | Bosun/floor |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const ns = [...new Set(rows.map((r) => r.n))].sort((a, b) => a - b);
  for (const n of ns) {
    const b = rows.find((r) => r.tool === "bosun" && r.n === n);
    const a = rows.find((r) => r.tool === "ansible" && r.n === n);
    const m = rows.find((r) => r.tool === "ansible-mitogen" && r.n === n);
    if (!b) continue;
    const metrics: [string, keyof Row, string][] = [
      ["first apply", "first_s", "s"],
      ["no-op", "noop_s", "s"],
      ["check", "check_s", "s"],
      ["peak RSS", "peak_rss_mib", "MiB"],
    ];
    for (const [label, key, unit] of metrics) {
      const bv = b[key] as number;
      const av = a ? (a[key] as number) : Number.NaN;
      const mv = m ? (m[key] as number) : Number.NaN;
      const fmt = unit === "s" ? s : mib;
      const vsFloor = unit === "s" ? x1(bv / b.floor_s) : "";
      lines.push(
        `| ${n} | ${label} (${unit}) | ${fmt(bv)} | ${fmt(av)} | ${x1(av / bv)} | ${fmt(mv)} | ${x1(mv / bv)} | ${unit === "s" ? s(b.floor_s) : ""} | ${vsFloor} |`,
      );
    }
  }
  return lines.join("\n");
}

export function scalingTable(sc: ScalingResult): string {
  const lines = [
    `| N | no-op (s, median of ${sc.repeat}) | floor (s) | no-op/floor | peak RSS (MiB) | ssh part (MiB) | rest (MiB) | ssh procs | processes at the peak | peak PSS (MiB) | converge apply (s) |`,
    "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
  ];
  for (const r of sc.rows) {
    lines.push(
      `| ${r.n} | ${s(r.noop_s)} | ${s(r.floor_s)} | ${x1(r.noop_s / r.floor_s)} | ${mib(r.peak_rss_mib)} | ${mib(r.peak_ssh_mib)} | ${mib(r.peak_tool_mib)} | ${r.max_ssh_procs} | ${r.at_peak} | ${mib(r.peak_pss_mib)} | ${s(r.converge_s)} |`,
    );
  }
  const g = sc.growth_mib_per_host;
  lines.push(
    "",
    `Largest N reached: **${sc.largest_n}**${sc.stopped ? ` (stopped: ${sc.stopped})` : ""}. Memory growth per additional host ` +
      `(least-squares slope over ${g.points} points): **${Number.isFinite(g.total) ? g.total.toFixed(2) : "–"} MiB/host** ` +
      `(ssh processes ${Number.isFinite(g.ssh) ? g.ssh.toFixed(2) : "–"}, the rest ${Number.isFinite(g.tool) ? g.tool.toFixed(2) : "–"}). ` +
      `Counted as PSS instead (pages shared between processes, like the ssh clients' libraries, split among them): ` +
      `${g.pss !== undefined && Number.isFinite(g.pss) ? g.pss.toFixed(2) : "–"} MiB/host.`,
  );
  return lines.join("\n");
}

export function targetsTable(t: { n: number; list: Target[] }): string {
  const lines = ["| target | measured | status |", "|---|---|---|"];
  for (const x of t.list)
    lines.push(`| ${x.name} | ${x.measured} | ${x.met === undefined ? "not measured" : x.met ? "met" : "**missed**"} |`);
  return lines.join("\n");
}

export function profileSection(p: ProfileSummary): string {
  const before = p.wallS * 1000 - p.runMs;
  const lines = [
    `One \`bosun apply --yes --json\` no-op on the N=${p.n} Bosun hosts under \`node --cpu-prof\` (profile: \`${p.profileFile}\`).`,
    "",
    "Wall clock:",
    "",
    "| part | ms |",
    "|---|---:|",
    `| whole run (wall; this profiled run pays the profiler's overhead) | ${(p.wallS * 1000).toFixed(0)} |`,
    `| node start-up alone (\`node -e 0\`, median) | ${p.nodeStartMs.toFixed(0)} |`,
    `| + loading the CLI (\`bosun --version\` − node start-up, median) | ${p.cliLoadMs.toFixed(0)} |`,
    `| outside the engine's run: start-up, config, inventory, site import (tsx), typecheck cache, run record, exit (wall − recap) | ${before.toFixed(0)} |`,
    `| the engine's run (recap duration_ms: SSH connect, facts exec, plan, per host in parallel) | ${p.runMs.toFixed(0)} |`,
    `| one host, median (its host_finished duration_ms over both plays: connect + facts exec + plan) | ${p.hostMedianMs.toFixed(0)} |`,
    "",
    `CPU profile of the bosun process (self time by where the code lives; ${p.sampledMs.toFixed(0)} ms sampled; \`(idle)\` is the event loop waiting, mostly on ssh):`,
    "",
    "| where | ms | share |",
    "|---|---:|---:|",
  ];
  for (const c of p.categories) lines.push(`| ${c.name} | ${c.ms.toFixed(0)} | ${((100 * c.ms) / p.sampledMs).toFixed(1)}% |`);
  return lines.join("\n");
}
