import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation } from "../core/operation.js";
import { packagesFact } from "../facts/dpkg.js";
import { join } from "../util/shell.js";

export interface AptOptions extends CommonOptions {
  state?: "present" | "absent" | "latest";
  /** Seconds the package lists stay fresh; older lists are updated once before installing. Default 3600. */
  cacheValidTime?: number;
  installRecommends?: boolean;
}

const APT_ENV = "DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a";
const APT_OPTS = "-y -q -o DPkg::Lock::Timeout=120 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold";

/**
 * Returns the sh that updates apt's lists when older than validS seconds (once per host per run at most).
 * DPkg::Lock::Timeout does not cover the lists lock, so a held lock (another apt, another run) is
 * waited for, up to 120 s, by retrying; any other failure fails at once.
 */
export function aptUpdateIfStale(validS: number, alsoWhen?: string): string {
  return [
    `__s=/var/lib/apt/lists/.bosun-stamp; __t=$(stat -c %Y "$__s" 2>/dev/null || echo 0)`,
    `if [ $(( $(date +%s) - __t )) -ge ${Math.max(0, Math.floor(validS))} ] || ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1${alsoWhen ? ` || ${alsoWhen}` : ""}; then`,
    `  __w=0`,
    `  until __out=$(apt-get update -q -o DPkg::Lock::Timeout=120 2>&1); do`,
    `    case "$__out" in`,
    `      *"Could not get lock"*|*"Unable to lock"*) __w=$((__w + 1)); [ $__w -lt 120 ] || { printf '%s\\n' "$__out" >&2; echo "apt-get update: apt's lists lock held for 120 s" >&2; exit 1; }; sleep 1;;`,
    `      *) printf '%s\\n' "$__out" >&2; echo "apt-get update failed" >&2; exit 1;;`,
    `    esac`,
    `  done`,
    `  touch "$__s"`,
    `fi`,
  ].join("\n");
}

/**
 * Ensures Debian packages are installed (present), removed (absent) or at apt's candidate version (latest).
 * All the packages of one call go through one apt-get; the lists are refreshed only when stale.
 */
export function apt(packages: string | string[], o: AptOptions = {}): Operation {
  const names = Array.isArray(packages) ? packages : [packages];
  if (names.length === 0) throw new Error("apt: no packages given");
  for (const n of names) if (!/^[a-z0-9][a-z0-9+.:=~-]*$/.test(n)) throw new Error(`apt: bad package name "${n}"`);
  const state = o.state ?? "present";
  const fact = packagesFact(names, state === "latest");
  const valid = o.cacheValidTime ?? 3600;
  const recommends = o.installRecommends === false ? " --no-install-recommends" : "";
  const list = join(names);
  // One dpkg-query for all the packages (one process, not one per package); each name's status is found
  // in its output by the shell. Arch-qualified names ("libc6:i386") are asked one by one, as dpkg prints
  // the bare name for them.
  const probe = (cond: string) =>
    names.some((n) => n.includes(":"))
      ? `__todo=; for __p in ${list}; do __st=$(dpkg-query -W -f='\${db:Status-Abbrev}' "$__p" 2>/dev/null || true); ${cond}; done`
      : [
          `__q=$(dpkg-query -W -f='\${Package} \${db:Status-Abbrev}\\n' ${list} 2>/dev/null || true); __todo=`,
          `for __p in ${list}; do __st=`,
          `  while read -r __n __s; do [ "$__n" != "$__p" ] || __st="$__st$__s "; done <<__BOSUN_EOF`,
          "$__q",
          "__BOSUN_EOF",
          `  ${cond}`,
          "done",
        ].join("\n");
  return declareOp({
    kind: "apt",
    name: names.join(" "),
    ...commonFields(o),
    facts: () => [fact],
    plan(facts) {
      const cur = facts.get(fact);
      if (state === "absent") {
        const rm = names.filter((n) => cur[n]?.installed);
        return rm.length ? { changed: true, summary: `remove ${rm.join(" ")}` } : { changed: false, summary: "absent" };
      }
      const missing = names.filter((n) => !cur[n]?.installed);
      const outdated =
        state === "latest" ? names.filter((n) => cur[n]?.installed && cur[n]?.candidate && cur[n]?.candidate !== cur[n]?.version) : [];
      const parts = [missing.length ? `install ${missing.join(" ")}` : "", outdated.length ? `upgrade ${outdated.join(" ")}` : ""].filter(
        Boolean,
      );
      return parts.length ? { changed: true, summary: parts.join(", ") } : { changed: false, summary: "installed" };
    },
    apply() {
      if (state === "absent") {
        return [
          probe(`case "$__st" in ii*) __todo="$__todo $__p";; esac`),
          `if [ -n "$__todo" ]; then ${APT_ENV} apt-get remove ${APT_OPTS} $__todo; __changed; fi`,
        ].join("\n");
      }
      if (state === "latest") {
        return [
          aptUpdateIfStale(valid),
          `__before=$(dpkg-query -W -f='\${Package}=\${Version} ' ${list} 2>/dev/null || true)`,
          `${APT_ENV} apt-get install ${APT_OPTS}${recommends} ${list}`,
          `[ "$__before" = "$(dpkg-query -W -f='\${Package}=\${Version} ' ${list} 2>/dev/null || true)" ] || __changed`,
        ].join("\n");
      }
      return [
        probe(`case "$__st" in ii*) ;; *) __todo="$__todo $__p";; esac`),
        `if [ -n "$__todo" ]; then`,
        // Fresh lists that do not know a wanted package (added to the repository since) are updated anyway.
        // Asked only when the lists are fresh (|| evaluates it last): stale lists are updated regardless, and
        // each apt-cache loads the package cache (~0.1–0.3 s of a host's CPU).
        aptUpdateIfStale(
          valid,
          '{ __unknown=; for __p in $__todo; do apt-cache show "$__p" >/dev/null 2>&1 || __unknown=1; done; [ -n "$__unknown" ]; }',
        ),
        `  ${APT_ENV} apt-get install ${APT_OPTS}${recommends} $__todo; __changed`,
        `fi`,
      ].join("\n");
    },
  });
}
