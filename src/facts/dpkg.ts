import type { FactRequest } from "../core/operation.js";
import { quote } from "../util/shell.js";

export interface PackageState {
  installed: boolean;
  version?: string;
  /** Version apt would install (only asked for state "latest"). */
  candidate?: string;
}

/** Returns the fact of the dpkg state of packages (and apt's candidate versions when withCandidates). */
export function packagesFact(names: string[], withCandidates = false): FactRequest<Record<string, PackageState>> {
  const list = names.map(quote).join(" ");
  const cmd = [`dpkg-query -W -f='pkg\\t\${Package}\\t\${db:Status-Abbrev}\\t\${Version}\\n' ${list} 2>/dev/null; true`];
  if (withCandidates) cmd.push(`LC_ALL=C apt-cache policy ${list} 2>/dev/null; true`);
  return {
    key: `dpkg:${withCandidates ? "c:" : ""}${names.join(",")}`,
    command: cmd.join("\n"),
    parse: (out) => parsePackages(out, names),
  };
}

/** Parses dpkg-query lines (and `apt-cache policy` blocks) into each package's state. */
export function parsePackages(output: string, names: string[]): Record<string, PackageState> {
  const out: Record<string, PackageState> = Object.fromEntries(names.map((n) => [n, { installed: false }]));
  // dpkg-query and apt-cache print the bare name for an arch-qualified request ("libc6:amd64" → "libc6").
  const asked = (pkg: string) => {
    const hits = names.filter((n) => n === pkg || n.startsWith(`${pkg}:`));
    return hits.length > 0 ? hits : [pkg];
  };
  let policyPkg: string | undefined;
  for (const line of output.split("\n")) {
    const f = line.split("\t");
    if (f[0] === "pkg" && f.length >= 4) {
      const installed = (f[2] as string).startsWith("ii");
      for (const name of asked(f[1] as string)) out[name] = { ...out[name], installed, version: installed ? f[3] : undefined };
      continue;
    }
    const head = /^(\S+):$/.exec(line);
    if (head) policyPkg = head[1];
    const cand = /^\s+Candidate:\s+(\S+)/.exec(line);
    if (!cand || !policyPkg) continue;
    for (const name of asked(policyPkg)) {
      const st = out[name];
      if (st) st.candidate = cand[1] === "(none)" ? undefined : cand[1];
    }
  }
  return out;
}

/** Age in seconds of the apt package lists (Infinity when never updated). */
export function aptCacheAgeFact(): FactRequest<number> {
  return {
    key: "apt:cache-age",
    command: `t=$(stat -c %Y /var/lib/apt/lists/.bosun-stamp 2>/dev/null || stat -c %Y /var/cache/apt/pkgcache.bin 2>/dev/null || echo 0); echo $(( $(date +%s) - t ))`,
    parse: (out) => {
      const n = Number(out.trim());
      return Number.isFinite(n) && n < 1e9 ? n : Number.POSITIVE_INFINITY;
    },
  };
}
