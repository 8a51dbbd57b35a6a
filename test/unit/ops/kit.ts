/**
 * The one kit of the operation tests: declare an op outside a role, answer its facts (from captured
 * outputs, from values, or gathered on this machine), and run its apply fragment in the real apply
 * script with `sh -s`, against fake state (stand-in tools on PATH, temp dirs, a local HTTP server).
 */
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Collector, collectInto } from "../../../src/core/collector.js";
import type { FactLookup, FactRequest, Operation, OpPlan } from "../../../src/core/operation.js";
import { buildApplyScript, type StepResult as OpOutcome, opResult, parseApplyOutput } from "../../../src/engine/script.js";

/** Returns the op that fn declares, built outside a role. */
export function declared(fn: () => unknown): Operation {
  const c = new Collector();
  collectInto(c, fn);
  if (c.ops.length !== 1) throw new Error(`expected one op, got ${c.ops.length}`);
  return c.ops[0] as Operation;
}

/** A FactLookup that runs each fact command on this machine. */
export const live: FactLookup = {
  get<T>(req: FactRequest<T>): T {
    const r = spawnSync("sh", ["-c", req.command], { encoding: "utf8" });
    return req.parse(r.stdout, r.status ?? 1);
  },
};

/** Returns a lookup that parses, for each fact, the command output given for its key (rc 0 unless given). */
export function outputs(byKey: Record<string, string | { output: string; rc: number }>): FactLookup {
  return {
    get<T>(req: FactRequest<T>): T {
      const v = byKey[req.key];
      if (v === undefined) throw new Error(`no fixture for fact ${req.key}`);
      return typeof v === "string" ? req.parse(v, 0) : req.parse(v.output, v.rc);
    },
  };
}

/** Returns the plan of op from its facts' commands run here by sh (as the engine runs them on a host). */
export function planHere(op: Operation, env: NodeJS.ProcessEnv = {}): OpPlan {
  const values = new Map<string, unknown>();
  for (const f of op.facts()) {
    const r = spawnSync("sh", ["-c", `( ${f.command} ) </dev/null 2>/dev/null`], { encoding: "utf8", env: { ...process.env, ...env } });
    values.set(f.key, f.parse(r.stdout, r.status ?? 1));
  }
  return op.plan({ get: <T>(req: FactRequest<T>) => values.get(req.key) as T });
}

/** Runs op's apply fragment in a real apply script (`sh -s`) here; returns its outcome and the script's output. */
export function applyHere(op: Operation, env: NodeJS.ProcessEnv = {}): OpOutcome & { stdout: string } {
  const { script, token } = buildApplyScript([op], []);
  const r = spawnSync("sh", ["-s"], { input: script, encoding: "utf8", env: { ...process.env, ...env } });
  const out = opResult(parseApplyOutput(r.stdout, token), 0);
  if (!out) throw new Error(`no outcome: rc=${r.status} ${r.stdout} ${r.stderr}`);
  return { ...out, stdout: r.stdout };
}

/** Shell functions the stateful account tools share: edit a field of a passwd/group line, group members. */
const ACCOUNTS_LIB = `
__set() { awk -F: -v OFS=: -v n="$2" -v f="$3" -v v="$4" '$1==n{$f=v} {print}' "$FAKE/$1" > "$FAKE/$1.t" && mv "$FAKE/$1.t" "$FAKE/$1"; }
__del() { awk -F: -v n="$2" '$1!=n' "$FAKE/$1" > "$FAKE/$1.t" && mv "$FAKE/$1.t" "$FAKE/$1"; }
__addmem() { awk -F: -v OFS=: -v g="$1" -v u="$2" '$1==g && index(","$4",", ","u",")==0 {$4=($4=="" ? u : $4","u)} {print}' "$FAKE/group" > "$FAKE/group.t" && mv "$FAKE/group.t" "$FAKE/group"; }
__delmem() { awk -F: -v OFS=: -v u="$1" '{n=split($4,m,","); s=""; for(i=1;i<=n;i++) if(m[i]!=u) s=(s=="" ? m[i] : s","m[i]); $4=s; print}' "$FAKE/group" > "$FAKE/group.t" && mv "$FAKE/group.t" "$FAKE/group"; }
__gid() { case $1 in *[!0-9]*) awk -F: -v g="$1" '$1==g{print $3; f=1} END{exit !f}' "$FAKE/group";; *) echo "$1";; esac; }
__next() { awk -F: 'BEGIN{m=999} $3>m && $3<60000 {m=$3} END{print m+1}' "$FAKE/$1"; }
__groups() { old=$IFS; IFS=,; for __g in $2; do IFS=$old; [ -z "$__g" ] || grep -q "^$__g:" "$FAKE/group" || { echo "group $__g does not exist" >&2; exit 6; }; __addmem "$__g" "$1"; done; IFS=$old; }
`;

