import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { UsageError } from "../../../src/errors.js";
import { type GroupDecl, Inventory } from "../../../src/inventory/model.js";
import { globToRegExp, selectHosts, selectTargets, splitPattern } from "../../../src/inventory/patterns.js";

const group = (name: string, hosts: string[], children: string[] = []): GroupDecl => ({
  name,
  hosts,
  children,
  vars: {},
  location: { file: "inv.ini", line: 1 },
});

// Declaration order: db1 first, so "inventory order" differs from alphabetical and from pattern order.
const inv = Inventory.build({
  source: "inv.ini",
  vars: {},
  hosts: ["db1", "web1", "web2", "db2", "lb1", "mail", "edge"].map((name) => ({ name, vars: {}, location: { file: "inv.ini" } })),
  groups: [
    group("web", ["web1", "web2"]),
    group("db", ["db1", "db2"]),
    group("prod", ["mail"], ["web", "db"]),
    group("edge", ["lb1", "web1"]),
    group("other", ["edge"]),
  ],
});

function usageError(pattern: string, limit?: string): UsageError {
  try {
    selectTargets(inv, pattern, limit);
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected UsageError, got ${err}`);
    return err;
  }
  assert.fail(`pattern ${JSON.stringify(pattern)} did not throw`);
}

describe("selectHosts", () => {
  it("orders a group's own hosts first, then each child group's", () => {
    assert.deepEqual(selectHosts(inv, "prod"), ["mail", "web1", "web2", "db1", "db2"]);
  });

  it("orders hosts by the terms of the pattern", () => {
    assert.deepEqual(selectHosts(inv, "db:web"), ["db1", "db2", "web1", "web2"]);
    assert.deepEqual(selectHosts(inv, "web:db"), ["web1", "web2", "db1", "db2"]);
  });

  it("reads subscripts as Ansible: [0], [-1], inclusive [a:b], open [a:]", () => {
    assert.deepEqual(selectHosts(inv, "prod[0]"), ["mail"]);
    assert.deepEqual(selectHosts(inv, "prod[-1]"), ["db2"]);
    assert.deepEqual(selectHosts(inv, "prod[1:3]"), ["web1", "web2", "db1"]);
    assert.deepEqual(selectHosts(inv, "prod[3:]"), ["db1", "db2"]);
  });

  it("anchors a ~regex at the start of the name", () => {
    assert.deepEqual(selectHosts(inv, "~web", { onNoMatch: "warn" }), ["web1", "web2"]);
    assert.deepEqual(selectHosts(inv, "~eb", { onNoMatch: "warn" }), []);
  });

  it("means the host for a plain name that is also a group, and the group after & or !", () => {
    assert.deepEqual(selectHosts(inv, "edge"), ["edge"]);
    assert.deepEqual(selectHosts(inv, "all:!edge"), ["mail", "edge", "web2", "db1", "db2"]);
  });

  it("selects an implicit localhost that is not in the inventory, and never as part of all", () => {
    assert.deepEqual(selectHosts(inv, "localhost"), ["localhost"]);
    assert.ok(!selectHosts(inv, "all").includes("localhost"));
    assert.equal(inv.varsFor("localhost").ansible_connection, "local");
  });

  it("reads a @file limit term: one pattern term per line, blank lines skipped", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-limit-"));
    writeFileSync(path.join(dir, "site.retry"), "web2\n\ndb1\n");
    assert.deepEqual(selectTargets(inv, "all", `@${path.join(dir, "site.retry")}`), ["web2", "db1"]);
    assert.match(usageError("all", `@${path.join(dir, "missing.retry")}`).message, /limit file .* not found/);
    assert.match(usageError("all", `@${dir}`).message, /must name a file/);
  });

  it("warns (and skips the term) only when asked to behave like Ansible", () => {
    const warnings: string[] = [];
    assert.deepEqual(selectHosts(inv, "web:nosuch", { onNoMatch: "warn", warnings }), ["web1", "web2"]);
    assert.deepEqual(warnings, ["Could not match supplied host pattern, ignoring: nosuch"]);
  });

  it("rejects a term that matches nothing, naming it and the inventory, even in an exclusion", () => {
    assert.match(usageError("web:nosuch").message, /"nosuch" matches no host and no group in inv\.ini/);
    assert.match(usageError("all:!prd").message, /"prd"/);
    assert.match(usageError("zz*").message, /"zz\*"/);
  });

  it("rejects an empty pattern or limit instead of reading it as all", () => {
    assert.match(usageError("").message, /empty host pattern/);
    assert.match(usageError(" , ").message, /empty host pattern/);
    assert.match(usageError("all", "").message, /empty host pattern/);
  });

  it("rejects an empty selection and an out-of-range subscript", () => {
    assert.match(usageError("web", "db").message, /no hosts match "web" with --limit "db"/);
    assert.match(usageError("web[5]").message, /subscripted pattern "web\[5\]"/);
  });

  it("rejects a bad regular expression with a usage error naming it", () => {
    assert.match(usageError("~web(,db").message, /invalid host pattern "~web\("/);
  });

  it("escapes control characters of a term quoted back in an error", () => {
    const msg = usageError("web,\u001b[31mx").message;
    assert.ok(!msg.includes("\u001b"));
    assert.match(msg, /\\x1b\[31mx/);
  });
});

describe("splitPattern", () => {
  it("splits on commas only when there is one", () => {
    assert.deepEqual(splitPattern(" a,b ,c[1:2] "), ["a", "b", "c[1:2]"]);
    assert.deepEqual(splitPattern("a,  ,b,,c, ,"), ["a", "b", "c"]);
  });

  it("keeps a host identifier whole: IPv6 addresses, a::b, ranges", () => {
    assert.deepEqual(splitPattern("9a01:7f8:191:7701::9"), ["9a01:7f8:191:7701::9"]);
    assert.deepEqual(splitPattern("a::b"), ["a::b"]);
    assert.deepEqual(splitPattern("foo[1:2]"), ["foo[1:2]"]);
  });

  it("else splits on colons and whitespace outside brackets", () => {
    assert.deepEqual(splitPattern("foo:bar:baz[1:2]"), ["foo", "bar", "baz[1:2]"]);
    assert.deepEqual(splitPattern(" a : b "), ["a", "b"]);
    assert.deepEqual(splitPattern("~a:b"), ["~a", "b"]);
  });
});

describe("globToRegExp", () => {
  it("matches whole names with *, ? and classes, as fnmatch", () => {
    assert.ok(globToRegExp("web*").test("web12"));
    assert.ok(!globToRegExp("web?").test("web12"));
    assert.ok(globToRegExp("db[!3]").test("db1"));
    assert.ok(!globToRegExp("db[!3]").test("db3"));
    assert.ok(globToRegExp("a.b").test("a.b"));
    assert.ok(!globToRegExp("a.b").test("axb"));
  });
});
