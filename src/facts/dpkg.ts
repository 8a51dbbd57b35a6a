import type { FactBatchKind, FactRequest } from "../core/operation.js";
import { quote } from "../util/shell.js";

export interface PackageState {
  installed: boolean;
  version?: string;
  /** Version apt would install (only asked for state "latest"). */
  candidate?: string;
}

/** Returns the fact of the dpkg state of packages (and apt's candidate versions when withCandidates). */
export function packagesFact(names: string[], withCandidates = false): FactRequest<Record<string, PackageState>> {
  return {
    key: `dpkg:${withCandidates ? "c:" : ""}${names.join(",")}`,
    command: packagesCommand(names, withCandidates),
    parse: (out) => parsePackages(out, names),
    batch: { kind: withCandidates ? PACKAGES_WITH_CANDIDATES : PACKAGES, arg: names.join(" ") },
  };
}

/** Returns the sh printing dpkg-query lines for names (and their `apt-cache policy` blocks when withCandidates). */
function packagesCommand(names: string[], withCandidates: boolean): string {
  const list = names.map(quote).join(" ");
  const cmd = [`dpkg-query -W -f='pkg\\t\${Package}\\t\${db:Status-Abbrev}\\t\${Version}\\n' ${list} 2>/dev/null; true`];
  if (withCandidates) cmd.push(`LC_ALL=C apt-cache policy ${list} 2>/dev/null; true`);
  return cmd.join("\n");
}

/** Returns the batch kind of packagesFact: ONE dpkg-query (and apt-cache policy) for the packages of every apt op. */
function packagesKind(withCandidates: boolean): FactBatchKind {
  const namesOf = (args: string[]) => [...new Set(args.flatMap((a) => a.split(" ")))];
  return {
    id: withCandidates ? "dpkg+policy" : "dpkg",
    command: (args) => packagesCommand(namesOf(args), withCandidates),
    split: (output, rc, args) => {
      const parts = packageParts(output);
      return new Map(
        args.map((a) => {
          const mine = parts.filter((p) => askedBy(a.split(" "), p.pkg).length > 0);
          return [a, { output: mine.map((p) => p.text).join("\n"), rc }];
        }),
      );
    },
  };
}

const PACKAGES = packagesKind(false);
const PACKAGES_WITH_CANDIDATES = packagesKind(true);

/** Returns the output cut in the parts of one package each: a dpkg-query line, or an `apt-cache policy` block. */
function packageParts(output: string): { pkg: string; text: string }[] {
  const parts: { pkg: string; text: string }[] = [];
  for (const line of output.split("\n")) {
    const f = line.split("\t");
    const head = /^(\S+):$/.exec(line);
    if (f[0] === "pkg" && f.length >= 4) parts.push({ pkg: f[1] as string, text: line });
    else if (head) parts.push({ pkg: head[1] as string, text: line });
    else if (parts.length > 0) (parts.at(-1) as { text: string }).text += `\n${line}`;
  }
  return parts;
}

/** Returns the asked names a package line stands for: dpkg-query and apt-cache print the bare name for "libc6:amd64". */
function askedBy(names: string[], pkg: string): string[] {
  return names.filter((n) => n === pkg || n.startsWith(`${pkg}:`));
}

/** Parses dpkg-query lines (and `apt-cache policy` blocks) into each package's state. */
export function parsePackages(output: string, names: string[]): Record<string, PackageState> {
  const out: Record<string, PackageState> = Object.fromEntries(names.map((n) => [n, { installed: false }]));
  const asked = (pkg: string) => {
    const hits = askedBy(names, pkg);
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
