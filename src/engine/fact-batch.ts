/**
 * Grouped facts: requests of the same batch kind (core/operation.ts, FactRequest.batch) are gathered
 * by ONE section running the kind's command for all their args, instead of one section each. On a
 * fleet the host-side CPU of a facts exec is mostly process creation, and most of a site's facts
 * are of a few kinds repeated per item (a stat per path, a dpkg-query per apt op, a systemctl per unit).
 * The kind's split hands each request the output its own command would print, so parsers do not change.
 */
import type { FactBatchKind, FactRequest } from "../core/operation.js";
import type { Section } from "./fact-script.js";

/** The sections of a facts exec and how to read each request's section back from its output. */
export interface FactSections {
  commands: Record<string, string>;
  /** Sections that run in the script's shell (our own batch commands). */
  inline: Set<string>;
  /** Returns each request's section by key, and the requests a batch could not answer (gather them alone). */
  collect(parsed: Record<string, Section>): { sections: Map<string, Section>; missing: FactRequest[] };
}

interface Group {
  kind: FactBatchKind;
  /** Requests by arg; one arg may stand for several keys. */
  byArg: Map<string, FactRequest[]>;
}

/** Returns the sections for unique-by-key requests: one per batch kind with two args or more, one per other request. */
export function factSections(requests: FactRequest[], prefix = "f"): FactSections {
  const groups = new Map<string, Group>();
  for (const r of requests) {
    if (!r.batch) continue;
    let g = groups.get(r.batch.kind.id);
    if (!g) groups.set(r.batch.kind.id, (g = { kind: r.batch.kind, byArg: new Map() }));
    g.byArg.set(r.batch.arg, [...(g.byArg.get(r.batch.arg) ?? []), r]);
  }
  const batched = [...groups.values()].filter((g) => g.byArg.size > 1);
  const inBatch = new Set(batched.flatMap((g) => [...g.byArg.values()].flat()));
  const singles = requests.filter((r) => !inBatch.has(r));
  const commands: Record<string, string> = {};
  const inline = new Set<string>();
  singles.forEach((r, i) => {
    commands[`${prefix}${i}`] = r.command;
  });
  batched.forEach((g, i) => {
    commands[`${prefix}b${i}`] = g.kind.command([...g.byArg.keys()]);
    inline.add(`${prefix}b${i}`);
  });
  return {
    commands,
    inline,
    collect(parsed) {
      const sections = new Map<string, Section>();
      const missing: FactRequest[] = [];
      singles.forEach((r, i) => {
        const s = parsed[`${prefix}${i}`];
        if (s) sections.set(r.key, s);
      });
      batched.forEach((g, i) => {
        const s = parsed[`${prefix}b${i}`];
        const split = s ? splitOrEmpty(g.kind, s, [...g.byArg.keys()]) : new Map<string, Section>();
        for (const [arg, reqs] of g.byArg) {
          const one = split.get(arg);
          for (const r of reqs) {
            if (one) sections.set(r.key, one);
            else if (s) missing.push(r);
          }
        }
      });
      return { sections, missing };
    },
  };
}

/** Returns the kind's split of a section; an output it cannot read answers nothing (each request then runs alone). */
function splitOrEmpty(kind: FactBatchKind, s: Section, args: string[]): Map<string, Section> {
  try {
    return kind.split(s.output, s.rc, args);
  } catch {
    return new Map();
  }
}
