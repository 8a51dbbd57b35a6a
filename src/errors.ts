/**
 * Bosun's error hierarchy. Every error says where it happened (file:line, host, op)
 * and what was expected versus found, so the CLI can print it without a stack trace.
 */
export class BosunError extends Error {
  /** Process exit code the CLI uses when this error ends a command. */
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A location in a file given by the user: "inventory.yml:12:3". */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

export function formatLocation(loc: SourceLocation): string {
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) s += `:${loc.column}`;
  return s;
}

/** An error in user input that has a file position. */
export class LocatedError extends BosunError {
  readonly location: SourceLocation;
  constructor(location: SourceLocation, message: string, options?: { cause?: unknown }) {
    super(`${formatLocation(location)}: ${message}`, options);
    this.location = location;
  }
}

export class ConfigError extends LocatedError {}
export class InventoryError extends LocatedError {}
/** A site (deployment) file that cannot be loaded or is not a deployment. */
export class SiteError extends LocatedError {}

/** Bad command-line usage (unknown flag values, missing arguments). */
export class UsageError extends BosunError {
  override readonly exitCode = 64;
}

/** The lab cannot be built or booted; the message names what is missing. */
export class LabError extends BosunError {}

/** The host could not be reached: DNS, TCP, SSH handshake or authentication. */
export class ConnectionError extends BosunError {
  readonly host: string;
  /** True when retrying may help (refused, timed out, reset): never for auth or host key problems. */
  readonly transient: boolean;
  /** What the command printed before the connection was lost (the host may have done work). */
  partialStdout?: string;
  constructor(host: string, message: string, transient: boolean) {
    super(`${host}: ${message}`);
    this.host = host;
    this.transient = transient;
  }
}

/** The host's SSH key is unknown or differs from known_hosts. Never retried. */
export class HostKeyError extends ConnectionError {
  constructor(host: string, message: string) {
    super(host, message, false);
  }
}

/** A remote command ran and failed; carries the command, exit code and stderr tail. */
export class RemoteCommandError extends BosunError {
  readonly host: string;
  readonly command: string;
  readonly code: number;
  readonly stderrTail: string;
  constructor(host: string, command: string, code: number, stderr: string) {
    const tail = tailLines(stderr, 10);
    super(`${host}: command failed with exit code ${code}: ${command}${tail ? `\n${tail}` : ""}`);
    this.host = host;
    this.command = command;
    this.code = code;
    this.stderrTail = tail;
  }
}

/** The last n lines of text, trimmed. */
export function tailLines(text: string, n: number): string {
  const lines = text.trimEnd().split("\n");
  return lines.slice(-n).join("\n");
}
