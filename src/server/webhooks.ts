/** Webhooks: a JSON POST to every configured URL; a receiver that fails is logged, never fatal. */
import { logger } from "../log.js";
import { redact } from "../vault/redact.js";

const log = logger("server");

export type Notify = (event: string, payload: Record<string, unknown>) => Promise<void>;

/** Returns a notifier that POSTs {event, time, ...payload} to urls (5 s timeout each). */
export function webhooks(urls: string[]): Notify {
  return async (event, payload) => {
    const body = redact(JSON.stringify({ event, time: new Date().toISOString(), ...payload }));
    await Promise.all(
      urls.map(async (url) => {
        try {
          const res = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
            signal: AbortSignal.timeout(5000),
          });
          if (!res.ok) log.warn("webhook refused", { url, status: res.status, event });
        } catch (err) {
          log.warn("webhook failed", { url, event, error: (err as Error).message });
        }
      }),
    );
  };
}
