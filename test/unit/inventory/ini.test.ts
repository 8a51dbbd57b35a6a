import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InventoryError } from "../../../src/errors.js";
import { parseIniInventory, parseIniValue } from "../../../src/inventory/ini.js";
import { Inventory } from "../../../src/inventory/model.js";

const FILE = "hosts.ini";
const parse = (text: string) => parseIniInventory(text, FILE);
const build = (text: string) => Inventory.build(parse(text));

function parseError(text: string): InventoryError {
  try {
    build(text);
  } catch (err) {
    assert.ok(err instanceof InventoryError, `expected InventoryError, got ${err}`);
    return err;
  }
  assert.fail("no error");
}

describe("parseIniInventory", () => {
  it("reads groups and their hosts in file order", () => {
    const d = parse("[web]\nweb1\nweb2\n\n[db]\ndb1\n");
    assert.equal(d.source, FILE);
    assert.deepEqual(
      d.hosts.map((h) => h.name),
      ["web1", "web2", "db1"],
    );
    assert.deepEqual(
      d.groups.map((g) => [g.name, g.hosts]),
      [
        ["web", ["web1", "web2"]],
        ["db", ["db1"]],
      ],
    );
  });

  it("records the line of each host and of each group header", () => {
    const d = parse("# inventory\n\n[web]\nweb1\n\nweb2\n");
    assert.deepEqual(d.groups[0]?.location, { file: FILE, line: 3 });
    assert.deepEqual(
      d.hosts.map((h) => h.location.line),
      [4, 6],
    );
  });

  it("treats hosts before any section as ungrouped", () => {
    const inv = build("lonely\n[web]\nweb1\n");
    assert.deepEqual(inv.groups.get("ungrouped")?.hosts, ["lonely"]);
    assert.deepEqual(inv.groupHosts("web"), ["web1"]);
  });

  it("reads inline host vars with numbers, booleans and quoted strings", () => {
    const d = parse(`[web]\nweb1 ansible_host=10.0.0.5 port=2222 debug=true motd="hello world" tag='a b' empty="" path=/a=b\n`);
    assert.deepEqual(d.hosts[0]?.vars, {
      ansible_host: "10.0.0.5",
      port: 2222,
      debug: "true",
      motd: "hello world",
      tag: "a b",
      empty: "",
      path: "/a=b",
    });
  });

  it("keeps quoted words that contain = and spaces together", () => {
    const d = parse(`[web]\nweb1 cmd="a=b c=d" x=1\n`);
    assert.deepEqual(d.hosts[0]?.vars, { cmd: "a=b c=d", x: 1 });
  });

  it("expands a host range and gives every host the line's vars", () => {
    const d = parse("[web]\nweb[01:03] role=frontend\n");
    assert.deepEqual(
      d.hosts.map((h) => [h.name, h.vars.role, h.location.line]),
      [
        ["web01", "frontend", 2],
        ["web02", "frontend", 2],
        ["web03", "frontend", 2],
      ],
    );
    assert.deepEqual(d.groups[0]?.hosts, ["web01", "web02", "web03"]);
  });

  it("gives each host of a range its own vars object", () => {
    const d = parse("[web]\nweb[1:2] role=x\n");
    (d.hosts[0]?.vars as Record<string, unknown>).role = "changed";
    assert.equal(d.hosts[1]?.vars.role, "x");
  });

  it("reads [group:vars] key=value lines with spaces around the = (a colon is not a separator, as in Ansible)", () => {
    const inv = build("[web]\nweb1\n[web:vars]\nhttp_port = 8080\nname=a b c\n");
    assert.deepEqual(inv.groups.get("web")?.vars, { http_port: 8080, name: "a b c" });
    assert.equal(
      parseError("[web]\nweb1\n[web:vars]\nproxy: squid\n").message,
      'hosts.ini:4: expected key=value in [web:vars], found "proxy: squid"',
    );
  });

  it("puts [all:vars] into the inventory's own vars", () => {
    assert.deepEqual(build("[all:vars]\nntp=time.example.com\n[web]\nweb1\n").groups.get("all")?.vars, { ntp: "time.example.com" });
    assert.equal(build("[all:vars]\nntp=t\n[web]\nweb1\n").varsFor("web1").ntp, "t");
  });

  it("applies [group:vars] that come before the group's section", () => {
    const inv = build("[web:vars]\nport=80\n[web]\nweb1\n");
    assert.equal(inv.varsFor("web1").port, 80);
  });

  it("links [group:children] to existing groups", () => {
    const inv = build("[web]\nweb1\n[db]\ndb1\n[prod:children]\nweb\ndb\n");
    assert.deepEqual(inv.groups.get("prod")?.children, ["web", "db"]);
    assert.deepEqual(inv.groupHosts("prod"), ["web1", "db1"]);
  });

  it("accepts children declared after the [group:children] section", () => {
    const inv = build("[prod:children]\nweb\n[web]\nweb1\n");
    assert.deepEqual(inv.groupHosts("prod"), ["web1"]);
  });

  it("applies [group:vars] to a group declared only by its [group:children] section", () => {
    const inv = build("[web]\nweb1\n[prod:children]\nweb\n[prod:vars]\nenv=prod\n");
    assert.equal(inv.varsFor("web1").env, "prod");
    assert.deepEqual(inv.groups.get("prod")?.vars, { env: "prod" });
  });

  it("accepts a child group that is itself declared only by a later [group:children] section", () => {
    const inv = build("[web]\nweb1\n[prod:children]\napp\n[app:children]\nweb\n");
    assert.deepEqual(inv.groupHosts("prod"), ["web1"]);
    assert.equal(inv.groups.get("web")?.depth, 3);
  });

  it("puts a host listed in two groups in both, merging its vars", () => {
    const inv = build("[web]\nweb1 a=1\n[edge]\nweb1 b=2\n");
    assert.deepEqual(inv.groupsOf("web1").sort(), ["all", "edge", "web"]);
    assert.deepEqual(inv.hosts.get("web1")?.vars, { a: 1, b: 2 });
  });

  it("ignores blank lines, # and ; comments and indentation", () => {
    const d = parse("# top\n; also a comment\n\n[web]\n  web1  \n  # inside\n\tweb2\n");
    assert.deepEqual(
      d.hosts.map((h) => h.name),
      ["web1", "web2"],
    );
  });

  it("reads CRLF line endings", () => {
    const d = parse("[web]\r\nweb1 x=1\r\n[web:vars]\r\ny=2\r\n");
    assert.deepEqual(d.hosts[0]?.vars, { x: 1 });
    assert.deepEqual(d.groups[0]?.vars, { y: 2 });
  });

  it("returns an empty inventory for an empty file", () => {
    assert.deepEqual(parse(""), { source: FILE, vars: {}, hosts: [], groups: [] });
  });

  it("rejects a section header without its closing bracket, with the line", () => {
    const err = parseError("[web]\nweb1\n[db\n");
    assert.deepEqual(err.location, { file: FILE, line: 3 });
    assert.match(err.message, /^hosts\.ini:3: bad host range in "\[db"/);
  });

  it("rejects an unknown section kind, and reads [g:hosts] as [g] (as Ansible)", () => {
    assert.match(parseError("[web:servers]\nweb1\n").message, /^hosts\.ini:1: section "\[web:servers\]" has unknown type "servers"/);
    assert.deepEqual(build("[web:hosts]\nweb1\n").groupHosts("web"), ["web1"]);
  });

  it("rejects an empty section header", () => {
    assert.match(parseError("[]\n").message, /^hosts\.ini:1: invalid section header "\[\]"/);
  });

  it("rejects an unknown child group with the line of the child", () => {
    const err = parseError("[web]\nweb1\n[prod:children]\nweb\nwbe\n");
    assert.equal(err.message, 'hosts.ini:5: [prod:children] names group "wbe", which has no section of its own');
  });

  it("rejects [group:vars] of a group declared nowhere, with the header's line", () => {
    const err = parseError("[web]\nweb1\n\n[wbe:vars]\nx=1\n");
    assert.equal(err.message, 'hosts.ini:4: [wbe:vars] is for group "wbe", which has no [wbe] or [wbe:children] section');
  });

  it("rejects a host var without =, naming the host and the word", () => {
    const err = parseError("[web]\nweb1 x=1 oops\n");
    assert.equal(err.message, 'hosts.ini:2: expected key=value after host "web1", found "oops"');
  });

  it("rejects a [group:vars] line that is not key=value", () => {
    const err = parseError("[web]\nweb1\n[web:vars]\njust words\n");
    assert.equal(err.message, 'hosts.ini:4: expected key=value in [web:vars], found "just words"');
  });

  it("rejects unbalanced quotes on a host line", () => {
    assert.match(parseError('[web]\nweb1 motd="hello world\n').message, /^hosts\.ini:2: cannot read host line .*No closing quotation/);
  });

  it("rejects a bad host range with the line", () => {
    const err = parseError("[web]\nweb1\nweb[1:]\n");
    assert.deepEqual(err.location, { file: FILE, line: 3 });
    assert.match(err.message, /the range needs an end value/);
  });
});

