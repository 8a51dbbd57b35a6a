import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../../../src/errors.js";
import { parseShard, shardHosts } from "../../../src/inventory/shard.js";

const fleet = (n: number) => Array.from({ length: n }, (_, i) => `web${String(i + 1).padStart(5, "0")}.dc${i % 7}`);

describe("shardHosts", () => {
  for (const [size, n] of [
    [10_000, 7],
    [5_003, 16],
    [3, 5],
    [1, 1],
  ] as const) {
    it(`splits ${size} hosts into ${n} disjoint shards whose union is the selection`, () => {
      const hosts = fleet(size);
      const shards = Array.from({ length: n }, (_, i) => shardHosts(hosts, { k: i + 1, n }));
      const seen = new Map<string, number>();
      shards.forEach((s, i) => {
        for (const h of s) {
          assert.equal(seen.get(h), undefined, `${h} is in shard ${seen.get(h)} and ${i + 1}`);
          seen.set(h, i + 1);
        }
      });
      assert.deepEqual([...seen.keys()].sort(), [...hosts].sort());
      const sizes = shards.map((s) => s.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced: ${sizes.join(",")}`);
    });
  }

  it("gives the same split whatever the order of the selection, and keeps the selection's order", () => {
    const hosts = fleet(2_000);
    const reversed = [...hosts].reverse();
    for (let k = 1; k <= 4; k++) {
      const a = shardHosts(hosts, { k, n: 4 });
      const b = shardHosts(reversed, { k, n: 4 });
      assert.deepEqual([...a].sort(), [...b].sort());
      assert.deepEqual(
        a,
        hosts.filter((h) => a.includes(h)),
      );
    }
  });

  it("is deterministic across calls and ignores duplicate names", () => {
    const hosts = fleet(500);
    assert.deepEqual(shardHosts(hosts, { k: 2, n: 3 }), shardHosts([...hosts, ...hosts], { k: 2, n: 3 }));
  });
});

describe("parseShard", () => {
  it("reads K/N", () => assert.deepEqual(parseShard("2/4"), { k: 2, n: 4 }));
  for (const bad of ["0/4", "5/4", "1/0", "a/b", "2"])
    it(`refuses ${bad} with a usage error`, () => assert.throws(() => parseShard(bad), UsageError));
});
