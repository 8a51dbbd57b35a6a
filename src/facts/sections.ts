import { randomBytes } from "node:crypto";

/**
 * Batches many fact commands into ONE remote sh script: each runs in a subshell, its output
 * framed by a marker line carrying the section name and, after it, the exit status.
 * Returns the script and a parser that splits the output back into sections.
 */
export function batchScript(sections: Record<string, string>, token = randomBytes(6).toString("hex")): string {
  const mark = `@@bosun-${token}`;
  return Object.entries(sections)
    .map(([name, cmd]) => `echo '${mark} ${name}'; ( ${cmd} ) 2>/dev/null; echo "${mark}-rc $?"`)
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
    if (line.startsWith(`${mark}-rc `)) {
      if (current !== undefined) out[current] = { output: buf.join("\n"), rc: Number(line.slice(mark.length + 4)) };
      current = undefined;
      buf = [];
    } else if (line.startsWith(`${mark} `)) {
      current = line.slice(mark.length + 1);
      buf = [];
    } else if (current !== undefined) buf.push(line);
  }
  return out;
}
