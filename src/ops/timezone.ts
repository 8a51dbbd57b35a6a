import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation, type OpPlan } from "../core/operation.js";
import { fileFact, rcFact } from "../facts/file.js";
import { quote } from "../util/shell.js";
import { fileOp } from "./file.js";

const ZONEINFO = "/usr/share/zoneinfo";

/** Returns the sh test that succeeds when the zone's file is installed and is a compiled zone (TZif). */
function zoneCheck(name: string): string {
  // The shell's read, not head in a command substitution (two processes on every run): the file starts
  // with the magic "TZif" whatever follows it.
  return `__z=; IFS= read -r __z 2>/dev/null < ${quote(`${ZONEINFO}/${name}`)} || :; case "$__z" in TZif*) true ;; *) false ;; esac`;
}

/**
 * Ensures the system time zone: /etc/localtime links to /usr/share/zoneinfo/NAME and /etc/timezone
 * holds NAME (Debian). Fails clearly when the zone is not installed (the tzdata package).
 * Running services keep their zone until restarted.
 * `timezone("Europe/Paris")`
 */
export function timezone(name: string, o: CommonOptions = {}): Operation {
  if (!/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(name)) {
    throw new Error(`timezone: bad zone name "${name}" (expected like "UTC", "Europe/Paris", "America/Argentina/Buenos_Aires")`);
  }
  const target = `${ZONEINFO}/${name}`;
  const localtime = fileFact("/etc/localtime");
  const installed = rcFact(zoneCheck(name));
  const tzFile = fileOp("/etc/timezone", { content: `${name}\n`, mode: "0644", owner: "root", group: "root" }, "timezone");
  return declareOp({
    kind: "timezone",
    name,
    ...commonFields(o),
    facts: () => [localtime, installed, ...tzFile.facts()],
    plan(facts): OpPlan {
      const lt = facts.get(localtime);
      const parts: string[] = [];
      if (!(lt.type === "link" && (lt.target === target || lt.target === `..${target}`))) {
        parts.push(`/etc/localtime: ${lt.type === "link" ? lt.target : lt.type} → ${target}`);
      }
      const f = tzFile.plan(facts);
      if (f.changed) parts.push(`/etc/timezone: ${f.summary}`);
      if (parts.length === 0) return { changed: false, summary: name };
      if (facts.get(installed) !== 0) parts.push(`FAILS unless installed first: ${target} missing (package tzdata)`);
      return { changed: true, summary: parts.join(", "), diff: f.diff };
    },
    apply: () =>
      [
        `${zoneCheck(name)} || { echo ${quote(`timezone ${name}: ${target} is not installed (install the tzdata package first, or check the zone name)`)} >&2; exit 1; }`,
        `case "$(readlink /etc/localtime 2>/dev/null)" in`,
        `  ${quote(target)}|${quote(`..${target}`)}) ;;`,
        `  *) ln -sfn ${quote(target)} /etc/localtime.bosun-tmp && mv -Tf /etc/localtime.bosun-tmp /etc/localtime; __changed;;`,
        "esac",
        tzFile.apply(),
      ].join("\n"),
  });
}
