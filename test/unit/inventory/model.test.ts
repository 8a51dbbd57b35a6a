import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InventoryError } from "../../../src/errors.js";
import { type GroupDecl, type HostDecl, Inventory, type InventoryDecl, type Vars } from "../../../src/inventory/model.js";

const FILE = "inv.yml";

function host(name: string, vars: Vars = {}, line = 1): HostDecl {
  return { name, vars, location: { file: FILE, line } };
}

function group(name: string, opts: { hosts?: string[]; children?: string[]; vars?: Vars; line?: number } = {}): GroupDecl {
  return {
    name,
    hosts: opts.hosts ?? [],
    children: opts.children ?? [],
    vars: opts.vars ?? {},
    location: { file: FILE, line: opts.line ?? 1 },
  };
}

function decl(hosts: HostDecl[], groups: GroupDecl[], vars: Vars = {}): InventoryDecl {
  return { source: FILE, vars, hosts, groups };
}

function buildError(d: InventoryDecl): InventoryError {
  try {
    Inventory.build(d);
  } catch (err) {
    assert.ok(err instanceof InventoryError, `expected InventoryError, got ${err}`);
    return err;
  }
  assert.fail("Inventory.build did not throw");
}

describe("Inventory.build", () => {
  it("keeps hosts in declaration order", () => {
    const inv = Inventory.build(decl([host("zeta"), host("alpha"), host("mid")], []));
    assert.deepEqual([...inv.hosts.keys()], ["zeta", "alpha", "mid"]);
  });

  it("puts every host in the all group, ungrouped ones first (as Ansible orders all)", () => {
    const inv = Inventory.build(decl([host("a"), host("b")], [group("web", { hosts: ["a"] })]));
    assert.deepEqual(inv.groupHosts("all"), ["b", "a"]);
    assert.deepEqual(inv.groups.get("all")?.hosts, []);
  });

  it("puts hosts that are in no group into ungrouped, a child of all", () => {
    const inv = Inventory.build(decl([host("a"), host("b"), host("c")], [group("web", { hosts: ["b"] })]));
    const ug = inv.groups.get("ungrouped");
    assert.ok(ug);
    assert.deepEqual(ug.hosts, ["a", "c"]);
    assert.deepEqual(ug.parents, ["all"]);
    assert.equal(ug.depth, 1);
    assert.ok(inv.groups.get("all")?.children.includes("ungrouped"));
  });

  it("keeps an empty ungrouped group when every host is in a group (as Ansible)", () => {
    const inv = Inventory.build(decl([host("a")], [group("web", { hosts: ["a"] })]));
    assert.deepEqual(inv.groups.get("ungrouped")?.hosts, []);
  });

  it("takes a host out of ungrouped when another group lists it", () => {
    const inv = Inventory.build(decl([host("a"), host("b")], [group("ungrouped", { hosts: ["a", "b"] }), group("web", { hosts: ["a"] })]));
    assert.deepEqual(inv.groups.get("ungrouped")?.hosts, ["b"]);
  });

  it("walks 5,000 nested groups without running out of stack", () => {
    const groups = Array.from({ length: 5000 }, (_, i) => group(`g${i}`, i === 4999 ? { hosts: ["deep"] } : { children: [`g${i + 1}`] }));
    const inv = Inventory.build(decl([host("deep")], groups));
    assert.deepEqual(inv.groupHosts("g0"), ["deep"]);
    assert.equal(inv.groups.get("g4999")?.depth, 5000);
    assert.equal(inv.groupsOf("deep").length, 5001);
  });

  it("adds hosts that are in no other group to an ungrouped group the inventory declares itself", () => {
    const inv = Inventory.build(decl([host("a"), host("b")], [group("ungrouped", { hosts: ["a"], vars: { u: 1 } })]));
    assert.deepEqual(inv.groups.get("ungrouped")?.hosts, ["a", "b"]);
    assert.equal(inv.varsFor("b").u, 1);
  });

  it("makes top-level groups children of all and records parents", () => {
    const inv = Inventory.build(
      decl(
        [host("w1"), host("d1")],
        [group("prod", { children: ["web", "db"] }), group("web", { hosts: ["w1"] }), group("db", { hosts: ["d1"] })],
      ),
    );
    assert.deepEqual(inv.groups.get("all")?.children, ["ungrouped", "prod"]);
    assert.deepEqual(inv.groups.get("prod")?.parents, ["all"]);
    assert.deepEqual(inv.groups.get("web")?.parents, ["prod"]);
    assert.deepEqual(inv.groups.get("db")?.parents, ["prod"]);
  });

  it("includes the hosts of child groups in a group's hosts, in Ansible's order (children in order, each group's hosts in order)", () => {
    const inv = Inventory.build(
      decl(
        [host("d1"), host("w1"), host("x"), host("w2")],
        [group("prod", { children: ["web", "db"] }), group("web", { hosts: ["w2", "w1"] }), group("db", { hosts: ["d1"] })],
      ),
    );
    assert.deepEqual(inv.groupHosts("prod"), ["w2", "w1", "d1"]);
    assert.deepEqual(inv.groupHosts("web"), ["w2", "w1"]);
  });

  it("returns no hosts for an unknown group name", () => {
    const inv = Inventory.build(decl([host("a")], []));
    assert.deepEqual(inv.groupHosts("nosuch"), []);
  });

  it("gives all depth 0 and each group the longest distance from all", () => {
    // deep is a child of both top (depth 1) and mid (depth 2), so it sits at depth 3.
    const inv = Inventory.build(
      decl(
        [host("h")],
        [group("top", { children: ["mid", "deep"] }), group("mid", { children: ["deep"] }), group("deep", { hosts: ["h"] })],
      ),
    );
    assert.equal(inv.groups.get("all")?.depth, 0);
    assert.equal(inv.groups.get("top")?.depth, 1);
    assert.equal(inv.groups.get("mid")?.depth, 2);
    assert.equal(inv.groups.get("deep")?.depth, 3);
  });

  it("lists every group a host belongs to, through children and all", () => {
    const inv = Inventory.build(decl([host("w1"), host("o")], [group("prod", { children: ["web"] }), group("web", { hosts: ["w1"] })]));
    assert.deepEqual(inv.groupsOf("w1").sort(), ["all", "prod", "web"]);
    assert.deepEqual(inv.groupsOf("o").sort(), ["all", "ungrouped"]);
    assert.deepEqual(inv.groupsOf("nosuch"), []);
  });

  it("merges the vars of a host declared twice, the later declaration winning", () => {
    const inv = Inventory.build(decl([host("a", { x: 1, y: 1 }), host("a", { y: 2 })], []));
    assert.equal(inv.hosts.size, 1);
    assert.deepEqual(inv.hosts.get("a")?.vars, { x: 1, y: 2 });
  });

  it("merges hosts, children and vars of a group declared twice without duplicates", () => {
    const inv = Inventory.build(
      decl(
        [host("a"), host("b")],
        [
          group("web", { hosts: ["a"], vars: { v: 1, w: 1 } }),
          group("sub", { hosts: ["b"] }),
          group("web", { hosts: ["a", "b"], children: ["sub"], vars: { v: 2 } }),
        ],
      ),
    );
    const web = inv.groups.get("web");
    assert.deepEqual(web?.hosts, ["a", "b"]);
    assert.deepEqual(web?.children, ["sub"]);
    assert.deepEqual(web?.vars, { v: 2, w: 1 });
  });

  it("merges the vars of a declared all group into the inventory's all vars", () => {
    const inv = Inventory.build(decl([host("a")], [group("all", { vars: { region: "eu" } })], { base: 1 }));
    assert.deepEqual(inv.groups.get("all")?.vars, { base: 1, region: "eu" });
  });

  it("does not share vars objects with the declarations it was built from", () => {
    const hv = { x: 1 };
    const gv = { y: 1 };
    const inv = Inventory.build(decl([host("a", hv)], [group("g", { hosts: ["a"], vars: gv })]));
    hv.x = 99;
    gv.y = 99;
    assert.equal(inv.varsFor("a").x, 1);
    assert.equal(inv.varsFor("a").y, 1);
  });

  it("rejects a group listing an unknown host, naming the group's file and line", () => {
    const err = buildError(decl([host("a")], [group("web", { hosts: ["a", "ghost"], line: 7 })]));
    assert.equal(err.message, `${FILE}:7: group "web" lists unknown host "ghost"`);
    assert.deepEqual(err.location, { file: FILE, line: 7 });
  });

  it("rejects an unknown child group, naming the parent's file and line", () => {
    const err = buildError(decl([], [group("prod", { children: ["wbe"], line: 12 })]));
    assert.equal(err.message, `${FILE}:12: group "prod" has unknown child group "wbe"`);
  });

  it("rejects all as a child group", () => {
    const err = buildError(decl([], [group("prod", { children: ["all"], line: 3 })]));
    assert.match(err.message, /cannot have all as a child group/);
  });

  it("rejects a cycle of children with the path of the cycle and a location", () => {
    const err = buildError(decl([], [group("a", { children: ["b"], line: 2 }), group("b", { children: ["a"], line: 5 })]));
    assert.match(err.message, /cycle in group children: a -> b -> a/);
    assert.equal(err.location.file, FILE);
    assert.equal(typeof err.location.line, "number");
  });

  it("rejects a group that is its own child", () => {
    const err = buildError(decl([], [group("loop", { children: ["loop"], line: 4 })]));
    assert.equal(err.message, `${FILE}:4: cycle in group children: loop -> loop`);
  });

  it("rejects a longer cycle reached through a group outside it", () => {
    const err = buildError(
      decl(
        [],
        [
          group("entry", { children: ["x"] }),
          group("x", { children: ["y"] }),
          group("y", { children: ["z"] }),
          group("z", { children: ["x"] }),
        ],
      ),
    );
    assert.match(err.message, /x -> y -> z -> x/);
  });

  it("accepts a diamond (a group reached through two parents), which is not a cycle", () => {
    const inv = Inventory.build(
      decl(
        [host("h")],
        [
          group("a", { children: ["b", "c"] }),
          group("b", { children: ["d"] }),
          group("c", { children: ["d"] }),
          group("d", { hosts: ["h"] }),
        ],
      ),
    );
    assert.deepEqual(inv.groupHosts("a"), ["h"]);
    assert.deepEqual(inv.groups.get("d")?.parents.sort(), ["b", "c"]);
  });
});

