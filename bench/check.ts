/**
 * End-state checker: reads the same things on every host (one ssh exec each) and compares the hosts
 * Bosun configured with the hosts Ansible configured. Every host is compared with the first Bosun
 * host of its group (web or db), so a difference between the tools, or between two hosts of the same
 * tool, shows up as a named difference.
 *
 * Standalone: node --import tsx bench/check.ts BOSUN_INVENTORY.yml ANSIBLE_INVENTORY.yml
 * (the inventories the runner writes in bench/.work/).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import type { BenchHost, LabAccess } from "./lab.js";
import { freshSshArgs } from "./measure.js";

/** Files (and links, directories) compared on every host: type, mode, owner, group, sha256 of content. */
export const FILES = [
  "/etc/localtime",
  "/etc/timezone",
  "/etc/sudoers.d/ops",
  "/etc/motd",
  "/etc/ssh/sshd_config.d/10-bosun-hardening.conf",
  "/etc/sysctl.d/99-bosun-net.core.somaxconn.conf",
  "/etc/sysctl.d/99-bosun-net.ipv4.tcp_syncookies.conf",
  "/etc/passwd",
  "/etc/group",
  "/srv/data",
  "/srv/data/example",
  "/srv/backup",
  "/home/alice",
  "/home/alice/.ssh",
  "/home/alice/.ssh/authorized_keys",
  "/home/bob",
  "/home/bob/.ssh",
  "/home/bob/.ssh/authorized_keys",
  // web hosts (absent on db hosts, which is compared too)
  "/srv/app",
  "/srv/app/releases",
  "/srv/app/releases/1.0.0",
  "/srv/app/releases/1.0.0/public",
  "/srv/app/releases/1.0.0/public/index.html",
  "/srv/app/releases/1.0.0/public/health",
  "/srv/app/releases/1.0.0/public/version",
  "/srv/app/current",
  "/srv/app/app.env",
  "/srv/data/app",
  "/etc/systemd/system/app.service",
  "/etc/systemd/system/multi-user.target.wants/app.service",
  "/etc/cron.d/app-prune-releases",
  "/etc/nginx/sites-available/app",
  "/etc/nginx/sites-enabled/app",
  "/etc/nginx/sites-enabled/default",
];

/** Directories whose whole tree is listed (names, types, modes, owners, link targets): catches stray temp files. */
export const TREES = [
  "/srv",
  "/home/alice",
  "/home/bob",
  "/etc/sudoers.d",
  "/etc/sysctl.d",
  "/etc/ssh/sshd_config.d",
  "/etc/cron.d",
  "/etc/nginx/sites-enabled",
  "/etc/nginx/sites-available",
];

export const USERS = ["alice", "bob", "app"];
export const GROUPS = ["ops", "alice", "bob", "app"];
export const UNITS = ["app", "nginx", "ssh"];
export const SYSCTLS = ["net.core.somaxconn", "net.ipv4.tcp_syncookies"];

