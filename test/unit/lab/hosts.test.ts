import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { hostOverlay, isMountPoint } from "../../../src/lab/hosts.js";
import { labLayout } from "../../../src/lab/layout.js";

describe("lab host overlays", () => {
  it("keeps each host's upper, work and mount directories apart, under the hosts directory", () => {
    const layout = labLayout("/srv/data/bosun/lab");
    const a = hostOverlay(layout, "web1");
    const b = hostOverlay(layout, "web10");
    assert.equal(a.root, "/srv/data/bosun/lab/hosts/web1/root");
    assert.equal(new Set([a.upper, a.work, a.root, b.upper, b.work, b.root]).size, 6);
    for (const d of [a.upper, a.work, a.root]) assert.ok(d.startsWith(`${layout.hostsDir}/web1/`));
  });

  it("tells a mount point from a plain directory", async () => {
    assert.equal(await isMountPoint("/proc"), true);
    assert.equal(await isMountPoint(mkdtempSync(path.join(os.tmpdir(), "bosun-mnt-"))), false);
  });
});
