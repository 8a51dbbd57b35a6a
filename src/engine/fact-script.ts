import { randomBytes } from "node:crypto";
import { HOST_FACT_COMMANDS, HOST_FACT_INLINE, type HostFacts, parseHostFacts } from "../facts/host.js";

/**
 * Batches many fact commands into ONE remote sh script: each runs in a subshell, its output
 * framed by a marker line carrying the section name and, after it, the exit status.
 * Sections named in `inline` are our own commands that never exit or cd: they run in the script's
 * shell (a `{ }` group), which saves the host a fork per section.
 */
export function batchScript(
  sections: Record<string, string>,
  token = randomBytes(6).toString("hex"),
  inline: ReadonlySet<string> = new Set(),
): string {
  const mark = `@@bosun-${token}`;
  return Object.entries(sections)
    .map(([name, cmd]) => {
      const run = inline.has(name) ? `{ ${cmd}\n}` : `( ${cmd} )`;
      return `echo '${mark} ${name}'; ${run} </dev/null 2>/dev/null; echo "${mark}-rc $?"`;
    })
    .join("\n");
}

export interface Section {
  output: string;
  rc: number;
}

/** Returns the sections of batchScript output by name (token is found from the first marker). */
export function splitSections(output: string): Record<string, Section> {
  const out: Record<string, Section> = {};
  const first = /^@@bosun-([0-9a-f]+) /m.exec(output);
  if (!first) return out;
  const mark = `@@bosun-${first[1]}`;
  let current: string | undefined;
  let buf: string[] = [];
  for (const line of output.split("\n")) {
    // The rc marker ends the line a command's last output line started when it had no final newline.
    const rcAt = line.indexOf(`${mark}-rc `);
    if (rcAt >= 0) {
      if (rcAt > 0) buf.push(line.slice(0, rcAt));
      if (current !== undefined) out[current] = { output: buf.join("\n"), rc: Number(line.slice(rcAt + mark.length + 4)) };
      current = undefined;
      buf = [];
    } else if (line.startsWith(`${mark} `)) {
      current = line.slice(mark.length + 1);
      buf = [];
    } else if (current !== undefined) buf.push(line);
  }
  return out;
}

/** Returns the one script that gathers every host fact. */
export function hostFactsScript(): string {
  return batchScript(HOST_FACT_COMMANDS, undefined, HOST_FACT_INLINE);
}

/** Returns HostFacts from the output of hostFactsScript() (or of any batch holding its sections). */
export function hostFactsFromOutput(output: string): HostFacts {
  return parseHostFacts(splitSections(output));
}
