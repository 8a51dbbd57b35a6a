import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { acquireLock, LockBusyError, withLock } from "../../../src/util/lock.js";

const dir = () => mkdtempSync(path.join(os.tmpdir(), "bosun-lock-"));

describe("file lock", () => {
  it("a second taker is refused, naming the live holder, until the first releases", async () => {
    const file = path.join(dir(), "x.lock");
    const release = await acquireLock(file, { what: "first" });
    await assert.rejects(
      acquireLock(file),
      (e: unknown) => e instanceof LockBusyError && /first/.test(e.message) && e.holder.pid === process.pid,
    );
    await release();
    assert.equal(existsSync(file), false);
    (await acquireLock(file))();
  });

  it("a lock left by a dead process is taken over and reported", async () => {
    const file = path.join(dir(), "x.lock");
    const child = spawn(process.execPath, ["-e", ""]);
    const pid = child.pid as number;
    await new Promise((r) => child.on("exit", r));
    writeFileSync(file, JSON.stringify({ pid, since: "then" }));
    const stale: number[] = [];
    const release = await acquireLock(file, { onStale: (h) => stale.push(h.pid) });
    assert.deepEqual(stale, [pid]);
    assert.equal(JSON.parse(readFileSync(file, "utf8")).pid, process.pid);
    await release();
  });

  it("a waiter gets the lock once the holder releases within the wait", async () => {
    const file = path.join(dir(), "x.lock");
    const order: string[] = [];
    const first = withLock(file, {}, async () => {
      order.push("a-start");
      await new Promise((r) => setTimeout(r, 300));
      order.push("a-end");
    });
    await new Promise((r) => setTimeout(r, 50));
    await withLock(file, { waitMs: 5000 }, async () => {
      order.push("b");
    });
    await first;
    assert.deepEqual(order, ["a-start", "a-end", "b"]);
  });
});
