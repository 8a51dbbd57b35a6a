import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InventoryError } from "../../../src/errors.js";
import { Inventory } from "../../../src/inventory/model.js";
import { parseYamlInventory } from "../../../src/inventory/yaml.js";

const FILE = "inventory.yml";
const parse = (text: string) => parseYamlInventory(text, FILE);

function parseError(text: string): InventoryError {
  try {
    parse(text);
  } catch (err) {
    assert.ok(err instanceof InventoryError, `expected InventoryError, got ${err}`);
    return err;
  }
  assert.fail("no error");
}

const LAB = `all:
  vars:
    ansible_user: root
  hosts:
    bastion:
      bosun_host: 203.0.113.1
  children:
    prod:
      vars:
        env: prod
      children:
        web:
          hosts:
            web1:
              bosun_host: 198.18.0.10
            web2:
          vars:
            http_port: 8080
        db:
          hosts:
            db1:
`;

describe("parseYamlInventory", () => {
  it("reads all's vars into the inventory's own vars", () => {
    assert.deepEqual(parse(LAB).vars, { ansible_user: "root" });
  });

  it("reads hosts with their vars, and a host with no body as a host without vars", () => {
    const d = parse(LAB);
    assert.deepEqual(
      d.hosts.map((h) => [h.name, h.vars]),
      [
        ["bastion", { bosun_host: "203.0.113.1" }],
        ["web1", { bosun_host: "198.18.0.10" }],
        ["web2", {}],
        ["db1", {}],
      ],
    );
  });

  it("records the line and column of each host", () => {
    const d = parse(LAB);
    assert.deepEqual(d.hosts.find((h) => h.name === "web1")?.location, { file: FILE, line: 14, column: 13 });
  });

  it("links nested children to their parent group but not to all", () => {
    const d = parse(LAB);
    const byName = new Map(d.groups.map((g) => [g.name, g]));
    assert.deepEqual(byName.get("prod")?.children, ["web", "db"]);
    assert.deepEqual(byName.get("all")?.children, []);
    assert.deepEqual(byName.get("web")?.hosts, ["web1", "web2"]);
    assert.deepEqual(byName.get("web")?.vars, { http_port: 8080 });
  });

  it("builds an inventory whose vars follow the nesting", () => {
    const inv = Inventory.build(parse(LAB));
    assert.deepEqual(inv.groupHosts("prod"), ["web1", "web2", "db1"]);
    assert.deepEqual(inv.groups.get("ungrouped")?.hosts, ["bastion"]);
    const v = inv.varsFor("web2");
    assert.equal(v.ansible_user, "root");
    assert.equal(v.env, "prod");
    assert.equal(v.http_port, 8080);
    assert.equal(inv.groups.get("web")?.depth, 2);
  });

  it("treats top-level keys other than all as groups", () => {
    const d = parse("web:\n  hosts:\n    web1:\ndb:\n  hosts:\n    db1:\n");
    assert.deepEqual(
      d.groups.map((g) => [g.name, g.hosts]),
      [
        ["web", ["web1"]],
        ["db", ["db1"]],
      ],
    );
  });

  it("expands host ranges in host keys", () => {
    const d = parse("all:\n  hosts:\n    web[01:03]:\n      role: web\n");
    assert.deepEqual(
      d.hosts.map((h) => [h.name, h.vars.role]),
      [
        ["web01", "web"],
        ["web02", "web"],
        ["web03", "web"],
      ],
    );
  });

  it("merges a host listed in two groups", () => {
    const inv = Inventory.build(parse("a:\n  hosts:\n    h1:\n      x: 1\nb:\n  hosts:\n    h1:\n      y: 2\n"));
    assert.deepEqual(inv.hosts.get("h1")?.vars, { x: 1, y: 2 });
    assert.deepEqual(inv.groupsOf("h1").sort(), ["a", "all", "b"]);
  });

  it("keeps YAML types of vars (numbers, booleans, lists, maps)", () => {
    const d = parse("all:\n  hosts:\n    h:\n      n: 3\n      b: true\n      l: [1, 2]\n      m: {k: v}\n      s: '0644'\n");
    assert.deepEqual(d.hosts[0]?.vars, { n: 3, b: true, l: [1, 2], m: { k: "v" }, s: "0644" });
  });

  it("accepts groups, hosts, vars and children with empty bodies", () => {
    const d = parse("all:\n  vars:\n  hosts:\n  children:\n    web:\n");
    assert.deepEqual(d.vars, {});
    assert.deepEqual(
      d.groups.map((g) => g.name),
      ["all", "web"],
    );
  });

  it("returns an empty inventory for an empty document", () => {
    assert.deepEqual(parse(""), { source: FILE, vars: {}, hosts: [], groups: [] });
    assert.deepEqual(parse("# nothing yet\n"), { source: FILE, vars: {}, hosts: [], groups: [] });
  });

  it("reads JSON, which is YAML", () => {
    const d = parse('{"all": {"hosts": {"h1": {"bosun_port": 2222}}}}');
    assert.deepEqual(d.hosts[0]?.vars, { bosun_port: 2222 });
  });

  it("rejects bad YAML with the line of the problem", () => {
    const err = parseError("all:\n  hosts:\n    web1: {a: 1\n    web2:\n");
    assert.match(err.message, /^inventory\.yml:\d+:\d+: bad YAML: /);
    assert.ok((err.location.line ?? 0) >= 3, `line ${err.location.line}`);
  });

  it("rejects bad indentation as bad YAML with its line", () => {
    const err = parseError("all:\n  hosts:\n    web1:\n   bad: 1\n  x\n");
    assert.match(err.message, /bad YAML/);
    assert.equal(typeof err.location.line, "number");
  });

  it("rejects an unknown key in a group with its line and column", () => {
    const err = parseError("all:\n  hosts:\n    a:\n  hostz:\n    b:\n");
    assert.equal(err.message, 'inventory.yml:4:3: unknown key "hostz" in group "all" (expected hosts, vars or children)');
  });

  it("rejects an unknown key in a nested group", () => {
    const err = parseError("all:\n  children:\n    web:\n      host:\n        w1:\n");
    assert.deepEqual(err.location, { file: FILE, line: 4, column: 7 });
    assert.match(err.message, /unknown key "host" in group "web"/);
  });

  it("rejects hosts given as a list", () => {
    const err = parseError("web:\n  hosts:\n    - web1\n    - web2\n");
    assert.equal(err.message, 'inventory.yml:2:3: hosts of group "web" must be a mapping');
  });

  it("rejects a host whose body is not a mapping", () => {
    const err = parseError("web:\n  hosts:\n    web1: 10.0.0.1\n");
    assert.equal(err.message, 'inventory.yml:3:5: host "web1" must be a mapping');
  });

  it("rejects vars that are not a mapping", () => {
    assert.match(parseError("web:\n  vars: [a]\n").message, /^inventory\.yml:2:3: vars of group "web" must be a mapping/);
  });

  it("rejects a group whose body is not a mapping", () => {
    assert.match(parseError("web: web1\n").message, /^inventory\.yml:1:1: group "web" must be a mapping/);
  });

  it("rejects a top level that is not a mapping", () => {
    assert.match(parseError("- web1\n- web2\n").message, /^inventory\.yml:1:1: expected a mapping of groups/);
  });

  it("rejects a bad host range with the host's line", () => {
    const err = parseError("all:\n  hosts:\n    ok:\n    web[9:1]:\n");
    assert.deepEqual(err.location, { file: FILE, line: 4, column: 5 });
    assert.match(err.message, /range start is after its end/);
  });

  it("declares a cycle of nested groups that Inventory.build then rejects", () => {
    const d = parse("a:\n  children:\n    b:\n      children:\n        a:\n");
    assert.throws(
      () => Inventory.build(d),
      (err: unknown) => err instanceof InventoryError && /cycle in group children/.test(err.message),
    );
  });
});
