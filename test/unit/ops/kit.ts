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

/**
 * Writes stand-ins for getent, id and the shadow tools into dir/bin, over a fake account database
 * (dir/passwd, dir/group); the tools that would change it only log their argv to dir/log.
 * Returns the env (PATH) that makes scripts use them.
 */
export function fakeAccounts(dir: string, db: { passwd: string; group: string }): NodeJS.ProcessEnv {
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
  for (const t of ["useradd", "usermod", "userdel", "groupadd", "groupmod", "groupdel"]) tools[t] = `echo "${t} $*" >> "$FAKE/log"`;
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
