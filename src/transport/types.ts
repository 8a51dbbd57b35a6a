/** What one remote (or local) command execution returns. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  /** True when stdout or stderr exceeded the capture cap and was cut. */
  truncated: boolean;
  durationMs: number;
}

export interface ExecOptions {
  /** Bytes written to the command's stdin (file content travels here, never on the command line). */
  stdin?: string | Uint8Array;
  /** Run through privilege escalation (sudo) as configured for the host. Default: the host's setting. */
  become?: boolean;
  timeoutMs?: number;
  /** Aborting kills the command's local process (ssh), so its connection to the host ends. */
  signal?: AbortSignal;
  /** Cap on captured bytes per stream (default 16 MiB). */
  maxOutput?: number;
}

/** A way to run commands on one host. One connection is reused for the transport's lifetime. */
export interface Transport {
  readonly host: string;
  /** Number of commands run so far (connection setup excluded): what "execs per host" counts. */
  readonly execCount: number;
  /** Opens the connection (with retries for transient errors only). exec() calls it when needed. */
  connect(): Promise<void>;
  /** Runs a POSIX sh command; resolves with its exit code (a failing command is not an exception). */
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
}

/** How to escalate privileges on a host. */
export interface BecomeSpec {
  enabled: boolean;
  user: string;
  /** sudo password; undefined means sudo must not ask (NOPASSWD or root). Never logged. */
  password?: string;
}
