/**
 * Helpers for the unit tests of the system operations (users, keys, apt sources, downloads, git, archives):
 * declare an op outside a role, plan it from fact outputs or from facts gathered on this machine, and run
 * its apply fragment in a real apply script with `sh -s`.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { FactLookup, FactRequest, Operation, OpPlan } from "../../../src/core/operation.js";
import { buildApplyScript, type StepResult as OpOutcome, opResult, parseApplyOutput } from "../../../src/engine/script.js";

export { declared } from "./helpers.js";

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
