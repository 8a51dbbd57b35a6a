/**
 * The edit Ansible's `cron` module makes to a user's crontab (ansible-core 2.14, modules/cron.py), as a
 * pure TypeScript model for the plan and the same steps in awk for the host (which derives the edit again
 * when the crontab changed since the plan). A job is a `#Ansible: NAME` marker line followed by its job
 * line; a variable is a `NAME="value"` line. The model keeps Ansible's decisions exactly — when it changes
 * the crontab and what it writes — so a crontab Ansible converged is unchanged by Bosun and vice versa.
 */

/** What to ensure in a crontab. */
export type CrontabSpec =
  | { kind: "job"; name: string; state: "present"; line: string }
  | { kind: "job"; name: string; state: "absent" }
  | { kind: "env"; name: string; state: "present"; decl: string }
  | { kind: "env"; name: string; state: "absent" };

export const MARKER = "#Ansible: ";

/** Returns the crontab text after the edit: the text itself when Ansible would leave it alone. */
export function editCrontab(text: string, s: CrontabSpec): string {
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  const changed = s.kind === "env" ? editEnv(lines, s) : editJob(lines, s);
  // An unchanged crontab without its final newline is rewritten (Ansible: "needs a terminating newline").
  if (!changed && (text === "" || text.endsWith("\n") || text.endsWith("\r"))) return text;
  const out = lines.join("\n").replace(/[\r\n]+$/, "");
  return out === "" ? "" : `${out}\n`;
}

function editEnv(lines: string[], s: Extract<CrontabSpec, { kind: "env" }>): boolean {
  const is = (l: string) => l.startsWith(`${s.name}=`);
  const at = lines.findIndex(is);
  if (s.state === "absent") {
    if (at < 0) return false;
    replaceAll(
      lines,
      lines.filter((l) => !is(l)),
    );
    return true;
  }
  if (at < 0) lines.unshift(s.decl);
  else if (lines[at] !== s.decl)
    replaceAll(
      lines,
      lines.map((l) => (is(l) ? s.decl : l)),
    );
  else return false;
  return true;
}

function editJob(lines: string[], s: Extract<CrontabSpec, { kind: "job" }>): boolean {
  const job = s.state === "present" ? s.line : undefined;
  const found = findJob(lines, s.name, job);
  if (job === undefined) {
    if (!found) return false;
    replaceAll(lines, updateJob(lines, s.name, undefined));
    return true;
  }
  if (!found) lines.push(MARKER + s.name, job);
  else if (found.old !== job || found.inserted) replaceAll(lines, updateJob(lines, s.name, job));
  else return false;
  return true;
}

/** Ansible's find_job: the line after the first marker naming the job, else an unmarked line equal to the job (given a marker). */
function findJob(lines: string[], name: string, job: string | undefined): { old: string; inserted?: boolean } | undefined {
  let comment: string | undefined;
  for (const l of lines) {
    if (comment !== undefined) {
      if (comment === name) return { old: l };
      comment = undefined;
    } else if (l.startsWith(MARKER)) comment = l.replaceAll(MARKER, "");
  }
  if (!job) return undefined;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== job) continue;
    // Python's lines[i - 1]: the last line when i is 0.
    const prev = i - 1 >= 0 ? i - 1 : lines.length - 1;
    if (!(lines[prev] as string).startsWith(MARKER)) {
      lines.splice(i, 0, MARKER + name);
      return { old: job, inserted: true };
    }
    if (name && lines[prev] === `${MARKER}None`) {
      lines[prev] = MARKER + name;
      return { old: job, inserted: true };
    }
  }
  return undefined;
}

/** Ansible's _update_job: every marker naming the job and the line after it become the marker and job (or go, for none). */
function updateJob(lines: string[], name: string, job: string | undefined): string[] {
  const out: string[] = [];
  let comment: string | undefined;
  for (const l of lines) {
    if (comment !== undefined) {
      if (job !== undefined) out.push(comment, job);
      comment = undefined;
    } else if (l === MARKER + name) comment = l;
    else out.push(l);
  }
  return out;
}

function replaceAll(lines: string[], next: string[]): void {
  lines.splice(0, lines.length, ...next);
}

/**
 * awk that makes the same edit on "$__src", writing the new crontab to ENVIRON["__OUT"] only when it
 * changes. Reads __K (job|env), __S (state), __N (name), __L (job line or variable line) from the environment.
 */
export const CRONTAB_AWK = String.raw`function put(s) { o[++k] = s }
function copy(  i) { for (i = 1; i <= n; i++) put(l[i]) }
function isenv(s) { return index(s, N "=") == 1 }
function upd(  i, c, hc) { hc = 0; for (i = 1; i <= n; i++) { if (hc) { if (S == "present") { put(c); put(L) } hc = 0 } else if (l[i] == M N) { c = l[i]; hc = 1 } else put(l[i]) } }
BEGIN { K = ENVIRON["__K"]; S = ENVIRON["__S"]; N = ENVIRON["__N"] ""; L = ENVIRON["__L"] ""; M = "#Ansible: " }
{ l[NR] = $0 "" }
END {
  n = NR; k = 0; ch = 0
  if (K == "env") {
    f = 0; for (i = 1; i <= n; i++) if (isenv(l[i])) { f = i; break }
    if (S == "present" && !f) { put(L); copy(); ch = 1 }
    else if (S == "present" && l[f] != L) { for (i = 1; i <= n; i++) put(isenv(l[i]) ? L : l[i]); ch = 1 }
    else if (S == "absent" && f) { for (i = 1; i <= n; i++) if (!isenv(l[i])) put(l[i]); ch = 1 }
  } else {
    f = 0; hc = 0; ins = 0
    for (i = 1; i <= n && !f; i++) {
      if (hc) { if (c == N) { f = i; old = l[i] } else hc = 0 }
      else if (index(l[i], M) == 1) { c = l[i]; gsub(/#Ansible: /, "", c); hc = 1 }
    }
    if (!f && S == "present") for (i = 1; i <= n && !f; i++) {
      if (l[i] != L) continue
      p = i > 1 ? i - 1 : n
      if (index(l[p], M) != 1) { for (j = n; j >= i; j--) l[j + 1] = l[j]; l[i] = M N; n++; f = i; old = L; ins = 1 }
      else if (N != "" && l[p] == M "None") { l[p] = M N; f = i; old = L; ins = 1 }
    }
    if (S == "absent" && f) { upd(); ch = 1 }
    else if (S == "present" && !f) { copy(); put(M N); put(L); ch = 1 }
    else if (S == "present" && (old != L || ins)) { upd(); ch = 1 }
  }
  if (!ch && nonl) { copy(); ch = 1 }
  if (!ch) exit 0
  while (k > 0 && (o[k] == "" || o[k] ~ /^[\r]*$/)) k--
  if (k > 0) sub(/[\r]+$/, "", o[k])
  printf "" > ENVIRON["__OUT"]
  for (i = 1; i <= k; i++) printf "%s\n", o[i] > ENVIRON["__OUT"]
}`;