describe("parseIniValue", () => {
  it("reads integers and decimals as numbers", () => {
    assert.equal(parseIniValue("42"), 42);
    assert.equal(parseIniValue("-3"), -3);
    assert.equal(parseIniValue("0"), 0);
    assert.equal(parseIniValue("1.5"), 1.5);
  });

  it("keeps numbers with a leading zero as text (file modes, ids)", () => {
    assert.equal(parseIniValue("0644"), "0644");
    assert.equal(parseIniValue("007"), "007");
  });

  it("keeps dotted versions and addresses as text", () => {
    assert.equal(parseIniValue("1.2.3"), "1.2.3");
    assert.equal(parseIniValue("10.0.0.1"), "10.0.0.1");
  });

  it("reads only Python's True and False as booleans: yes/no/true/false stay text, as in Ansible", () => {
    assert.equal(parseIniValue("True"), true);
    assert.equal(parseIniValue("False"), false);
    for (const t of ["true", "yes", "YES", "false", "FALSE", "no", "No", "on"]) assert.equal(parseIniValue(t), t, t);
  });

  it("reads Python lists, dicts, tuples and None", () => {
    assert.deepEqual(parseIniValue("['a', 'b']"), ["a", "b"]);
    assert.deepEqual(parseIniValue("{'k': [1, None]}"), { k: [1, null] });
    assert.deepEqual(parseIniValue("(1, 2)"), [1, 2]);
    assert.deepEqual(parseIniValue("[]"), []);
    assert.equal(parseIniValue("None"), null);
    assert.equal(parseIniValue("[1, 2"), "[1, 2");
  });

  it("keeps quoted values as strings without their quotes", () => {
    assert.equal(parseIniValue('"42"'), "42");
    assert.equal(parseIniValue("'yes'"), "yes");
    assert.equal(parseIniValue('" padded "'), " padded ");
  });

  it("does not strip mismatched quotes", () => {
    assert.equal(parseIniValue(`"abc'`), `"abc'`);
  });

  it("trims and returns other text as is", () => {
    assert.equal(parseIniValue("squid"), "squid");
    assert.equal(parseIniValue("on"), "on");
  });
});
