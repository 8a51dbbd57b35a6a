import type { RunEvent } from "../core/events.js";

/**
 * An unbounded event stream with any number of readers: every reader sees every event from the start
 * (events are kept for the run's lifetime: a run has thousands, not millions). A reader that
 * attaches late first replays what it missed, so the CLI, the run store and a server's SSE feed
 * all see the same sequence.
 */
export class EventQueue implements AsyncIterable<RunEvent> {
  private readonly items: RunEvent[] = [];
  private closed = false;
  private wake: (() => void)[] = [];
  private readonly listeners: ((e: RunEvent) => void)[] = [];

  /** Adds an event; synchronous listeners see it at once, iterators on their next turn. */
  push = (e: RunEvent): void => {
    if (this.closed) return;
    this.items.push(e);
    for (const l of this.listeners) l(e);
    this.flush();
  };

  /** Calls fn for every event so far and every later one, synchronously as it is pushed. */
  listen(fn: (e: RunEvent) => void): void {
    for (const e of this.items) fn(e);
    this.listeners.push(fn);
  }

  close(): void {
    this.closed = true;
    this.flush();
  }

  private flush(): void {
    const w = this.wake;
    this.wake = [];
    for (const f of w) f();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RunEvent> {
    let i = 0;
    for (;;) {
      while (i < this.items.length) yield this.items[i++] as RunEvent;
      if (this.closed) return;
      await new Promise<void>((r) => this.wake.push(r));
    }
  }
}