const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** The one script every host runs: tab-separated `kind<TAB>key<TAB>value` lines (contents base64). */
export function stateScript(web: boolean): string {
  const sh = [
    "export LC_ALL=C",
    "f() {",
    '  if [ -L "$1" ]; then printf "file\\t%s\\tlink %s %s\\n" "$1" "$(readlink "$1")" "$(stat -c %U:%G "$1")"',
    '  elif [ -d "$1" ]; then printf "file\\t%s\\tdir %s\\n" "$1" "$(stat -c "%a %U:%G" "$1")"',
    '  elif [ -f "$1" ]; then printf "file\\t%s\\tfile %s b64:%s\\n" "$1" "$(stat -c "%a %U:%G" "$1")" "$(base64 -w0 < "$1")"',
    '  elif [ -e "$1" ]; then printf "file\\t%s\\tother\\n" "$1"',
    '  else printf "file\\t%s\\tabsent\\n" "$1"; fi',
    "}",
    ...FILES.map((p) => `f ${q(p)}`),
    ...TREES.map(
      (t) =>
        `printf "tree\\t%s\\t%s\\n" ${q(t)} "$(find ${q(t)} -mindepth 1 -printf '%P %y %m %u:%g %l;' 2>/dev/null | tr ';' '\\n' | sort | tr '\\n' ';')"`,
    ),
    ...USERS.map((u) => `printf "passwd\\t%s\\t%s\\n" ${q(u)} "$(getent passwd ${q(u)} || echo ABSENT)"`),
    ...USERS.map((u) => `printf "shadow-password\\t%s\\t%s\\n" ${q(u)} "$(getent shadow ${q(u)} | cut -d: -f2)"`),
    ...USERS.map((u) => `printf "id-groups\\t%s\\t%s\\n" ${q(u)} "$(id -Gn ${q(u)} 2>/dev/null || echo ABSENT)"`),
    ...GROUPS.map((g) => `printf "group\\t%s\\t%s\\n" ${q(g)} "$(getent group ${q(g)} || echo ABSENT)"`),
    ...UNITS.map(
      (u) =>
        `printf "unit\\t%s\\t%s %s\\n" ${q(u)} "$(systemctl is-enabled ${q(u)} 2>/dev/null || true)" "$(systemctl is-active ${q(u)} 2>/dev/null || true)"`,
    ),
    `printf "timezone\\tlocaltime\\t%s\\n" "$(readlink /etc/localtime)"`,
    `printf "timezone\\tdate\\t%s\\n" "$(date +%Z)"`,
    ...SYSCTLS.map((k) => `printf "sysctl\\t%s\\t%s\\n" ${q(k)} "$(sysctl -n ${q(k)} 2>&1)"`),
    `printf "listening\\ttcp\\t%s\\n" "$(ss -Hltn 2>/dev/null | awk '{print $4}' | sort -u | tr '\\n' ' ')"`,
    `dpkg-query -W -f '\${Package}\\t\${Version} \${db:Status-Abbrev}\\n' | sed 's/^/package\\t/'`,
  ];
  if (web) {
    sh.push(
      `printf "http\\t/version\\t%s\\n" "$(curl -fsS -m 5 http://127.0.0.1/version 2>&1 | base64 -w0)"`,
      `printf "http\\t/\\t%s\\n" "$(curl -fsS -m 5 http://127.0.0.1/ 2>&1 | base64 -w0)"`,
      `printf "http\\t/health (app port)\\t%s\\n" "$(curl -fsS -m 5 http://127.0.0.1:9100/health 2>&1 | base64 -w0)"`,
    );
  }
  return `${sh.join("\n")}\n`;
}

/** A host's state: "kind key" → value, with the host's own name replaced by <HOST> and contents hashed. */
export type HostState = Map<string, string>;

/** Parses a host's script output into its state (normalising its own name, hashing file contents). */
export function parseState(output: string, host: string): HostState {
  // Only the name as a whole word: "db5" is this host in "served by db5", not in package "libdb5.3".
  const own = new RegExp(`(?<![A-Za-z0-9])${host.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9])`, "g");
  const norm = (s: string) => s.replace(own, "<HOST>");
  const sha = (b64: string) =>
    createHash("sha256")
      .update(norm(Buffer.from(b64, "base64").toString("utf8")))
      .digest("hex");
  const state: HostState = new Map();
  for (const line of output.split("\n")) {
    if (!line) continue;
    const [kind, key, ...rest] = line.split("\t");
    let value = rest.join("\t");
    if (kind === "file") value = value.replace(/ b64:(\S*)$/, (_m, b64: string) => ` sha256:${sha(b64)}`);
    else if (kind === "http") value = Buffer.from(value, "base64").toString("utf8").trim();
    state.set(`${kind} ${norm(key ?? "")}`, norm(value));
  }
  return state;
}

/** Reads one host's state over a fresh ssh connection. */
export function readHostState(h: BenchHost, access: LabAccess): Promise<HostState> {
  const args = [...freshSshArgs(access, h), "sh -s"];
  return new Promise((resolve, reject) => {
    const child = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0)
        return reject(new Error(`check: reading ${h.name} failed (ssh exit ${code}): ${Buffer.concat(err).toString().trim()}`));
      resolve(parseState(Buffer.concat(out).toString("utf8"), h.name));
    });
    child.stdin.end(stateScript(h.group === "web"));
  });
}

