import { type Command, Option } from "commander";
import { UsageError } from "../errors.js";

/** Adds the options every host-targeting command shares. */
export function hostOptions(cmd: Command): Command {
  return cmd
    .option("-i, --inventory <inv>", "inventory file, a name from bosun.toml [inventories], or `lab`")
    .option("-l, --limit <pattern>", "further limit the selected hosts (host pattern)")
    .option("-e, --extra-vars <vars>", "extra vars: key=value, JSON, or @file (repeatable)", collect, [])
    .option("-f, --forks <n>", "hosts worked on in parallel", positiveInt)
    .option("-u, --user <user>", "connect as this user")
    .option("-b, --become", "run with privilege escalation (sudo)")
    .option("--become-user <user>", "user to become", undefined)
    .option("-K, --ask-become-pass", "prompt for the sudo password")
    .option("--accept-new-host-keys", "accept and record unknown host keys (a changed key is always refused)")
    .option("--connect-timeout <s>", "SSH connect timeout in seconds", positiveInt)
    .option("--vault-id <id@source>", "vault key: ID@FILE or ID@prompt (repeatable)", collect, [])
    .option("--vault-password-file <file>", "file holding the vault password or key")
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

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`expected a positive integer, found "${value}"`);
  return n;
}

/** Counts repeated -v flags. */
export function increase(_: string, previous: number): number {
  return previous + 1;
}
