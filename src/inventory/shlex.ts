/**
 * Returns the words of line as Python's shlex.split(line, comments=True) gives them (POSIX mode),
 * which is how Ansible splits an INI host line: quotes group and disappear (`a="b c"` → `a=b c`),
 * `\` escapes outside single quotes, and `#` outside quotes ends the line, even inside a word.
 * Throws a plain Error on an unclosed quote or a trailing backslash.
 */
export function shlexSplit(line: string): string[] {
  const out: string[] = [];
  let token = "";
  let inToken = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      if (inToken) out.push(token);
      token = "";
      inToken = false;
      i++;
    } else if (c === "#") break;
    else if (c === "\\") {
      if (i + 1 >= line.length) throw new Error("No escaped character");
      token += line[i + 1];
      inToken = true;
      i += 2;
    } else if (c === "'" || c === '"') {
      const end = readQuoted(line, i);
      token += end.text;
      inToken = true;
      i = end.next;
    } else {
      token += c;
      inToken = true;
      i++;
    }
  }
  if (inToken) out.push(token);
  return out;
}

function readQuoted(line: string, start: number): { text: string; next: number } {
  const q = line[start];
  let text = "";
  let i = start + 1;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === q) return { text, next: i + 1 };
    // In double quotes a backslash escapes only `"` and `\`; elsewhere it stays.
    if (q === '"' && c === "\\" && i + 1 < line.length) {
      const n = line[i + 1] as string;
      text += n === '"' || n === "\\" ? n : `\\${n}`;
      i += 2;
      continue;
    }
    text += c;
    i++;
  }
  throw new Error("No closing quotation");
}
