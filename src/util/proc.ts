import { spawn } from "node:child_process";
import { BosunError, tailLines } from "../errors.js";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string | Uint8Array;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Reject when the exit code is not 0 (default true). */
  check?: boolean;
  timeoutMs?: number;
}

/** Runs a local program (no shell) and returns its exit code and output; rejects on failure unless check=false. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) timer = setTimeout(() => child.kill("SIGTERM"), opts.timeoutMs);
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === "ENOENT" ? new BosunError(`${cmd}: command not found`) : e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const res = { code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
      if (res.code !== 0 && opts.check !== false) {
        reject(
          new BosunError(`${cmd} ${args.join(" ")} failed with exit code ${res.code}${res.stderr ? `: ${tailLines(res.stderr, 8)}` : ""}`),
        );
      } else resolve(res);
    });
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
  });
}

/** Returns true when a process with this PID exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Resolves after ms milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Returns true when `name` is an executable on PATH. */
export async function which(name: string): Promise<boolean> {
  const res = await run("sh", ["-c", `command -v "$1" >/dev/null`, "sh", name], { check: false });
  return res.code === 0;
}