/** The stateful shadow tools (after the argv log line): they change the fake database as the real ones would. */
const STATEFUL_ACCOUNT_TOOLS: Record<string, string> = {
  useradd: `u=; g=; G=; s=/bin/sh; d=; c=
while [ $# -gt 1 ]; do case $1 in -u) u=$2; shift 2;; -g) g=$2; shift 2;; -G) G=$2; shift 2;; -s) s=$2; shift 2;; -d) d=$2; shift 2;; -c) c=$2; shift 2;; *) shift;; esac; done
n=$1; ! grep -q "^$n:" "$FAKE/passwd" || { echo "useradd: user '$n' already exists" >&2; exit 9; }
[ -n "$u" ] || u=$(__next passwd)
if [ -n "$g" ]; then gid=$(__gid "$g") || { echo "useradd: group '$g' does not exist" >&2; exit 6; }
else ! grep -q "^$n:" "$FAKE/group" || { echo "useradd: group $n exists" >&2; exit 9; }; gid=$(__next group); echo "$n:x:$gid:" >> "$FAKE/group"; fi
echo "$n:x:$u:$gid:$c:\${d:-/home/$n}:$s" >> "$FAKE/passwd"
__groups "$n" "$G"`,
  usermod: `a=; G=; set_G=
for n; do :; done
grep -q "^$n:" "$FAKE/passwd" || { echo "usermod: user '$n' does not exist" >&2; exit 6; }
while [ $# -gt 1 ]; do case $1 in
  -u) __set passwd "$n" 3 "$2"; shift 2;; -g) gid=$(__gid "$2") || exit 6; __set passwd "$n" 4 "$gid"; shift 2;;
  -c) __set passwd "$n" 5 "$2"; shift 2;; -d) __set passwd "$n" 6 "$2"; shift 2;; -s) __set passwd "$n" 7 "$2"; shift 2;;
  -a) a=1; shift;; -G) G=$2; set_G=1; shift 2;; *) shift;; esac; done
if [ -n "$set_G" ]; then [ -n "$a" ] || __delmem "$n"; __groups "$n" "$G"; fi`,
  userdel: `for n; do :; done; grep -q "^$n:" "$FAKE/passwd" || exit 6; __del passwd "$n"; __delmem "$n"`,
  groupadd: `g=; while [ $# -gt 1 ]; do case $1 in -g) g=$2; shift 2;; *) shift;; esac; done
! grep -q "^$1:" "$FAKE/group" || { echo "groupadd: group '$1' already exists" >&2; exit 9; }
echo "$1:x:\${g:-$(__next group)}:" >> "$FAKE/group"`,
  groupmod: `[ "$1" = -g ] && grep -q "^$3:" "$FAKE/group" && __set group "$3" 3 "$2"`,
  groupdel: `grep -q "^$1:" "$FAKE/group" || exit 6; __del group "$1"`,
};

/**
 * Writes stand-ins for getent, id and the shadow tools into dir/bin, over a fake account database
 * (dir/passwd, dir/group); the tools that would change it only log their argv to dir/log, or with
 * `stateful`, also change the database as the real tools would (so a second plan sees the change).
 * Returns the env (PATH) that makes scripts use them.
 */
