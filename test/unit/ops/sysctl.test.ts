import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import type { FileFact } from "../../../src/facts/file.js";
import { parseSysctlValue } from "../../../src/facts/sysctl.js";
import { sysctl, sysctlFile } from "../../../src/ops/sysctl.js";
import { applyHere, declared, have, lookupOf, planHere } from "./kit.js";

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "../../fixtures/facts", name), "utf8");
const dropIn = (key: string, value: string): FileFact => {
  const content = Buffer.from(`# Managed by Bosun\n${key} = ${value}\n`);
  return { type: "file", mode: "0644", owner: "root", group: "root", content, sha256: createHashHex(content) };
};
function createHashHex(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}

describe("sysctl fact", () => {
  it("parses a live value, collapsing the tab of multi-value keys (captured on db1)", () => {
    assert.deepEqual(parseSysctlValue(fixture("sysctl-ip-local-port-range.txt"), 0), { exists: true, value: "32768 60999" });
  });

  it("reports a key the kernel does not have", () => {
    assert.deepEqual(parseSysctlValue("", 255), { exists: false });
  });
});

describe("sysctl planner", () => {
  const K = "net.ipv4.ip_forward";
  const F = `file:${sysctlFile(K)}`;
  const plan = (value: string | number, facts: Record<string, unknown>, o = {}) =>
    declared(() => sysctl(K, value, o)).plan(lookupOf(facts));

  it("plans the drop-in (with its diff) and the live value", () => {
    const p = plan(1, { [F]: { type: "absent" }, [`sysctl:${K}`]: { exists: true, value: "0" } });
    assert.equal(p.changed, true);
    assert.equal(p.summary, "/etc/sysctl.d/99-bosun-net.ipv4.ip_forward.conf: create (43 bytes, mode 0644), live 0 → 1");
    assert.match(p.diff ?? "", /^\+net\.ipv4\.ip_forward = 1$/m);
  });

  it("reports no change when the drop-in and the live value are right", () => {
    assert.deepEqual(plan(1, { [F]: dropIn(K, "1"), [`sysctl:${K}`]: { exists: true, value: "1" } }), { changed: false, summary: "= 1" });
  });

  it("plans only the live value when the file is right but the kernel differs", () => {
    assert.deepEqual(plan("1", { [F]: dropIn(K, "1"), [`sysctl:${K}`]: { exists: true, value: "0" } }), {
      changed: true,
      summary: "live 0 → 1",
      diff: undefined,
    });
  });

  it("ignores the live value with apply: false", () => {
    const op = declared(() => sysctl(K, 1, { apply: false }));
    assert.deepEqual(
      op.facts().map((f) => f.key),
      [F],
    );
    assert.equal(op.plan(lookupOf({ [F]: dropIn(K, "1") })).changed, false);
  });

  it("says when the key is not there (yet: a module may load it earlier in the run)", () => {
    assert.match(plan(1, { [F]: dropIn(K, "1"), [`sysctl:${K}`]: { exists: false } }).summary, /key not present on the host yet/);
  });

  it("compares multi-value keys with whitespace collapsed", () => {
    const k = "net.ipv4.ip_local_port_range";
    const facts = { [`file:${sysctlFile(k)}`]: dropIn(k, "1024 65000"), [`sysctl:${k}`]: { exists: true, value: "1024 65000" } };
    assert.equal(declared(() => sysctl(k, "1024\t 65000")).plan(lookupOf(facts)).changed, false);
  });
});

describe("sysctl arguments", () => {
  it("are checked at declaration", () => {
    assert.throws(() => declared(() => sysctl("ip_forward", 1)), /bad key "ip_forward"/);
    assert.throws(() => declared(() => sysctl("net.ipv4.ip_forward; reboot", 1)), /bad key/);
    assert.throws(() => declared(() => sysctl("net.ipv4.ip_forward", "  ")), /empty value/);
    assert.throws(() => declared(() => sysctl("net.ipv4.ip_forward", "1\n2")), /one line/);
    assert.throws(() => declared(() => sysctl("net.ipv4.ip_forward", 1, { file: "/etc/sysctl.d/x" })), /must end in \.conf/);
    assert.throws(() => declared(() => sysctl("net.ipv4.ip_forward", 1, { file: "x.conf" })), /absolute/);
  });

  it("names the drop-in after the key, slashes made safe", () => {
    assert.equal(sysctlFile("net.ipv4.conf.eth0/100.forwarding"), "/etc/sysctl.d/99-bosun-net.ipv4.conf.eth0_100.forwarding.conf");
  });
});

describe("sysctl apply (run locally)", { skip: !have("sysctl") && "no sysctl here" }, () => {
  const tmpFile = () => path.join(mkdtempSync(path.join(os.tmpdir(), "bosun-sysctl-")), "k.conf");

  it("writes the drop-in once with apply: false", () => {
    const file = tmpFile();
    const op = declared(() => sysctl("vm.swappiness", 10, { file, apply: false }));
    assert.equal(applyHere(op).status, "changed");
    assert.equal(readFileSync(file, "utf8"), "# Managed by Bosun\nvm.swappiness = 10\n");
    assert.equal(applyHere(op).status, "ok");
    assert.equal(planHere(op).changed, false);
  });

  it("leaves a live value that is already right alone (a read-only key works)", () => {
    const file = tmpFile();
    const op = declared(() => sysctl("kernel.ostype", "Linux", { file }));
    assert.equal(applyHere(op).status, "changed");
    assert.equal(applyHere(op).status, "ok");
    assert.equal(planHere(op).changed, false);
  });

  it("fails clearly when the live value cannot be set", () => {
    const op = declared(() => sysctl("kernel.ostype", "Plan9", { file: tmpFile() }));
    const r = applyHere(op);
    assert.equal(r.status, "failed");
    assert.match(r.output ?? "", /sysctl kernel\.ostype: could not set the live value \(it reads "Linux"; .*k\.conf is in place/);
  });
});
