/**
 * The bad-input kit: runs the built CLI on one mistaken input in a sandbox and reports what a user
 * (and an auditor) would check: exit code, stderr, whether ssh was started or the network used,
 * and which files changed. The sandbox has no network (`unshare -n`) and a fake `ssh` first on
 * PATH that records its arguments and fails: any ssh start is caught even without unshare.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN } from "./helpers.js";

/** A file of a row's sandbox: its text, or text and mode. */
export type FileSpec = string | Buffer | { text: string | Buffer; mode: number };

export interface BadInputRow {
  /** What the user did wrong, as a sentence. */
  name: string;
  /** CLI arguments; `{dir}` is the row's sandbox, `{shared}` the suite's shared fixtures. */
  args: string[];
  files?: Record<string, FileSpec>;
  env?: Record<string, string>;
  /** 64 usage error, 1 error. */
  code: 64 | 1;
  /** What the one-line message must say (after "bosun: "): the file:line, key or host as written. */
  message: RegExp;
  /** The message may span lines (a type-check lists every error). */
  multiline?: boolean;
  /** Text that must appear nowhere in stdout or stderr (a secret). */
  never?: string[];
  /** Sandbox files the command may change (all others must stay byte for byte). */
  mayChange?: string[];
  /** Extra setup in the sandbox (mkfifo, directories). */
  setup?: (dir: string) => void;
}

export interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  sshCalls: string;
  changed: string[];
}

const NET_ISOLATION = spawnSync("unshare", ["-n", "true"]).status === 0;

/** The suite's temp root: shared fixtures, the fake ssh, a private state dir and PREFIX. */
export function suiteRoot(): { root: string; shared: string; fakeBin: string; sshLog: string; state: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), "bosun-bad-input-"));
  const shared = path.join(root, "shared");
  const fakeBin = path.join(root, "bin");
  const state = path.join(root, "state");
  for (const d of [shared, fakeBin, state]) mkdirSync(d, { recursive: true });
  const sshLog = path.join(root, "ssh-calls.log");
  // A fake ssh (and scp, ssh-keyscan): records that it was started, then fails as an unreachable host would.
  for (const name of ["ssh", "scp", "ssh-keyscan"]) {
    writeFileSync(path.join(fakeBin, name), `#!/bin/sh\necho "${name} $*" >> '${sshLog}'\nexit 255\n`);
    chmodSync(path.join(fakeBin, name), 0o755);
  }
  return { root, shared, fakeBin, sshLog, state };
}

/** Writes files (relative to dir) with their modes. */
export function writeFiles(dir: string, files: Record<string, FileSpec>): void {
  for (const [name, spec] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    const text = typeof spec === "string" || Buffer.isBuffer(spec) ? spec : spec.text;
    writeFileSync(file, text);
    if (typeof spec === "object" && !Buffer.isBuffer(spec)) chmodSync(file, spec.mode);
  }
}

/** Returns path → sha256 of every regular file under dir (the snapshot "no file changed" compares). */
export function snapshot(dir: string, skip: (rel: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      const rel = path.relative(dir, full);
      if (skip(rel)) continue;
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) out.set(rel, createHash("sha256").update(readFileSync(full)).digest("hex"));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Returns the files added, removed or changed between two snapshots. */
export function changedFiles(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

/** Runs bosun with args in cwd, without network when the machine allows it, the fake ssh first on PATH. */
export function runIsolated(
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const argv = NET_ISOLATION ? ["unshare", "-n", process.execPath, BIN, ...args] : [process.execPath, BIN, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { cwd: opts.cwd, env: opts.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 180_000);
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end("");
  });
}

export type Suite = ReturnType<typeof suiteRoot>;

/** The environment of every run: no colors, no TTY prompts, Bosun's state and PREFIX inside the suite's root. */
export function baseEnv(suite: Suite, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: `${suite.fakeBin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: suite.root,
    NO_COLOR: "1",
    PREFIX: path.join(suite.root, "prefix"),
    BOSUN_STATE_DIR: suite.state,
    BOSUN_LOAD_TIMEOUT: process.env.BOSUN_LOAD_TIMEOUT ?? "30",
    BOSUN_PASSWORD_SCRIPT_TIMEOUT: "5",
  };
  return { ...env, ...extra };
}

/** Runs one row in a fresh sandbox under the suite's root and returns what happened. */
export async function runRow(suite: Suite, row: BadInputRow): Promise<Outcome> {
  const dir = mkdtempSync(path.join(suite.root, "row-"));
  writeFiles(dir, row.files ?? {});
  row.setup?.(dir);
  const fill = (s: string) => s.replaceAll("{dir}", dir).replaceAll("{shared}", suite.shared);
  const skipState = (rel: string) => rel === "typecheck.json";
  const before = snapshot(dir);
  const stateBefore = snapshot(suite.state, skipState);
  const sharedBefore = snapshot(suite.shared);
  const env = baseEnv(suite, Object.fromEntries(Object.entries(row.env ?? {}).map(([k, v]) => [k, fill(v)])));
  const r = await runIsolated(row.args.map(fill), { cwd: dir, env });
  const changed = [
    ...changedFiles(before, snapshot(dir)).filter((f) => !(row.mayChange ?? []).includes(f)),
    ...changedFiles(stateBefore, snapshot(suite.state, skipState)).map((f) => `state/${f}`),
    ...changedFiles(sharedBefore, snapshot(suite.shared)).map((f) => `shared/${f}`),
  ];
  const sshCalls = existsSync(suite.sshLog) ? readFileSync(suite.sshLog, "utf8") : "";
  return { ...r, sshCalls, changed };
}

/** Returns true when path is a directory (for setup helpers). */
export function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}
