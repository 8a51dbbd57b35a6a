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
    assert.deepEqual(parse(LAB).groups.find((g) => g.name === "all")?.vars, { ansible_user: "root" });
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

  it("links nested children to their parent group, and all to its own", () => {
    const d = parse(LAB);
    const byName = new Map(d.groups.map((g) => [g.name, g]));
    assert.deepEqual(byName.get("prod")?.children, ["web", "db"]);
    assert.deepEqual(byName.get("all")?.children, ["prod"]);
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

  it("rejects an empty document, as Ansible does", () => {
    assert.equal(parseError("").message, "inventory.yml: empty YAML inventory");
    assert.equal(parseError("# nothing yet\n").message, "inventory.yml: empty YAML inventory");
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

  it("warns about an unknown key in a group with its line and skips it, as Ansible does", () => {
    const d = parse("all:\n  hosts:\n    a:\n  hostz:\n    b:\n  desc: text\n");
    assert.deepEqual(d.warnings, [
      'inventory.yml:4: skipping unexpected key "hostz" in group "all" (only vars, children and hosts are valid)',
      'inventory.yml:6: skipping unexpected key "desc" in group "all" (only vars, children and hosts are valid)',
    ]);
    assert.deepEqual(
      d.hosts.map((h) => h.name),
      ["a"],
    );
  });

  it("rejects an integer host name (Ansible cannot read it either)", () => {
    assert.equal(parseError("all:\n  hosts:\n    1234:\n").message, 'inventory.yml:3:5: host name "1234" must be a string: quote it');
  });

  it("resolves anchors, aliases and << merge keys as YAML does", () => {
    const d = parse("all:\n  vars:\n    base: &b {a: 1, b: 2}\n  hosts:\n    h1:\n      <<: *b\n      b: 3\n      copy: *b\n");
    assert.deepEqual(d.hosts[0]?.vars, { a: 1, b: 3, copy: { a: 1, b: 2 } });
  });

  it("refuses a billion-laughs document instead of expanding it", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++)
      levels.push(
        `l${i}: &l${i} [${Array(10)
          .fill(i === 1 ? "*a" : `*l${i - 1}`)
          .join(", ")}]`,
      );
    const text = `all:\n  vars:\n${levels.map((l) => `    ${l}`).join("\n")}\n  hosts:\n    h1:\n`;
    assert.match(parseError(text).message, /cannot read value: .*[Ee]xcessive alias count/);
  });

  it("rejects hosts given as a list", () => {
    const err = parseError("web:\n  hosts:\n    - web1\n    - web2\n");
    assert.equal(err.message, 'inventory.yml:2:3: hosts of group "web" must be a mapping, found a list');
  });

  it("rejects a host whose body is not a mapping", () => {
    const err = parseError("web:\n  hosts:\n    web1: 10.0.0.1\n");
    assert.equal(err.message, 'inventory.yml:3:5: host "web1": expected a mapping of vars, found string "10.0.0.1"');
  });

  it("rejects vars that are not a mapping", () => {
    assert.match(parseError("web:\n  vars: [a]\n").message, /^inventory\.yml:2:3: vars of group "web" must be a mapping/);
  });

  it("skips a group whose body is not a mapping, with a warning (as Ansible)", () => {
    assert.deepEqual(parse("web: web1\ndb:\n").warnings, [
      'inventory.yml:1: skipping "web": not a valid group definition (expected a mapping)',
    ]);
  });

  it("rejects a top level that is not a mapping", () => {
    assert.match(parseError("- web1\n- web2\n").message, /^inventory\.yml:1:1: expected a mapping of groups/);
  });

  it("rejects a bad host range with the host's line", () => {
    const err = parseError("all:\n  hosts:\n    ok:\n    web[01:]:\n");
    assert.deepEqual(err.location, { file: FILE, line: 4, column: 5 });
    assert.match(err.message, /the range needs an end value/);
  });

  it("declares a cycle of nested groups that Inventory.build then rejects", () => {
    const d = parse("a:\n  children:\n    b:\n      children:\n        a:\n");
    assert.throws(
      () => Inventory.build(d),
      (err: unknown) => err instanceof InventoryError && /cycle in group children/.test(err.message),
    );
  });
});
