import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { inventoryFile } from "../../../src/import/ansible/emit.js";
import { parseIniInventory } from "../../../src/inventory/ini.js";

describe("import: the converted inventory", () => {
  it("keeps [all:vars] (connection vars included) with group_vars of all on top", () => {
    const decl = parseIniInventory(
      "[web]\nweb8 ansible_host=198.18.0.20\n\n[all:vars]\nansible_user=root\nbosun_known_hosts=/lab/known_hosts\n",
      "hosts.ini",
    );
    const doc = parse(inventoryFile(decl, new Map([["all", { env_name: "lab", ansible_user: "deploy" }]]), new Map()));
    assert.deepEqual(doc.all.vars, { ansible_user: "deploy", bosun_known_hosts: "/lab/known_hosts", env_name: "lab" });
    assert.deepEqual(doc.all.children.web.hosts, { web8: { ansible_host: "198.18.0.20" } });
  });
});
