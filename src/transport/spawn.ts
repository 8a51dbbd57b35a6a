import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { BosunError, ConnectionError } from "../errors.js";
import { quote } from "../util/shell.js";
import type { BecomeSpec, ExecResult } from "./types.js";

const DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024;

/** Returns the wrapper that runs `command` under sudo, printing marker on stdout once escalation succeeded. */
export function becomeCommand(command: string, become: BecomeSpec, prompt: string, marker: string): string {
  const sudo = ["sudo", "-H", "-S", "-p", prompt, "-u", become.user];
  if (become.password === undefined) sudo.splice(1, 0, "-n");
  return `${sudo.map(quote).join(" ")} -- sh -c ${quote(`echo ${marker}; ${command}`)}`;
}

export interface SpawnExecOptions {
  stdin?: string | Uint8Array;
  /** When set, the command was wrapped by becomeCommand with this prompt and marker. */
  become?: { password?: string; prompt: string; marker: string };
  timeoutMs?: number;
  /** Kills the process (and its group) when aborted: the exec ends as a connection cut. */
  signal?: AbortSignal;
  maxOutput?: number;
  /** Label for errors (the host). */
  label: string;
}

/**
 * Runs argv and collects its output. With become, answers sudo's unique prompt with the password
 * (once: a second prompt means a wrong password) and holds stdin back until the marker shows that
 * the real command started, so neither the password nor the content can reach the wrong reader.
 */
export function spawnExec(argv: readonly string[], opts: SpawnExecOptions): Promise<ExecResult> {
  const start = Date.now();
  const max = opts.maxOutput ?? DEFAULT_MAX_OUTPUT;
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    // Own process group: a Ctrl-C on the terminal reaches Bosun, which lets in-flight execs finish.
    const child = spawn(cmd as string, args, { stdio: ["pipe", "pipe", "pipe"], detached: true });
    const out = new Capture(max);
    const err = new Capture(max);
    let timer: NodeJS.Timeout | undefined;
    let failure: Error | undefined;
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        failure = new ConnectionError(
          opts.label,
          `no answer within ${Math.round((opts.timeoutMs ?? 0) / 1000)} s: the host is silent or the command hung`,
          false,
        );
        child.kill("SIGTERM");
      }, opts.timeoutMs);
    }
    const onAbort = () => {
      failure ??= new ConnectionError(opts.label, "connection cut: the run was stopped while this command ran", false);
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdin.on("error", () => {});
    const sendStdin = () => child.stdin.end(opts.stdin ?? "");
    const b = opts.become;
    if (!b) {
      sendStdin();
      child.stdout.on("data", (d: Buffer) => out.push(d));
      child.stderr.on("data", (d: Buffer) => err.push(d));
    } else {
      let started = false;
      let prompts = 0;
      let head = "";
      let errHead = "";
      child.stdout.on("data", (d: Buffer) => {
        if (started) return out.push(d);
        head += d.toString("latin1");
        const at = head.indexOf(`${b.marker}\n`);
        if (at < 0) return;
        started = true;
        sendStdin();
        out.push(Buffer.from(head.slice(at + b.marker.length + 1), "latin1"));
      });
      child.stderr.on("data", (d: Buffer) => {
        if (started) return err.push(d);
        errHead += d.toString("latin1");
        let idx = errHead.indexOf(b.prompt);
        while (idx >= 0) {
          errHead = errHead.slice(0, idx) + errHead.slice(idx + b.prompt.length);
          prompts++;
          if (prompts > 1 || b.password === undefined) {
            failure = new BosunError(`${opts.label}: sudo rejected the become password`);
            child.kill("SIGTERM");
            return;
          }
          child.stdin.write(`${b.password}\n`);
          idx = errHead.indexOf(b.prompt);
        }
        if (errHead.length > 0) {
          err.push(Buffer.from(errHead, "latin1"));
          errHead = "";
        }
      });
    }
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === "ENOENT" ? new BosunError(`${cmd}: command not found`) : e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      if (failure) {
        if (failure instanceof ConnectionError) failure.partialStdout = out.text();
        return reject(failure);
      }
      resolve({
        code: code ?? (signal ? 128 + (signal === "SIGKILL" ? 9 : 15) : 1),
        stdout: out.text(),
        stderr: err.text(),
        truncated: out.truncated || err.truncated,
        durationMs: Date.now() - start,
      });
    });
  });
}

/** Returns fresh random prompt and marker strings for one become exec. */
export function becomeTokens(): { prompt: string; marker: string } {
  const id = randomBytes(8).toString("hex");
  return { prompt: `[bosun-sudo-${id}] `, marker: `BOSUN-BECOME-OK-${id}` };
}

class Capture {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly max: number) {}
  push(d: Buffer): void {
    if (this.size >= this.max) {
      this.truncated = true;
      return;
    }
    const room = this.max - this.size;
    const part = d.length > room ? d.subarray(0, room) : d;
    if (part.length < d.length) this.truncated = true;
    this.chunks.push(part);
    this.size += part.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}
