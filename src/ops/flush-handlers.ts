import { declareOp, FLUSH_HANDLERS } from "../core/collector.js";
import type { Operation } from "../core/operation.js";

/**
 * Runs, at this point of the play, the handlers notified so far (instead of only at the end), e.g.
 * restart a service before a later step checks it. Handlers notified afterwards run at the end as usual.
 */
export function flushHandlers(): Operation {
  return declareOp({
    kind: FLUSH_HANDLERS,
    name: "(notified so far)",
    tags: ["always"],
    notify: [],
    facts: () => [],
    plan: () => ({ changed: false, summary: "run notified handlers now" }),
    apply: () => ":",
  });
}
