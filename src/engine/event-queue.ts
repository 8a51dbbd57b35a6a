import type { RunEvent } from "../core/events.js";

/** How many events a reader takes between two drops of what every reader has taken. */
const TRIM_EVERY = 256;

/**
 * An event stream with any number of readers, each of which sees every event from the start. Events
 * are kept only until every reader has taken them: a run's events (plans with their diffs, every op
 * result) then stream through to the CLI, the run record and a server's feed instead of piling up for
 * the run's length. Until the first reader attaches every event is kept, so a reader that starts late
 * still sees the whole run; a reader that attaches after events were dropped is refused.
 */
export class EventQueue implements AsyncIterable<RunEvent> {
  private items: RunEvent[] = [];
  /** Sequence number of items[0]: events before it were taken by every reader and dropped. */
  private base = 0;
  private closed = false;
  private wake: (() => void)[] = [];
  private readonly listeners: ((e: RunEvent) => void)[] = [];
  /** Per reader attached, the sequence number of the next event it takes. */
  private readonly cursors = new Set<{ at: number }>();

  /** Adds an event; synchronous listeners see it at once, iterators on their next turn. */
  push = (e: RunEvent): void => {
    if (this.closed) return;
    this.items.push(e);
    for (const l of this.listeners) l(e);
    this.flush();
  };

  /** Calls fn for every event so far and every later one, synchronously as it is pushed. */
  listen(fn: (e: RunEvent) => void): void {
    this.checkComplete();
    for (const e of this.items) fn(e);
    this.listeners.push(fn);
  }

  close(): void {
    this.closed = true;
    this.flush();
  }

  /** How many events are held now (taken by no reader yet, or not by all). */
  get held(): number {
    return this.items.length;
  }

  private flush(): void {
    const w = this.wake;
    this.wake = [];
    for (const f of w) f();
  }

  private checkComplete(): void {
    if (this.base > 0) throw new Error("this run's events were already read and dropped: attach every reader before reading");
  }

  /** Drops the events every reader has taken. */
  private trim(): void {
    let min = this.base + this.items.length;
    for (const c of this.cursors) min = Math.min(min, c.at);
    if (min === this.base) return;
    this.items = this.items.slice(min - this.base);
    this.base = min;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RunEvent> {
    this.checkComplete();
    const cursor = { at: this.base };
    this.cursors.add(cursor);
    try {
      for (;;) {
        while (cursor.at < this.base + this.items.length) {
          const e = this.items[cursor.at - this.base] as RunEvent;
          cursor.at++;
          // A reader that never quite catches up (a busy run) still lets go of what every reader took.
          if (cursor.at % TRIM_EVERY === 0) this.trim();
          yield e;
        }
        this.trim();
        if (this.closed) return;
        await new Promise<void>((r) => this.wake.push(r));
      }
    } finally {
      // A reader that stops early (break) no longer holds events back.
      this.cursors.delete(cursor);
      this.trim();
    }
  }
}
