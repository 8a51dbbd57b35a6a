import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunEvent } from "../../../src/core/events.js";
import { EventQueue } from "../../../src/engine/event-queue.js";

const ev = (i: number): RunEvent => ({ type: "op_ok", play: "p", host: `h${i}`, index: i, op: `op ${i}` });
const tick = () => new Promise((r) => setImmediate(r));

describe("EventQueue", () => {
  it("holds no event a reader has taken: a long run's events stream through instead of piling up", async () => {
    const q = new EventQueue();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const e of q) if (e.type === "op_ok") seen.push(e.host);
    })();
    for (let i = 0; i < 1000; i++) {
      q.push(ev(i));
      if (i % 100 === 99) {
        await tick();
        assert.equal(q.held, 0, `after ${i + 1} events the reader has them all and the queue holds none`);
      }
    }
    q.close();
    await reading;
    assert.equal(seen.length, 1000);
    assert.equal(seen[999], "h999");
  });

  it("keeps an event until every reader has taken it, and each reader sees every event in order", async () => {
    const q = new EventQueue();
    const fast: number[] = [];
    const slow: number[] = [];
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const a = (async () => {
      for await (const e of q) if (e.type === "op_ok") fast.push(e.index);
    })();
    const b = (async () => {
      for await (const e of q) {
        if (e.type === "op_ok") slow.push(e.index);
        if (slow.length === 1) await gate;
      }
    })();
    for (let i = 0; i < 5; i++) q.push(ev(i));
    await tick();
    assert.equal(fast.length, 5);
    assert.equal(q.held, 4, "the slow reader has taken only the first");
    release();
    q.close();
    await Promise.all([a, b]);
    assert.deepEqual(slow, [0, 1, 2, 3, 4]);
    assert.equal(q.held, 0);
  });

  it("keeps every event until the first reader attaches, so a reader that starts late sees the whole run", async () => {
    const q = new EventQueue();
    const recorded: number[] = [];
    q.listen((e) => e.type === "op_ok" && recorded.push(e.index));
    for (let i = 0; i < 3; i++) q.push(ev(i));
    q.close();
    const read: RunEvent[] = [];
    for await (const e of q) read.push(e);
    assert.equal(read.length, 3);
    assert.deepEqual(recorded, [0, 1, 2], "listeners see events as they are pushed");
  });

  it("refuses a reader that attaches after events were dropped, and one that stops early holds nothing back", async () => {
    const q = new EventQueue();
    q.push(ev(0));
    q.push(ev(1));
    for await (const _ of q) break;
    assert.equal(q.held, 0, "the only reader left: nothing is kept for it");
    await assert.rejects(async () => {
      for await (const _ of q);
    }, /already read and dropped/);
  });
});