export function fakeAccounts(dir: string, db: { passwd: string; group: string }, o: { stateful?: boolean } = {}): NodeJS.ProcessEnv {
  const bin = path.join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(dir, "passwd"), db.passwd);
  writeFileSync(path.join(dir, "group"), db.group);
  writeFileSync(path.join(dir, "log"), "");
  const tools: Record<string, string> = {
    getent: `grep "^$2:" "$FAKE/$1" || exit 2`,
    id: [
      `gid=$(grep "^$2:" "$FAKE/passwd" | cut -d: -f4); [ -n "$gid" ] || exit 1`,
      `pg=$(awk -F: -v g="$gid" '$3==g{print $1}' "$FAKE/group")`,
      `case $1 in -gn) echo "$pg";; -Gn) { echo "$pg"; awk -F: -v u="$2" -v p="$pg" '$1!=p{n=split($4,m,","); for(i=1;i<=n;i++) if(m[i]==u) print $1}' "$FAKE/group"; } | paste -sd' ' -;; esac`,
    ].join("\n"),
  };
  for (const t of ["useradd", "usermod", "userdel", "groupadd", "groupmod", "groupdel"])
    tools[t] = `echo "${t} $*" >> "$FAKE/log"${o.stateful ? `\n. "$FAKE/bin/.accounts-lib"\n${STATEFUL_ACCOUNT_TOOLS[t]}` : ""}`;
  if (o.stateful) writeFileSync(path.join(bin, ".accounts-lib"), ACCOUNTS_LIB);
  for (const [name, body] of Object.entries(tools)) {
    writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(bin, name), 0o755);
  }
  return { FAKE: dir, PATH: `${bin}:${process.env.PATH}` };
}

/**
 * Starts an HTTP server in a child process (tests run apply scripts with spawnSync, which blocks this
 * process's event loop) serving the files of dir read-only; returns its base URL and a stop function.
 */
export async function serveDir(dir: string, host = "127.0.0.1", port = 0): Promise<{ url: string; stop: () => void }> {
  const code = `
    const http = require("node:http"), fs = require("node:fs"), path = require("node:path");
    const [dir, host, port] = process.argv.slice(1);
    const s = http.createServer((req, res) => {
      const f = path.join(dir, path.normalize(decodeURIComponent(req.url.split("?")[0])).replace(/^(\\.\\.[/\\\\])+/, ""));
      fs.readFile(f, (err, data) => (err ? res.writeHead(404).end() : res.end(data)));
    });
    s.listen(Number(port), host, () => console.log(s.address().port));
    process.stdin.on("end", () => process.exit(0)); process.stdin.resume();`;
  const child = spawn(process.execPath, ["-e", code, dir, host, String(port)], { stdio: ["pipe", "pipe", "inherit"] });
  const bound = await new Promise<string>((resolve, reject) => {
    child.stdout.once("data", (d) => resolve(String(d).trim()));
    child.once("exit", (c) => reject(new Error(`file server exited (${c})`)));
  });
  return { url: `http://${host}:${bound}`, stop: () => child.stdin.end() };
}

/** Returns a lookup serving the given facts by key. */
export function lookupOf(values: Record<string, unknown>): FactLookup {
  return {
    get<T>(req: FactRequest<T>): T {
      if (!(req.key in values)) throw new Error(`fact ${req.key} not in fixture`);
      return values[req.key] as T;
    },
  };
}

/** Returns whether a command exists on this machine. */
export function have(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns the op with every absolute path under these prefixes moved under root in its apply
 * fragment, so an op on fixed system paths (/etc/…) runs locally on a copy of them.
 */
export function rebased(op: Operation, root: string, prefixes: string[]): Operation {
  return { ...op, apply: () => prefixes.reduce((text, p) => text.replaceAll(p, `${root}${p}`), op.apply()) };
}

/**
 * Returns the op with its fact commands as well as its apply fragment rebased (see rebased), so both
 * its plan and its apply look at the copy of the system paths under root.
 */
export function rebasedWithFacts(op: Operation, root: string, prefixes: string[]): Operation {
  const move = (text: string) => prefixes.reduce((t, p) => t.replaceAll(p, `${root}${p}`), text);
  return { ...rebased(op, root, prefixes), facts: () => op.facts().map((f) => ({ ...f, command: move(f.command) })) };
}

/** Writes an executable sh script; returns its path. */
export function fakeCommand(dir: string, name: string, body: string): string {
  const p = `${dir}/${name}`;
  writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return p;
}

/**
 * Asserts that the op (editing file, which holds `before`) plans a change exactly when its apply, run
 * locally, leaves the file as the planner's model (`modelled`, latin1) says, and that a second run
 * changes nothing and plans nothing.
 */
export function assertHostDoesWhatModelSays(file: string, before: string, op: Operation, modelled: string): void {
  writeFileSync(file, before);
  const plan = planHere(op);
  const expected = Buffer.from(modelled, "latin1");
  const first = applyHere(op);
  assert.deepEqual(readFileSync(file), expected);
  assert.equal(first.status, expected.equals(Buffer.from(before)) ? "ok" : "changed", first.output);
  assert.equal(plan.changed, first.status === "changed");
  assert.equal(applyHere(op).status, "ok");
  assert.equal(planHere(op).changed, false);
}
