import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSshG } from "../../../src/transport/ssh-config.js";
import { splitBatchOutput, sshG } from "../../../src/transport/ssh-g-batch.js";

describe("sshG (batched ssh -G)", () => {
  it("returns each destination its own config when many are asked at once, as one ssh -G each would", async () => {
    const names = Array.from({ length: 20 }, (_, i) => `batch-host-${i}.example`);
    const results = await Promise.all(names.map((n, i) => sshG(["-G", "-p", String(2200 + i), "--", n])));
    results.forEach((r, i) => {
      assert.equal(r.code, 0, r.output);
      const cfg = parseSshG(r.output);
      assert.equal(cfg.hostname, names[i]);
      assert.equal(cfg.port, 2200 + i);
    });
  });

  it("fails only the destination whose ssh -G failed, with ssh's message", async () => {
    const [good, bad] = await Promise.all([
      sshG(["-G", "--", "fine.example"]),
      sshG(["-G", "-o", "NoSuchOption=1", "--", "broken.example"]),
    ]);
    assert.equal(good.code, 0);
    assert.equal(parseSshG(good.output).hostname, "fine.example");
    assert.notEqual(bad.code, 0);
    assert.match(bad.output, /NoSuchOption|[Bb]ad configuration option/);
  });

  it("runs a lone destination as before (one ssh, its stderr as the error)", async () => {
    const r = await sshG(["-G", "-o", "NoSuchOption=1", "--", "alone.example"]);
    assert.notEqual(r.code, 0);
    assert.match(r.output, /NoSuchOption|[Bb]ad configuration option/);
  });
});

describe("splitBatchOutput", () => {
  it("splits items by marker, and leaves out an item cut short", () => {
    const out = "M 0\nhostname a\nM-rc 0\nM 1\nboom\nM-rc 255\nM 2\nhostname c\n";
    const r = splitBatchOutput(out, "M");
    assert.deepEqual(r.get(0), { code: 0, output: "hostname a" });
    assert.deepEqual(r.get(1), { code: 255, output: "boom" });
    assert.equal(r.has(2), false);
  });
});
