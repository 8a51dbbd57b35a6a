/**
 * Runs the `ssh -G` of many destinations through ONE local `sh` per batch instead of one node
 * spawn each: a spawn from the controller costs its event loop ~5–20 ms of CPU (more with a big
 * heap), 18 hosts' spawns were ~340 ms of a no-op's controller CPU; `sh` forks the ssh processes
 * for far less. Same OpenSSH, the same argv per destination: only how it is started changes.
 * Calls made in the same turn of the event loop share a batch (the hosts of a play connect at once).
 */
import { randomBytes } from "node:crypto";
import { limiter } from "../util/limiter.js";
import { run } from "../util/proc.js";
import { quote } from "../util/shell.js";

/** What one `ssh -G` returned: its exit code, and its output (stdout, or the error text when it failed). */
export interface SshGResult {
  code: number;
  output: string;
}

interface Pending {
  argv: string[];
  resolve: (r: SshGResult) => void;
  reject: (e: unknown) => void;
}

const BATCH = 16;
// A few shells at a time keep a 1,000-host run from forking 1,000 ssh at once.
const slot = limiter(4);
let queue: Pending[] = [];

/** Returns the result of `ssh ARGV` (argv starts with -G), batched with the calls of the same event-loop turn. */
export function sshG(argv: string[]): Promise<SshGResult> {
  return new Promise((resolve, reject) => {
    if (queue.length === 0) setImmediate(flush);
    queue.push({ argv, resolve, reject });
  });
}

function flush(): void {
  const all = queue;
  queue = [];
  for (let i = 0; i < all.length; i += BATCH) {
    const batch = all.slice(i, i + BATCH);
    slot(() => runBatch(batch)).catch((err) => {
      for (const p of batch) p.reject(err);
    });
  }
}

async function runBatch(batch: Pending[]): Promise<void> {
  if (batch.length === 1) {
    const p = batch[0] as Pending;
    const r = await run("ssh", p.argv, { check: false, timeoutMs: 10_000 });
    p.resolve({ code: r.code, output: r.code === 0 ? r.stdout : r.stderr || r.stdout });
    return;
  }
  const mark = `@@ssh-g-${randomBytes(6).toString("hex")}`;
  const script = batch.map((p, i) => `echo '${mark} ${i}'; ssh ${p.argv.map(quote).join(" ")} </dev/null 2>&1; echo "${mark}-rc $?"`);
  const r = await run("sh", ["-c", script.join("\n")], { check: false, timeoutMs: 10_000 + 2_000 * batch.length });
  const sections = splitBatchOutput(r.stdout, mark);
  batch.forEach((p, i) => {
    p.resolve(sections.get(i) ?? { code: 255, output: `ssh -G did not finish${r.stderr ? `: ${r.stderr.trim()}` : ""}` });
  });
}

/** Returns the result of each item of a batch's output, by index (an item cut short has none). */
export function splitBatchOutput(out: string, mark: string): Map<number, SshGResult> {
  const res = new Map<number, SshGResult>();
  let current: number | undefined;
  let lines: string[] = [];
  for (const line of out.split("\n")) {
    if (line.startsWith(`${mark} `)) {
      current = Number(line.slice(mark.length + 1));
      lines = [];
    } else if (line.startsWith(`${mark}-rc `)) {
      if (current !== undefined) res.set(current, { code: Number(line.slice(mark.length + 4)), output: lines.join("\n") });
      current = undefined;
    } else lines.push(line);
  }
  return res;
}
