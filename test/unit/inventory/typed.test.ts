import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Inventory } from "../../../src/inventory/model.js";
import { inventory, isTypedInventory, typedToDecl } from "../../../src/inventory/typed.js";

const FILE = "/srv/site/inventory.ts";

describe("inventory()", () => {
  it("returns a value that isTypedInventory recognises and that keeps the spec", () => {
    const spec = { hosts: { a: {} } };
    const inv = inventory(spec);
    assert.equal(isTypedInventory(inv), true);
    assert.equal(inv.spec, spec);
  });

  it("is recognised across module copies through the shared symbol", () => {
    const foreign = { [Symbol.for("bosun.inventory")]: true, spec: {} };
    assert.equal(isTypedInventory(foreign), true);
  });

  it("does not mistake other values for an inventory", () => {
    for (const v of [null, undefined, 42, "inventory", { spec: {} }, { [Symbol("bosun.inventory")]: true }]) {
      assert.equal(isTypedInventory(v), false, String(v));
    }
  });
});

describe("typedToDecl", () => {
  it("maps address, user and port to bosun_host, bosun_user and bosun_port", () => {
    const d = typedToDecl(inventory({ hosts: { web1: { address: "198.18.0.10", user: "deploy", port: 2222 } } }), FILE);
    assert.deepEqual(d.hosts, [
      { name: "web1", vars: { bosun_host: "198.18.0.10", bosun_user: "deploy", bosun_port: 2222 }, location: { file: FILE } },
    ]);
  });

  it("keeps a host's vars and lets the shorthands win over the same vars", () => {
    const d = typedToDecl(inventory({ hosts: { h: { address: "10.0.0.1", vars: { bosun_host: "old", role: "db" } } } }), FILE);
    assert.deepEqual(d.hosts[0]?.vars, { bosun_host: "10.0.0.1", role: "db" });
  });

  it("adds no connection vars for shorthands that are not given", () => {
    const d = typedToDecl(inventory({ hosts: { h: {} } }), FILE);
    assert.deepEqual(d.hosts[0]?.vars, {});
  });

  it("rejects a port of 0 given explicitly, naming the path of the key", () => {
    assert.throws(() => typedToDecl(inventory({ hosts: { h: { port: 0 } } }), FILE), {
      message: `${FILE}: hosts.h.port: must be a port number 1-65535`,
    });
  });

  it("rejects a misspelt key with the line where it is written", () => {
    const source = 'export default inventory({\n  hosts: {\n    web1: { adress: "10.0.0.1" },\n  },\n});\n';
    const spec = { hosts: { web1: { adress: "10.0.0.1" } } } as unknown as Parameters<typeof inventory>[0];
    assert.throws(() => typedToDecl(inventory(spec), FILE, source), {
      message: `${FILE}:3: hosts.web1: unknown key "adress" (expected address, user, port, vars)`,
    });
  });

  it("rejects a group that is null with a clear message instead of crashing", () => {
    const spec = { groups: { web: null } } as unknown as Parameters<typeof inventory>[0];
    assert.throws(() => typedToDecl(inventory(spec), FILE), { message: `${FILE}: groups.web: expected an object, found null` });
  });

  it("rejects an address that ssh would read as an option", () => {
    assert.throws(
      () => typedToDecl(inventory({ hosts: { h: { address: "-oProxyCommand=x" } } }), FILE),
      /hosts\.h\.address: must not start with "-"/,
    );
  });

  it("does not modify the vars object of the spec", () => {
    const vars = { role: "db" };
    typedToDecl(inventory({ hosts: { h: { user: "u", vars } } }), FILE);
    assert.deepEqual(vars, { role: "db" });
  });

  it("puts the spec's vars on all and names the file as the source", () => {
    const d = typedToDecl(inventory({ vars: { ntp: "pool" } }), FILE);
    assert.equal(d.source, FILE);
    assert.deepEqual(d.vars, { ntp: "pool" });
    assert.deepEqual(d.hosts, []);
    assert.deepEqual(d.groups, []);
  });

  it("reads groups that list host names, children and vars, with the group in the location", () => {
    const d = typedToDecl(
      inventory({
        hosts: { web1: {}, db1: {} },
        groups: { web: { hosts: ["web1"], vars: { port: 80 } }, prod: { children: ["web"] } },
      }),
      FILE,
    );
    assert.deepEqual(d.groups, [
      { name: "web", hosts: ["web1"], children: [], vars: { port: 80 }, location: { file: `${FILE} (group web)` } },
      { name: "prod", hosts: [], children: ["web"], vars: {}, location: { file: `${FILE} (group prod)` } },
    ]);
  });

  it("declares hosts given as a record inside a group, with their shorthands", () => {
    const d = typedToDecl(inventory({ groups: { db: { hosts: { db1: { address: "10.0.0.9" }, db2: {} } } } }), FILE);
    assert.deepEqual(
      d.hosts.map((h) => [h.name, h.vars]),
      [
        ["db1", { bosun_host: "10.0.0.9" }],
        ["db2", {}],
      ],
    );
    assert.deepEqual(d.groups[0]?.hosts, ["db1", "db2"]);
  });

  it("builds into an inventory with the expected membership and vars", () => {
    const inv = Inventory.build(
      typedToDecl(
        inventory({
          vars: { tier: "base" },
          hosts: { web1: { address: "198.18.0.10" } },
          groups: {
            web: { hosts: ["web1"], vars: { tier: "web" } },
            db: { hosts: { db1: { port: 2200 } } },
            prod: { children: ["web", "db"] },
          },
        }),
        FILE,
      ),
    );
    assert.deepEqual(inv.groupHosts("prod"), ["web1", "db1"]);
    assert.equal(inv.varsFor("web1").tier, "web");
    assert.equal(inv.varsFor("web1").bosun_host, "198.18.0.10");
    assert.equal(inv.varsFor("db1").tier, "base");
    assert.equal(inv.varsFor("db1").bosun_port, 2200);
  });

  it("lets Inventory.build report a group naming an unknown host with the group in the location", () => {
    const d = typedToDecl(inventory({ groups: { web: { hosts: ["ghost"] } } }), FILE);
    assert.throws(() => Inventory.build(d), { message: `${FILE} (group web): group "web" lists unknown host "ghost"` });
  });
});
