/**
 * Facts gathered ahead: the facts exec of a host's first play also gathers the facts its later plays
 * will ask for, so a run that changes nothing (a no-op re-run, a check run) costs ONE exec per host
 * instead of one per play, and a later play plans at once instead of waiting for a round trip.
 *
 * A later play uses them only when no apply on ANY host changed (or may have changed) anything
 * since they were gathered. Per-host validity would not do: a fact can read another host
 * (`git ls-remote` of a repository an earlier play pushed to), and plays promise that play N+1
 * sees what play N did everywhere. When something changed, the later play gathers its own facts
 * as before; the facts gathered ahead were a few extra sections in an exec that ran anyway.
 */
import type { FactRequest } from "../core/operation.js";
import type { Transport } from "../transport/types.js";
import { type Gathered, type GatherFacts, gatherRaw, parseRequests, uniqueByKey } from "./host.js";

/** A later play's fact requests for one host (the play's index in the deployment). */
export interface LaterPlay {
  index: number;
  requests: FactRequest[];
}

/** Per run: facts gathered ahead, by host and play, and a count of applies that changed something. */
export class FactsAhead {
  private changes = 0;
  private readonly kept = new Map<string, Map<number, { changes: number; facts: Gathered }>>();

  /** An apply changed, or may have changed, something on a host: facts gathered before now are stale. */
  changed(): void {
    this.changes++;
  }

  /** Returns the count of changing applies so far (the stamp of facts gathered now). */
  get stamp(): number {
    return this.changes;
  }

  keep(host: string, play: number, facts: Gathered, stamp: number): void {
    let plays = this.kept.get(host);
    if (!plays) this.kept.set(host, (plays = new Map()));
    plays.set(play, { changes: stamp, facts });
  }

  /** Returns (and forgets) the facts gathered ahead for a host's play, when nothing changed since. */
  take(host: string, play: number): Gathered | undefined {
    const plays = this.kept.get(host);
    const k = plays?.get(play);
    plays?.delete(play);
    if (plays?.size === 0) this.kept.delete(host);
    return k && k.changes === this.changes ? k.facts : undefined;
  }

  /** Forgets a host's facts (it left the run). */
  drop(host: string): void {
    this.kept.delete(host);
  }
}

export interface AheadInput {
  t: Transport;
  become: boolean | undefined;
  ahead: FactsAhead;
  host: string;
  play: number;
  /** The later plays of this host that can share this play's exec (same become); evaluated when first needed. */
  later: () => LaterPlay[];
}

/**
 * Returns the GatherFacts of a host's play: its plan gathering uses facts gathered ahead when they
 * are still valid and hold every request, else runs one exec that also gathers the later plays'
 * facts. A later play whose facts cannot be parsed is left to gather its own (and report the error then).
 */
export function aheadGatherer(a: AheadInput): GatherFacts {
  return async (requests, kind) => {
    if (kind === "plan") {
      const pre = a.ahead.take(a.host, a.play);
      if (pre && requests.every((r) => pre.values.has(r.key))) return pre;
    }
    const later = kind === "plan" ? a.later() : [];
    const stamp = a.ahead.stamp;
    const raw = await gatherRaw(a.t, uniqueByKey([...requests, ...later.flatMap((p) => p.requests)]), a.become);
    const values = parseRequests(raw, requests);
    for (const p of later) {
      try {
        a.ahead.keep(a.host, p.index, { host: raw.host, values: parseRequests(raw, p.requests) }, stamp);
      } catch {
        // That play gathers again and reports its own error.
      }
    }
    return { host: raw.host, values };
  };
}
