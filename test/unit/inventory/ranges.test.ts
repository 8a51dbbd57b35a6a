import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expandHostPattern, MAX_RANGE_HOSTS } from "../../../src/inventory/ranges.js";

const names = (entry: string) => expandHostPattern(entry).names;

describe("expandHostPattern", () => {
  it("returns a name without a range unchanged", () => {
    assert.deepEqual(expandHostPattern("web1.example.com"), { names: ["web1.example.com"], port: undefined });
  });

  it("splits off a port: host:port, [ipv6]:port, range:port", () => {
    assert.deepEqual(expandHostPattern("hera:3000"), { names: ["hera"], port: 3000 });
    assert.deepEqual(expandHostPattern("[::1]:2022"), { names: ["::1"], port: 2022 });
    assert.deepEqual(expandHostPattern("10.0.0.[1:2]:22"), { names: ["10.0.0.1", "10.0.0.2"], port: 22 });
  });

  it("keeps a bare IPv6 address whole", () => {
    assert.deepEqual(expandHostPattern("fe80::1"), { names: ["fe80::1"], port: undefined });
  });

  it("keeps the zero padding of a numeric range whose start has a leading zero", () => {
    assert.deepEqual(names("web[01:03]"), ["web01", "web02", "web03"]);
    assert.deepEqual(names("n[08:11]"), ["n08", "n09", "n10", "n11"]);
  });

  it("does not pad a numeric range whose start has no leading zero", () => {
    assert.deepEqual(names("web[9:11]"), ["web9", "web10", "web11"]);
  });

  it("expands letter ranges, upper case too, with steps", () => {
    assert.deepEqual(names("db-[a:c]"), ["db-a", "db-b", "db-c"]);
    assert.deepEqual(names("rack[A:C]"), ["rackA", "rackB", "rackC"]);
    assert.deepEqual(names("s[a:e:2]"), ["sa", "sc", "se"]);
  });

  it("honours a numeric step and includes the end when the step lands on it", () => {
    assert.deepEqual(names("x[0:10:5]"), ["x0", "x5", "x10"]);
    assert.deepEqual(names("x[1:10:4]"), ["x1", "x5", "x9"]);
  });

  it("reads an empty begin as 0 (x[:2] is x0 x1 x2) and a line starting with a range", () => {
    assert.deepEqual(names("x[:2]"), ["x0", "x1", "x2"]);
    assert.deepEqual(names("[1:2].node"), ["1.node", "2.node"]);
  });

  it("expands several ranges in one name as a cartesian product, first range outermost", () => {
    assert.deepEqual(names("r[1:2]c[a:b]"), ["r1ca", "r1cb", "r2ca", "r2cb"]);
  });

  it("gives no hosts for a numeric range whose begin is after its end (as Ansible)", () => {
    assert.deepEqual(names("web[3:1]"), []);
  });

  it("rejects the malformed ranges Ansible rejects", () => {
    assert.throws(() => names("web[01:]"), /bad host range "\[01:\]" in "web\[01:\]": the range needs an end value/);
    assert.throws(() => names("h[1:2:3:4]"), /expected \[begin:end\] or \[begin:end:step\]/);
    assert.throws(() => names("host[001:10]"), /zero-padded begin and the end must have equal length/);
    assert.throws(() => names("db[c:a]"), /begin is after end/);
    assert.throws(() => names("web[a:3]"), /"a" is not a number or a single letter/);
    assert.throws(() => names("web[1:3:0]"), /the step must not be 0/);
    assert.throws(() => names("web[1-3]"), /expected \[begin:end\]/);
  });

  it("refuses a range that would expand to more than the cap, before allocating it", () => {
    assert.throws(() => names("web[1:1000000000]"), new RegExp(`expands to more than ${MAX_RANGE_HOSTS} hosts`));
    assert.throws(() => names("a[1:1000]b[1:1000]"), /expands to more than/);
  });
});
