import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../../../src/errors.js";
import { type GroupDecl, Inventory } from "../../../src/inventory/model.js";
import { globToRegExp, selectHosts, splitPattern } from "../../../src/inventory/patterns.js";

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
  hosts: ["db1", "web1", "web2", "db2", "lb1", "mail"].map((name) => ({ name, vars: {}, location: { file: "inv.ini" } })),
  groups: [group("web", ["web1", "web2"]), group("db", ["db1", "db2"]), group("prod", [], ["web", "db"]), group("edge", ["lb1", "web1"])],
});

function usageError(pattern: string): UsageError {
  try {
    selectHosts(inv, pattern);
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected UsageError, got ${err}`);
    return err;
  }
  assert.fail(`pattern ${JSON.stringify(pattern)} did not throw`);
}

describe("selectHosts", () => {
  it("selects a single host by name", () => {
    assert.deepEqual(selectHosts(inv, "web2"), ["web2"]);
  });

  it("selects the hosts of a group", () => {
    assert.deepEqual(selectHosts(inv, "db"), ["db1", "db2"]);
  });

  it("selects the hosts of child groups through their parent", () => {
    assert.deepEqual(selectHosts(inv, "prod"), ["db1", "web1", "web2", "db2"]);
  });

  it("selects every host for all and for *", () => {
    const every = ["db1", "web1", "web2", "db2", "lb1", "mail"];
    assert.deepEqual(selectHosts(inv, "all"), every);
    assert.deepEqual(selectHosts(inv, "*"), every);
  });

  it("selects hosts in no group through ungrouped", () => {
    assert.deepEqual(selectHosts(inv, "ungrouped"), ["mail"]);
  });

  it("unions terms separated by a colon", () => {
    assert.deepEqual(selectHosts(inv, "lb1:db"), ["db1", "db2", "lb1"]);
  });

  it("unions terms separated by a comma and ignores spaces around them", () => {
    assert.deepEqual(selectHosts(inv, "mail , web2"), ["web2", "mail"]);
  });

  it("returns hosts in inventory order whatever the order of the terms", () => {
    assert.deepEqual(selectHosts(inv, "mail:db2:web1:db1"), ["db1", "web1", "db2", "mail"]);
  });

  it("returns each host once even when several terms select it", () => {
    assert.deepEqual(selectHosts(inv, "web:edge:web1"), ["web1", "web2", "lb1"]);
  });

  it("intersects with &term", () => {
    assert.deepEqual(selectHosts(inv, "prod:&edge"), ["web1"]);
  });

  it("applies every intersection", () => {
    assert.deepEqual(selectHosts(inv, "all:&prod:&web:&edge"), ["web1"]);
  });

  it("excludes with !term", () => {
    assert.deepEqual(selectHosts(inv, "prod:!db"), ["web1", "web2"]);
  });

  it("applies exclusions after intersections and unions wherever they appear", () => {
    assert.deepEqual(selectHosts(inv, "!web1,prod,&web"), ["web2"]);
  });

  it("starts from all hosts when the pattern has only exclusions", () => {
    assert.deepEqual(selectHosts(inv, "!prod"), ["lb1", "mail"]);
  });

  it("starts from all hosts when the pattern has only intersections", () => {
    assert.deepEqual(selectHosts(inv, "&edge"), ["web1", "lb1"]);
  });

  it("matches a * glob against host names", () => {
    assert.deepEqual(selectHosts(inv, "db*"), ["db1", "db2"]);
  });

  it("matches a glob against group names too, selecting their hosts", () => {
    // "ed*" names no host but matches group edge.
    assert.deepEqual(selectHosts(inv, "ed*"), ["web1", "lb1"]);
  });

  it("matches ? as exactly one character", () => {
    assert.deepEqual(selectHosts(inv, "web?"), ["web1", "web2"]);
    assert.deepEqual(selectHosts(inv, "w?"), []);
  });

  it("matches a bracket class in a glob without splitting the term", () => {
    assert.deepEqual(selectHosts(inv, "web[2]"), ["web2"]);
    assert.deepEqual(selectHosts(inv, "db[!1]"), ["db2"]);
  });

  it("returns no hosts (and no error) for a glob that matches nothing", () => {
    assert.deepEqual(selectHosts(inv, "zz*"), []);
  });

  it("matches a ~regex anywhere in host and group names", () => {
    assert.deepEqual(selectHosts(inv, "~b\\d$"), ["db1", "web1", "web2", "db2", "lb1"]);
    assert.deepEqual(selectHosts(inv, "~^ma"), ["mail"]);
  });

  it("selects the hosts of groups whose names a ~regex matches", () => {
    assert.deepEqual(selectHosts(inv, "~^pro"), ["db1", "web1", "web2", "db2"]);
  });

  it("does not split a ~regex on a colon", () => {
    assert.deepEqual(selectHosts(inv, "~^(web|lb)1(:x)?$"), ["web1", "lb1"]);
  });

  it("excludes with a negated ~regex", () => {
    assert.deepEqual(selectHosts(inv, "all:!~^(web|db)"), ["lb1", "mail"]);
  });

  it("rejects a name that is neither host nor group, naming the term, the pattern and the inventory", () => {
    const err = usageError("web:wbe");
    assert.equal(err.exitCode, 64);
    assert.match(err.message, /host pattern "web:wbe": "wbe" is neither a host nor a group in inv\.ini/);
  });

  it("rejects an unknown name in an exclusion so a typo never silently widens the selection", () => {
    assert.match(usageError("all:!dbb").message, /"dbb" is neither a host nor a group/);
  });

  it("rejects an unknown name in an intersection", () => {
    assert.match(usageError("all:&nosuch").message, /"nosuch"/);
  });

  it("rejects an empty pattern", () => {
    assert.match(usageError("").message, /empty host pattern/);
    assert.match(usageError(" , : ").message, /empty host pattern/);
  });

  it("rejects a bad regular expression with a usage error", () => {
    assert.match(usageError("~web(").message, /bad regular expression ~web\(/);
  });
});

describe("splitPattern", () => {
  it("splits on commas and colons and trims terms", () => {
    assert.deepEqual(splitPattern(" a , b:c "), ["a", "b", "c"]);
  });

  it("drops empty terms", () => {
    assert.deepEqual(splitPattern("a,,b::"), ["a", "b"]);
  });

  it("keeps separators inside brackets", () => {
    assert.deepEqual(splitPattern("web[1:3],db"), ["web[1:3]", "db"]);
  });

  it("keeps colons inside a ~regex term, including negated and intersected ones", () => {
    assert.deepEqual(splitPattern("~a:b,!~c:d,&~e:f"), ["~a:b", "!~c:d", "&~e:f"]);
  });

  it("keeps the ! and & prefixes on their terms", () => {
    assert.deepEqual(splitPattern("a:!b:&c"), ["a", "!b", "&c"]);
  });
});

describe("globToRegExp", () => {
  it("anchors the match to the whole name", () => {
    assert.equal(globToRegExp("web").test("web1"), false);
    assert.equal(globToRegExp("web*").test("xweb1"), false);
  });

  it("treats regular expression metacharacters literally", () => {
    const re = globToRegExp("a.b+(c)");
    assert.equal(re.test("a.b+(c)"), true);
    assert.equal(re.test("axbb(c)"), false);
  });

  it("negates a bracket class that starts with !", () => {
    const re = globToRegExp("n[!0-4]");
    assert.equal(re.test("n7"), true);
    assert.equal(re.test("n3"), false);
  });

  it("treats an unclosed bracket as a literal bracket", () => {
    const re = globToRegExp("a[b");
    assert.equal(re.test("a[b"), true);
    assert.equal(re.test("ab"), false);
  });
});
