/**
 * The practical limit of a first apply: bench/oneexec/site.sh, the site's end state by hand, run as
 * one exec per host by bench/oneexec/fanout.sh (one ssh each, all hosts at once).
 */
import path from "node:path";
import type { BenchHost, LabAccess } from "./lab.js";
import { BENCH_ENVIRONMENT, ROOT } from "./lab.js";

export const ONE_EXEC_SCRIPT = path.join(ROOT, "bench", "oneexec", "site.sh");
const FANOUT = path.join(ROOT, "bench", "oneexec", "fanout.sh");

/** The command that runs the script on every host in parallel (what the bench times). */
export function oneExecArgv(hosts: BenchHost[], access: LabAccess): string[] {
  return [
    "sh",
    FANOUT,
    ONE_EXEC_SCRIPT,
    access.key,
    access.knownHosts,
    access.user,
    BENCH_ENVIRONMENT,
    ...hosts.map((h) => `${h.name}:${h.address}:${h.group}`),
  ];
}