export interface Labeled {
  host: BenchHost;
  tool: string;
}

export interface Difference {
  key: string;
  reference: string;
  host: string;
  expected: string;
  actual: string;
}

/** Returns the differences of every host from the first host of the first tool in its group. */
export function compareStates(states: { label: Labeled; state: HostState }[]): Difference[] {
  const diffs: Difference[] = [];
  for (const group of ["web", "db"]) {
    const members = states.filter((s) => s.label.host.group === group);
    const ref = members[0];
    if (!ref) continue;
    const refName = `${ref.label.host.name} (${ref.label.tool})`;
    for (const m of members.slice(1)) {
      const keys = new Set([...ref.state.keys(), ...m.state.keys()]);
      for (const key of [...keys].sort()) {
        const a = ref.state.get(key) ?? "<missing>";
        const b = m.state.get(key) ?? "<missing>";
        if (a !== b) diffs.push({ key, reference: refName, host: `${m.label.host.name} (${m.label.tool})`, expected: a, actual: b });
      }
    }
  }
  return diffs;
}

/** Human lines for differences (long values cut). */
export function formatDifferences(diffs: Difference[]): string {
  const cut = (v: string) => {
    const s = v.includes("\n") ? JSON.stringify(v) : v;
    return s.length > 300 ? `${s.slice(0, 297)}...` : s;
  };
  return diffs.map((d) => `  ${d.key}\n    ${d.reference}: ${cut(d.expected)}\n    ${d.host}: ${cut(d.actual)}`).join("\n");
}

export interface CheckResult {
  hosts: number;
  keys: number;
  differences: Difference[];
}

/** Reads every host (10 at a time) and compares them; the first set's first host of each group is the reference. */
export async function checkEndStates(sets: { tool: string; hosts: BenchHost[] }[], access: LabAccess): Promise<CheckResult> {
  const labels: Labeled[] = sets.flatMap((s) => s.hosts.map((host) => ({ host, tool: s.tool })));
  const states: { label: Labeled; state: HostState }[] = new Array(labels.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(10, labels.length) }, async () => {
      while (next < labels.length) {
        const i = next++;
        const label = labels[i] as Labeled;
        states[i] = { label, state: await readHostState(label.host, access) };
      }
    }),
  );
  return { hosts: states.length, keys: states[0]?.state.size ?? 0, differences: compareStates(states) };
}

function hostsOf(inventoryFile: string, addressVar: string): BenchHost[] {
  const inv = parseYaml(readFileSync(inventoryFile, "utf8")) as {
    all: { children?: Record<string, { hosts?: Record<string, Record<string, string>> }> };
  };
  return Object.entries(inv.all.children ?? {}).flatMap(([group, g]) =>
    Object.entries(g.hosts ?? {}).map(([name, vars]) => ({
      name,
      address: String(vars[addressVar]),
      group: group as "web" | "db",
      index: -1,
    })),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [bosunInv, ansibleInv] = process.argv.slice(2);
  if (!bosunInv || !ansibleInv) {
    console.error("usage: node --import tsx bench/check.ts BOSUN_INVENTORY.yml ANSIBLE_INVENTORY.yml");
    process.exit(64);
  }
  const vars = (parseYaml(readFileSync(bosunInv, "utf8")) as { all: { vars: Record<string, string> } }).all.vars;
  const access: LabAccess = {
    user: vars.bosun_user ?? "root",
    key: String(vars.bosun_ssh_key),
    knownHosts: String(vars.bosun_known_hosts),
  };
  const r = await checkEndStates(
    [
      { tool: "bosun", hosts: hostsOf(bosunInv, "bosun_host") },
      { tool: "ansible", hosts: hostsOf(ansibleInv, "ansible_host") },
    ],
    access,
  );
  if (r.differences.length) {
    console.error(`END STATES DIFFER (${r.differences.length} differences):\n${formatDifferences(r.differences)}`);
    process.exit(1);
  }
  console.log(`end states match: ${r.hosts} hosts, ${r.keys} items each`);
}
