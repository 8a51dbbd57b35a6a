/** Result rows, the Markdown report and the targets of `npm run bench`. */

/** "bosun" is Bosun over OpenSSH, "bosun-ssh2" over the in-process transport; "one-exec" the hand-written script. */
export type Tool = "bosun" | "bosun-ssh2" | "ansible" | "ansible-mitogen" | "one-exec";

const isBosun = (t: Tool) => t === "bosun" || t === "bosun-ssh2";

/** One row of bench/results/latest.json (absolute seconds and MiB). */
export interface Row {
  tool: Tool;
  n: number;
  first_s: number;
  noop_s: number;
  check_s: number;
  floor_s: number;
  peak_rss_mib: number;
  /** Bosun's SSH transport (Bosun and one-exec rows). */
  transport?: string;
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
  /** Bosun's SSH transport of the no-op runs (the floor is OpenSSH's `ssh true` either way). */
  transport?: string;
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
  /** Over every N, the first transport (the figure earlier results reported). */
  growth_mib_per_host: Growth;
  /** Per transport, from N = 50 up: what each additional host costs. */
  by_transport?: PerHost[];
}

/** Least-squares slopes over the scaling rows of one transport from N = from_n up (all N if fewer than 2 are ≥ 50). */
export interface PerHost {
  transport: string;
  from_n: number;
  points: number;
  rss_mib_per_host: number;
  ssh_mib_per_host: number;
  tool_mib_per_host: number;
  noop_ms_per_host: number;
  floor_ms_per_host: number;
}

