/**
 * The CLI's one error exit: every error that ends a command becomes short text on stderr and an exit
 * code (docs/errors.md). User mistakes never show a stack trace or an internal error name; only an
 * unexpected error (a bug) says so, and shows its stack with BOSUN_LOG=debug.
 */
import { BosunError, systemErrorMessage } from "../errors.js";
import { escapeControl } from "../util/text.js";
import { redact } from "../vault/redact.js";

/** Exit code of an error that is a bug in Bosun, not a mistake in its input (EX_SOFTWARE). */
export const INTERNAL_ERROR_EXIT = 70;

/** Returns the text to print for err (without the "bosun: " prefix) and the exit code. */
export function describeError(err: unknown, debug = /debug/.test(process.env.BOSUN_LOG ?? "")): { text: string; exitCode: number } {
  if (err instanceof BosunError) return { text: err.message, exitCode: err.exitCode };
  const sys = systemErrorMessage(err);
  if (sys) return { text: sys, exitCode: 1 };
  const e = err as Error;
  const message = e instanceof Error ? e.message : String(err);
  const detail = debug && e instanceof Error && e.stack ? `\n${e.stack}` : " (BOSUN_LOG=debug shows where)";
  return { text: `unexpected error, please report it: ${message.split("\n")[0]}${detail}`, exitCode: INTERNAL_ERROR_EXIT };
}

/** Returns text as printed: secrets masked, control characters escaped line by line. */
export function printable(text: string): string {
  return redact(text)
    .split("\n")
    .map((l) => escapeControl(l))
    .join("\n");
}

/** Prints err as `bosun: …` on stderr and returns its exit code. */
export function reportError(err: unknown): number {
  const { text, exitCode } = describeError(err);
  process.stderr.write(`bosun: ${printable(text)}\n`);
  return exitCode;
}
