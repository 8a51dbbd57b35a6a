/** The server's PID file: one server per state dir; a file left by a dead process is taken over. */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { BosunError } from "../errors.js";
import { pidAlive } from "../util/proc.js";

/** Writes this process's PID to file; throws when a live process already holds it. Returns the remover. */
export function writePidFile(file: string): () => void {
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, "utf8").trim());
    if (pid && pid !== process.pid && pidAlive(pid))
      throw new BosunError(`a bosun server already runs with this state dir (pid ${pid}, ${file})`);
  }
  writeFileSync(file, `${process.pid}\n`, { mode: 0o644 });
  return () => {
    try {
      if (readFileSync(file, "utf8").trim() === String(process.pid)) rmSync(file);
    } catch {
      /* already gone */
    }
  };
}