export function perHostCosts(transport: string, all: ScalingRow[]): PerHost {
  const mine = all.filter((r) => (r.transport ?? "openssh") === transport);
  const big = mine.filter((r) => r.n >= 50);
  const rows = big.length >= 2 ? big : mine;
  const xs = rows.map((r) => r.n);
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const by = (f: (r: ScalingRow) => number) => r2(slope(xs, rows.map(f)));
  return {
    transport,
    from_n: Math.min(...xs),
    points: rows.length,
    rss_mib_per_host: by((r) => r.peak_rss_mib),
    ssh_mib_per_host: by((r) => r.peak_ssh_mib),
    tool_mib_per_host: by((r) => r.peak_tool_mib),
    noop_ms_per_host: by((r) => r.noop_s * 1000),
    floor_ms_per_host: by((r) => r.floor_s * 1000),
  };
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
  transport?: string;
  categories: { name: string; ms: number }[];
  /** Top self-time functions. */
  top?: { fn: string; where: string; ms: number }[];
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

/** "2.45× (limit ≤ 2.0×: 23% over)" */
function against(v: number, limit: number, atMost: boolean, unit = "×"): { text: string; met: boolean | undefined } {
  if (!Number.isFinite(v)) return { text: "not measured", met: undefined };
  const met = atMost ? v <= limit : v >= limit;
  const f = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(1)}${unit}`;
  const off = atMost ? (v - limit) / limit : (limit - v) / limit;
  return { text: `${f(v)} (${atMost ? "≤" : "≥"} ${f(limit)}${met ? "" : `: missed by ${(100 * off).toFixed(0)}%`})`, met };
}

/**
 * The issue's targets: per Bosun transport, at N=20 (or the largest N compared) and N=50 (a compared
 * N=50, else the scaling run's), and the scaling run's per-host slopes from N=50 up.
 */
export function targets(rows: Row[], sc: ScalingResult | undefined): { n: number; list: Target[] } {
  const ns = [...new Set(rows.map((r) => r.n))].sort((a, b) => a - b);
  const n = ns.includes(20) ? 20 : (ns[ns.length - 1] ?? 0);
  const at = (tool: Tool, m: number) => rows.find((r) => r.tool === tool && r.n === m);
  const a = at("ansible", n);
  const one = at("one-exec", n);
  const list: Target[] = [];
  const push = (name: string, what: string, r: { text: string; met: boolean | undefined }) =>
    list.push({ name, measured: `${what} = ${r.text}`, met: r.met });
  const bosunTools = [...new Set(rows.filter((r) => isBosun(r.tool)).map((r) => r.tool))];
  const transports = new Set([
    ...bosunTools.map((t) => (t === "bosun" ? "openssh" : "ssh2")),
    ...(sc?.by_transport ?? []).map((p) => p.transport),
  ]);
  for (const tr of transports) {
    const tool: Tool = tr === "openssh" ? "bosun" : "bosun-ssh2";
    const b = at(tool, n);
    const label = `[${tr}]`;
    push(
      `${label} no-op at N=${n} ≤ 2.0× the floor`,
      "Bosun/floor",
      against((b?.noop_s ?? Number.NaN) / (b?.floor_s ?? Number.NaN), 2, true),
    );
    push(
      `${label} check at N=${n} ≤ 2.0× the floor`,
      "Bosun/floor",
      against((b?.check_s ?? Number.NaN) / (b?.floor_s ?? Number.NaN), 2, true),
    );
    const b50 = at(tool, 50);
    const s50 = sc?.rows.find((r) => r.n === 50 && (r.transport ?? "openssh") === tr);
    const r50 = b50 ? b50.noop_s / b50.floor_s : s50 ? s50.noop_s / s50.floor_s : Number.NaN;
    push(`${label} no-op at N=50 ≤ 2.0× the floor${b50 ? "" : " (scaling run)"}`, "Bosun/floor", against(r50, 2, true));
    push(
      `${label} first apply at N=${n} ≤ 1.15× the one-exec script`,
      "Bosun/one-exec",
      against((b?.first_s ?? Number.NaN) / (one?.first_s ?? Number.NaN), 1.15, true),
    );
    push(
      `${label} no-op at N=${n} ≥ 20× faster than tuned Ansible`,
      "Ansible/Bosun",
      against((a?.noop_s ?? Number.NaN) / (b?.noop_s ?? Number.NaN), 20, false),
    );
    push(
      `${label} check at N=${n} ≥ 20× faster than ansible-playbook --check`,
      "Ansible/Bosun",
      against((a?.check_s ?? Number.NaN) / (b?.check_s ?? Number.NaN), 20, false),
    );
    push(
      `${label} first apply at N=${n} ≥ 3× faster than tuned Ansible`,
      "Ansible/Bosun",
      against((a?.first_s ?? Number.NaN) / (b?.first_s ?? Number.NaN), 3, false),
    );
    const p = sc?.by_transport?.find((x) => x.transport === tr);
    const span = p ? `N=${p.from_n}..${sc?.largest_n}, ${p.points} points` : "";
    const rss = against(p?.rss_mib_per_host ?? Number.NaN, 1, true, " MiB/host");
    list.push({
      name: `${label} controller peak RSS growth ≤ 1 MiB per host from N=50 to the largest N`,
      measured: p
        ? `${rss.text}; ssh processes ${p.ssh_mib_per_host.toFixed(2)}, the rest ${p.tool_mib_per_host.toFixed(2)} (${span})`
        : "not measured",
      met: rss.met,
    });
    // Flat: the no-op's cost per added host is no more than the floor's (10% allowed for noise).
    const flat = p ? p.noop_ms_per_host / p.floor_ms_per_host : Number.NaN;
    list.push({
      name: `${label} no-op cost per host flat from N=50 up (slope ≤ 1.1× the floor's slope)`,
      measured: p
        ? `no-op ${p.noop_ms_per_host.toFixed(1)} ms/host vs floor ${p.floor_ms_per_host.toFixed(1)} ms/host = ${against(flat, 1.1, true).text} (${span})`
        : "not measured",
      met: against(flat, 1.1, true).met,
    });
  }
  return { n, list };
}

