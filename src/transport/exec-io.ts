import { BosunError, ConnectionError } from "../errors.js";
import type { ExecResult } from "./types.js";

const DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024;

/**
 * One running command as both transports see it: a child process (OpenSSH, local sh) or an ssh2
 * channel. collectExec holds the stream, cap, timeout, abort and become logic once for both.
 */
export interface ExecIo {
  stdin: NodeJS.WritableStream & { on(event: "error", cb: (e: Error) => void): unknown };
  stdout: NodeJS.ReadableStream;
  stderr: NodeJS.ReadableStream;
  /** Stops the command: gently on a timeout or a wrong password, at once (and for good) on abort. */
  kill(how: "term" | "abort"): void;
  /** Called once with the exit code; undefined means the connection ended before the command did. */
  onDone(cb: (code: number | undefined) => void): void;
}

export interface ExecIoOptions {
  stdin?: string | Uint8Array;
  /** When set, the command was wrapped by becomeCommand with this prompt and marker. */
  become?: { password?: string; prompt: string; marker: string };
  timeoutMs?: number;
  /** Cuts the command when aborted: the exec ends as a connection cut. */
  signal?: AbortSignal;
  maxOutput?: number;
  /** Label for errors (the host). */
  label: string;
}

/**
 * Collects a running command's output. With become, answers sudo's unique prompt with the password
 * (once: a second prompt means a wrong password) and holds stdin back until the marker shows that
 * the real command started, so neither the password nor the content can reach the wrong reader.
 */
export function collectExec(io: ExecIo, opts: ExecIoOptions, start = Date.now()): Promise<ExecResult> {
  const max = opts.maxOutput ?? DEFAULT_MAX_OUTPUT;
  return new Promise((resolve, reject) => {
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
        io.kill("term");
      }, opts.timeoutMs);
    }
    const onAbort = () => {
      failure ??= new ConnectionError(opts.label, "connection cut: the run was stopped while this command ran", false);
      io.kill("abort");
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener("abort", onAbort, { once: true });
    io.stdin.on("error", () => {});
    const sendStdin = () => io.stdin.end(opts.stdin ?? "");
    const b = opts.become;
    if (!b) {
      sendStdin();
      io.stdout.on("data", (d: Buffer) => out.push(d));
      io.stderr.on("data", (d: Buffer) => err.push(d));
    } else {
      let started = false;
      let prompts = 0;
      let head = "";
      let errHead = "";
      io.stdout.on("data", (d: Buffer) => {
        if (started) return out.push(d);
        head += d.toString("latin1");
        const at = head.indexOf(`${b.marker}\n`);
        if (at < 0) return;
        started = true;
        sendStdin();
        out.push(Buffer.from(head.slice(at + b.marker.length + 1), "latin1"));
      });
      io.stderr.on("data", (d: Buffer) => {
        if (started) return err.push(d);
        errHead += d.toString("latin1");
        let idx = errHead.indexOf(b.prompt);
        while (idx >= 0) {
          errHead = errHead.slice(0, idx) + errHead.slice(idx + b.prompt.length);
          prompts++;
          if (prompts > 1 || b.password === undefined) {
            failure = new BosunError(`${opts.label}: sudo rejected the become password`);
            io.kill("term");
            return;
          }
          io.stdin.write(`${b.password}\n`);
          idx = errHead.indexOf(b.prompt);
        }
        if (errHead.length > 0) {
          err.push(Buffer.from(errHead, "latin1"));
          errHead = "";
        }
      });
    }
    io.onDone((code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      failure ??= code === undefined ? new ConnectionError(opts.label, "connection lost while the command ran", true) : undefined;
      if (failure) {
        if (failure instanceof ConnectionError) failure.partialStdout = out.text();
        return reject(failure);
      }
      resolve({
        code: code ?? 1,
        stdout: out.text(),
        stderr: err.text(),
        truncated: out.truncated || err.truncated,
        durationMs: Date.now() - start,
      });
    });
  });
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