describe("Inventory.varsFor", () => {
  // One key "v" set at every level; each host removes the highest levels one by one.
  const inv = Inventory.build(
    decl(
      [host("h_host", { v: "host", hv: 1 }), host("h_child"), host("h_parent"), host("h_all")],
      [
        group("parent", { children: ["child"], hosts: ["h_parent"], vars: { v: "parent", pv: 1 } }),
        group("child", { hosts: ["h_host", "h_child"], vars: { v: "child", cv: 1 } }),
      ],
      { v: "all", av: 1 },
    ),
  );
  const defaults = { v: "default", dv: 1 };

  it("lets extra vars override host vars", () => {
    assert.equal(inv.varsFor("h_host", { v: "extra" }, defaults).v, "extra");
  });

  it("lets host vars override child group vars", () => {
    assert.equal(inv.varsFor("h_host", {}, defaults).v, "host");
  });

  it("lets child group vars override parent group vars", () => {
    assert.equal(inv.varsFor("h_child", {}, defaults).v, "child");
  });

  it("lets parent group vars override all vars", () => {
    assert.equal(inv.varsFor("h_parent", {}, defaults).v, "parent");
  });

  it("lets all vars override defaults", () => {
    assert.equal(inv.varsFor("h_all", {}, defaults).v, "all");
  });

  it("falls back to defaults for keys no level sets", () => {
    assert.equal(inv.varsFor("h_all", {}, { other: "d" }).other, "d");
  });

  it("keeps the keys of every level that nothing overrides", () => {
    const v = inv.varsFor("h_host", { ev: 1 }, defaults);
    for (const k of ["dv", "av", "pv", "cv", "hv", "ev"]) assert.equal(v[k], 1, `missing ${k}`);
  });

  it("applies groups at the same depth in name order, so the later name wins", () => {
    const i = Inventory.build(
      decl([host("h")], [group("beta", { hosts: ["h"], vars: { v: "beta" } }), group("alpha", { hosts: ["h"], vars: { v: "alpha" } })]),
    );
    assert.equal(i.varsFor("h").v, "beta");
  });

  it("applies a deeper group after a shallower one even when its name sorts first", () => {
    const i = Inventory.build(
      decl(
        [host("h")],
        [
          group("zeta", { hosts: ["h"], vars: { v: "zeta" } }),
          group("top", { children: ["aaa"] }),
          group("aaa", { hosts: ["h"], vars: { v: "aaa" } }),
        ],
      ),
    );
    assert.equal(i.varsFor("h").v, "aaa");
  });

  it("replaces a whole top-level key instead of merging nested objects", () => {
    const i = Inventory.build(decl([host("h")], [group("g", { hosts: ["h"], vars: { cfg: { b: 2 } } })], { cfg: { a: 1 } }));
    assert.deepEqual(i.varsFor("h").cfg, { b: 2 });
  });

  it("sets inventory_hostname and group_names (without all and ungrouped) in depth then name order", () => {
    const v = inv.varsFor("h_host");
    assert.equal(v.inventory_hostname, "h_host");
    assert.deepEqual(v.group_names, ["parent", "child"]);
    assert.deepEqual(inv.varsFor("h_all").group_names, []);
  });

  it("does not let a host's vars named inventory_hostname change the magic var", () => {
    const i = Inventory.build(decl([host("real", { inventory_hostname: "fake" })], []));
    assert.equal(i.varsFor("real").inventory_hostname, "real");
  });

  it("does not leak extra vars of one call into the next", () => {
    inv.varsFor("h_all", { leak: 1 });
    assert.equal(inv.varsFor("h_all").leak, undefined);
  });

  it("throws on an unknown host", () => {
    assert.throws(() => inv.varsFor("nosuch"), /unknown host "nosuch"/);
  });
});