export function resultsTable(rows: Row[], details: Detail[], repeat: number): string {
  const lines = [
    `| tool | N | first apply (s) | no-op (s, median of ${repeat}) | check (s, median of ${repeat}) | floor (s) | peak RSS (MiB) | RSS first / no-op / check (MiB) | processes at the peak (MiB) |`,
    "|---|---:|---:|---:|---:|---:|---:|---|---|",
  ];
  const order: Tool[] = ["bosun", "bosun-ssh2", "one-exec", "ansible", "ansible-mitogen"];
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
    "| N | transport | metric | Bosun | Ansible | Ansible/Bosun | mitogen | mitogen/Bosun | floor | Bosun/floor | one-exec | Bosun/one-exec |",
    "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const ns = [...new Set(rows.map((r) => r.n))].sort((a, b) => a - b);
  for (const n of ns) {
    const a = rows.find((r) => r.tool === "ansible" && r.n === n);
    const m = rows.find((r) => r.tool === "ansible-mitogen" && r.n === n);
    const one = rows.find((r) => r.tool === "one-exec" && r.n === n);
    for (const b of rows.filter((r) => isBosun(r.tool) && r.n === n)) {
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
        const ov = key === "first_s" && one ? one.first_s : Number.NaN;
        lines.push(
          `| ${n} | ${b.transport ?? "openssh"} | ${label} (${unit}) | ${fmt(bv)} | ${fmt(av)} | ${x1(av / bv)} | ${fmt(mv)} | ${x1(mv / bv)} | ${unit === "s" ? s(b.floor_s) : ""} | ${vsFloor} | ${key === "first_s" ? s(ov) : ""} | ${key === "first_s" ? x1(bv / ov) : ""} |`,
        );
      }
    }
  }
  return lines.join("\n");
}

export function scalingTable(sc: ScalingResult): string {
  const lines = [
    `| N | transport | no-op (s, median of ${sc.repeat}) | floor (s) | no-op/floor | peak RSS (MiB) | ssh part (MiB) | rest (MiB) | ssh procs | processes at the peak | peak PSS (MiB) | converge apply (s) |`,
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
  ];
  for (const r of sc.rows) {
    lines.push(
      `| ${r.n} | ${r.transport ?? "openssh"} | ${s(r.noop_s)} | ${s(r.floor_s)} | ${x1(r.noop_s / r.floor_s)} | ${mib(r.peak_rss_mib)} | ${mib(r.peak_ssh_mib)} | ${mib(r.peak_tool_mib)} | ${r.max_ssh_procs} | ${r.at_peak} | ${mib(r.peak_pss_mib)} | ${s(r.converge_s)} |`,
    );
  }
  const g = sc.growth_mib_per_host;
  const f2 = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x.toFixed(2) : "–");
  lines.push(
    "",
    `Largest N reached: **${sc.largest_n}**${sc.stopped ? ` (stopped: ${sc.stopped})` : ""}. Over every N (${g.points} points, ` +
      `${sc.rows[0]?.transport ?? "openssh"}), memory grows **${f2(g.total)} MiB/host** (least squares; ssh processes ${f2(g.ssh)}, ` +
      `the rest ${f2(g.tool)}; as PSS, shared pages split among the processes sharing them, ${f2(g.pss)} MiB/host).`,
  );
  if (sc.by_transport?.length) {
    lines.push(
      "",
      "Per additional host from N = 50 up (least-squares slopes):",
      "",
      "| transport | N from | points | RSS (MiB/host) | ssh part | rest | no-op (ms/host) | floor (ms/host) | no-op slope / floor slope |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
      ...sc.by_transport.map(
        (p) =>
          `| ${p.transport} | ${p.from_n} | ${p.points} | ${f2(p.rss_mib_per_host)} | ${f2(p.ssh_mib_per_host)} | ${f2(p.tool_mib_per_host)} | ${f2(p.noop_ms_per_host)} | ${f2(p.floor_ms_per_host)} | ${x1(p.noop_ms_per_host / p.floor_ms_per_host)} |`,
      ),
    );
  }
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
    `One \`bosun apply --yes --json\` no-op on the N=${p.n} Bosun hosts${p.transport ? ` over ${p.transport}` : ""} under \`node --cpu-prof\` (profile: \`${p.profileFile}\`).`,
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
  if (p.top?.length) {
    lines.push("", "Top self-time functions:", "", "| function | where | ms | share |", "|---|---|---:|---:|");
    for (const t of p.top)
      lines.push(`| \`${t.fn}\` | ${t.where || "(native)"} | ${t.ms.toFixed(0)} | ${((100 * t.ms) / p.sampledMs).toFixed(1)}% |`);
  }
  return lines.join("\n");
}
