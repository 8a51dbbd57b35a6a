import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { mapLimit } from "../../../src/transport/pool.js";

/** Runs mapLimit with a task that records how many tasks are in flight at once. */
async function track(count: number, limit: number, delay: (i: number) => number = () => 5) {
  let inFlight = 0;
  let max = 0;
  const started: number[] = [];
  const results = await mapLimit(
    Array.from({ length: count }, (_, i) => i),
    limit,
    async (item, index) => {
      assert.equal(item, index);
      started.push(index);
      inFlight++;
      max = Math.max(max, inFlight);
      await sleep(delay(index));
      inFlight--;
      return item * 10;
    },
  );
  return { results, max, started, inFlight };
}

describe("mapLimit", () => {
  it("never has more than limit tasks in flight, and reaches the limit", async () => {
    const { max, inFlight } = await track(20, 4);
    assert.equal(max, 4);
    assert.equal(inFlight, 0);
  });

  it("runs one task at a time with a limit of 1", async () => {
    const { max } = await track(6, 1);
    assert.equal(max, 1);
  });

  it("runs every item at once when the limit exceeds the item count", async () => {
    const { max } = await track(3, 50);
    assert.equal(max, 3);
  });

  it("treats a limit below 1 as 1 rather than running nothing", async () => {
    const { results, max } = await track(3, 0);
    assert.equal(max, 1);
    assert.deepEqual(results, [0, 10, 20]);
  });

  it("returns results in item order even when later items finish first", async () => {
    const { results } = await track(6, 3, (i) => (6 - i) * 4);
    assert.deepEqual(results, [0, 10, 20, 30, 40, 50]);
  });

  it("starts items in order and starts each exactly once", async () => {
    const { started } = await track(10, 3, (i) => (i % 3) * 3);
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("starts the next item as soon as a slot frees, not in batches", async () => {
    // Item 0 is slow; with a limit of 2 the other items must all run through the second slot meanwhile.
    const order: string[] = [];
    await mapLimit([0, 1, 2, 3], 2, async (i) => {
      order.push(`start ${i}`);
      await sleep(i === 0 ? 60 : 5);
      order.push(`end ${i}`);
    });
    assert.ok(order.indexOf("start 3") < order.indexOf("end 0"), order.join(", "));
  });

  it("returns an empty array for no items without calling fn", async () => {
    let calls = 0;
    const r = await mapLimit([], 4, async () => {
      calls++;
    });
    assert.deepEqual(r, []);
    assert.equal(calls, 0);
  });

  it("rejects with the error of a failing item", async () => {
    await assert.rejects(
      mapLimit([1, 2, 3], 2, async (i) => {
        if (i === 2) throw new Error("item 2 failed");
        return i;
      }),
      /item 2 failed/,
    );
  });
});
