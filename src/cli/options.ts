import { type Command, InvalidArgumentError, Option } from "commander";
import { quoteValue } from "../util/text.js";

/** Adds the options every host-targeting command shares. */
export function hostOptions(cmd: Command): Command {
  return cmd
    .option("-i, --inventory <inv>", "inventory file, a name from bosun.toml [inventories], or `lab`", nonEmpty)
    .option("-l, --limit <pattern>", "further limit the selected hosts (host pattern)", hostPattern)
    .option("-e, --extra-vars <vars>", "extra vars: key=value, JSON, or @file (repeatable)", collect, [])
    .option("-f, --forks <n>", "hosts worked on in parallel", positiveInt)
    .option("-u, --user <user>", "connect as this user", nonEmpty)
    .option("-b, --become", "run with privilege escalation (sudo)")
    .option("--become-user <user>", "user to become", nonEmpty)
    .option("-K, --ask-become-pass", "prompt for the sudo password")
    .option("--accept-new-host-keys", "accept and record unknown host keys (a changed key is always refused)")
    .option("--connect-timeout <s>", "SSH connect timeout in seconds", positiveInt)
    .option("--vault-id <id@source>", "vault key: ID@FILE or ID@prompt (repeatable)", collect, [])
    .option("--vault-password-file <file>", "file holding the vault password or key", nonEmpty)
    .addOption(new Option("--json", "machine-readable output on stdout"));
}

export interface HostOptions {
  inventory?: string;
  limit?: string;
  extraVars: string[];
  forks?: number;
  user?: string;
  become?: boolean;
  becomeUser?: string;
  askBecomePass?: boolean;
  acceptNewHostKeys?: boolean;
  connectTimeout?: number;
  json?: boolean;
  vaultId?: string[];
  vaultPasswordFile?: string;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/*
 * Option parsers throw commander's InvalidArgumentError: commander then names the option in its
 * message ("option '-f, --forks <n>' argument '0' is invalid") and the CLI exits 64.
 */

export function positiveInt(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive integer, found ${quoteValue(value)}`);
  return n;
}

/** Returns value unless it is empty or blank (`-i "$INV"` with $INV unset). */
export function nonEmpty(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError("empty value");
  return value;
}

/** Returns seconds > 0 (fractions allowed): --timeout. */
export function positiveSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`expected seconds > 0, found ${quoteValue(value)}`);
  return n;
}

/**
 * Returns a host pattern; an empty one is refused. An unset $HOSTS in `-l "$HOSTS"` must not mean
 * every host: it is a mistake, not a wish to deploy everywhere.
 */
export function hostPattern(value: string): string {
  if (value.split(/[,:]/).every((p) => p.trim() === ""))
    throw new InvalidArgumentError("empty host pattern (to target every host, say `all`)");
  return value.trim();
}

/** Returns a comma-separated tag list as given; an empty list (`-t ''`, `-t ,`) is refused, and so is an empty tag. */
export function tagList(value: string): string {
  const tags = value.split(",").map((t) => t.trim());
  if (tags.every((t) => t === "")) throw new InvalidArgumentError("empty tag list (leave the option out to select every operation)");
  if (tags.some((t) => t === "")) throw new InvalidArgumentError(`empty tag in ${quoteValue(value)}`);
  return value;
}

/** Counts repeated -v flags. */
export function increase(_: string, previous: number): number {
  return previous + 1;
}
