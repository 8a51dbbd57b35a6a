import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { BosunError } from "../errors.js";
import { quote } from "../util/shell.js";
import { collectExec, type ExecIo, type ExecIoOptions } from "./exec-io.js";
import type { BecomeSpec, ExecResult } from "./types.js";

/** Returns the wrapper that runs `command` under sudo, printing marker on stdout once escalation succeeded. */
export function becomeCommand(command: string, become: BecomeSpec, prompt: string, marker: string): string {
  const sudo = ["sudo", "-H", "-S", "-p", prompt, "-u", become.user];
  if (become.password === undefined) sudo.splice(1, 0, "-n");
  return `${sudo.map(quote).join(" ")} -- sh -c ${quote(`echo ${marker}; ${command}`)}`;
}

export type SpawnExecOptions = ExecIoOptions;

/** Runs argv as a child process and collects its output (see collectExec). */
export function spawnExec(argv: readonly string[], opts: SpawnExecOptions): Promise<ExecResult> {
  const start = Date.now();
  const [cmd, ...args] = argv;
  // Own process group: a Ctrl-C on the terminal reaches Bosun, which lets in-flight execs finish.
  const child = spawn(cmd as string, args, { stdio: ["pipe", "pipe", "pipe"], detached: true });
  const spawnFailed = new Promise<never>((_, reject) =>
    child.on("error", (e: NodeJS.ErrnoException) => reject(e.code === "ENOENT" ? new BosunError(`${cmd}: command not found`) : e)),
  );
  const io: ExecIo = {
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    kill: (how) => {
      if (how === "term") return void child.kill("SIGTERM");
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    },
    onDone: (cb) => child.on("close", (code, signal) => cb(code ?? (signal ? 128 + (signal === "SIGKILL" ? 9 : 15) : 1))),
  };
  return Promise.race([spawnFailed, collectExec(io, opts, start)]);
}

/** Returns fresh random prompt and marker strings for one become exec. */
export function becomeTokens(): { prompt: string; marker: string } {
  const id = randomBytes(8).toString("hex");
  return { prompt: `[bosun-sudo-${id}] `, marker: `BOSUN-BECOME-OK-${id}` };
}

/**
 * Returns the remote command line for command and the become tokens collectExec needs: sudo-wrapped
 * when becoming, else `plain(command)`. The password stays out of the line (it goes to stdin).
 */
export function becomeLine(
  command: string,
  spec: BecomeSpec,
  become: boolean,
  plain: (command: string) => string,
): { line: string; become?: ExecIoOptions["become"] } {
  if (!become) return { line: plain(command) };
  const tokens = becomeTokens();
  return { line: becomeCommand(command, spec, tokens.prompt, tokens.marker), become: { ...tokens, password: spec.password } };
}
