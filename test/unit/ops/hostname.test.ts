import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import type { FileFact } from "../../../src/facts/file.js";
import { parseLiveHostname } from "../../../src/facts/hostname.js";
import { hostname, hostsLine } from "../../../src/ops/hostname.js";
import { applyHere, declared, fakeCommand, lookupOf, rebased } from "./kit.js";

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "../../fixtures/facts", name), "utf8");
const fileWith = (text: string): FileFact => {
  const content = Buffer.from(text);
  return { type: "file", mode: "0644", owner: "root", group: "root", content, sha256: createHash("sha256").update(content).digest("hex") };
};
const HOSTS = "127.0.0.1\tlocalhost\n127.0.1.1\tdb1\n\n::1\tlocalhost ip6-localhost ip6-loopback\n";

describe("hostname fact", () => {
  it("parses the kernel hostname (captured on db1)", () => {
    assert.equal(parseLiveHostname(fixture("hostname-live.txt")), "db1");
  });
});

describe("hostname planner", () => {
  const plan = (name: string, facts: Record<string, unknown>, o = {}) => declared(() => hostname(name, o)).plan(lookupOf(facts));
  const right = { "file:/etc/hostname": fileWith("db1\n"), "hostname:live": "db1", "file:/etc/hosts": fileWith(HOSTS) };

  it("reports no change when /etc/hostname, the kernel and /etc/hosts agree", () => {
    assert.deepEqual(plan("db1", right), { changed: false, summary: "db1" });
  });

  it("plans all three parts of a rename, with the diffs of both files", () => {
    const p = plan("web9.example.com", right);
    assert.equal(p.summary, "/etc/hostname: update content, live db1 → web9.example.com, /etc/hosts: edit +1 −1");
    assert.match(p.diff ?? "", /-db1\n\+web9\.example\.com\n/);
    assert.match(p.diff ?? "", /-127\.0\.1\.1\tdb1\n\+127\.0\.1\.1\tweb9\.example\.com web9\n/);
  });

  it("plans only the live name when the files are right", () => {
    assert.deepEqual(plan("db1", { ...right, "hostname:live": "localhost" }), {
      changed: true,
      summary: "live localhost → db1",
      diff: undefined,
    });
  });

  it("creates a missing /etc/hosts with localhost lines first", () => {
    const p = plan("db1", { ...right, "file:/etc/hosts": { type: "absent" } });
    assert.match(p.summary, /^\/etc\/hosts: create \(3 lines\)$/);
    assert.match(p.diff ?? "", /\+127\.0\.0\.1\tlocalhost\n\+::1\t\tlocalhost ip6-localhost ip6-loopback\n\+127\.0\.1\.1\tdb1\n/);
  });

  it("leaves /etc/hosts alone with hosts: false", () => {
    const op = declared(() => hostname("db1", { hosts: false }));
    assert.deepEqual(
      op.facts().map((f) => f.key),
      ["file:/etc/hostname", "hostname:live"],
    );
  });
});

describe("hostname arguments", () => {
  it("accept host names and FQDNs, reject anything else", () => {
    assert.equal(hostsLine("db1"), "127.0.1.1\tdb1");
    assert.equal(hostsLine("db1.lab.example"), "127.0.1.1\tdb1.lab.example db1");
    for (const ok of ["db1", "a", "web-1.example.com", "X1"]) declared(() => hostname(ok));
    for (const bad of ["", "-db", "db-", "db_1", "db 1", "a..b", "db1.", `${"a".repeat(65)}`, "a;reboot"]) {
      assert.throws(() => declared(() => hostname(bad)), /hostname: bad host name/, bad);
    }
  });
});

describe("hostname apply (run locally on a copy of /etc and /proc, a fake hostname command)", () => {
  const setup = () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "bosun-hostname-"));
    mkdirSync(`${root}/etc`);
    mkdirSync(`${root}/proc/sys/kernel`, { recursive: true });
    mkdirSync(`${root}/bin`);
    writeFileSync(`${root}/proc/sys/kernel/hostname`, "db1\n");
    fakeCommand(`${root}/bin`, "hostname", `printf '%s\\n' "$1" > ${root}/proc/sys/kernel/hostname`);
    return root;
  };
  const run = (root: string, name: string) =>
    applyHere(
      rebased(
        declared(() => hostname(name)),
        root,
        ["/etc/", "/proc/"],
      ),
      { PATH: `${root}/bin:${process.env.PATH}` },
    );

  it("renames the host once, creating /etc/hostname and /etc/hosts", () => {
    const root = setup();
    assert.equal(run(root, "web9").status, "changed");
    assert.equal(readFileSync(`${root}/etc/hostname`, "utf8"), "web9\n");
    assert.equal(readFileSync(`${root}/proc/sys/kernel/hostname`, "utf8"), "web9\n");
    assert.equal(
      readFileSync(`${root}/etc/hosts`, "utf8"),
      "127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tweb9\n",
    );
    assert.equal(run(root, "web9").status, "ok");
  });

  it("rewrites only the 127.0.1.1 line of an existing /etc/hosts", () => {
    const root = setup();
    writeFileSync(`${root}/etc/hosts`, HOSTS);
    assert.equal(run(root, "db2").status, "changed");
    assert.equal(readFileSync(`${root}/etc/hosts`, "utf8"), HOSTS.replace("127.0.1.1\tdb1", "127.0.1.1\tdb2"));
    assert.equal(existsSync(`${root}/etc/hostname`), true);
  });
});
