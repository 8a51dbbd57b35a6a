import { ConnectionError } from "../errors.js";
import { logger } from "../log.js";
import { sleep } from "../util/proc.js";

const log = logger("ssh");

/**
 * Opening a connection, as both transports retry it: `attempt` is tried up to `retries` times,
 * again only after a transient ConnectionError, with exponential backoff from `retryBaseMs`.
 * Any other error ends it at once, as it is, or, with `wrapOthers`, as a non-transient
 * ConnectionError naming `host` (ssh2's library errors; OpenSSH's path keeps "ssh: command not found").
 */
export async function retryTransient<T>(
  host: string,
  s: { retries: number; retryBaseMs: number },
  attempt: (n: number) => Promise<T>,
  opts: { wrapOthers?: boolean } = {},
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!(e instanceof ConnectionError) && !opts.wrapOthers) throw e;
      const err = e instanceof ConnectionError ? e : new ConnectionError(host, String(e), false);
      if (!err.transient || n >= s.retries) throw err;
      const delay = s.retryBaseMs * 2 ** (n - 1);
      log.debug("transient connection error, retrying", { host, attempt: n, delay_ms: delay, error: err.message });
      await sleep(delay);
    }
  }
}
