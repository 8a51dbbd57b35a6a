import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hostPlan, labLayout, MAX_LAB_HOSTS } from "../../../src/lab/layout.js";

describe("hostPlan", () => {
  it("names the first hosts web1, web2, db1, web3, web4, db2, web5", () => {
    assert.deepEqual(
      Array.from({ length: 7 }, (_, i) => hostPlan(i).name),
      ["web1", "web2", "db1", "web3", "web4", "db2", "web5"],
    );
  });

  it("makes every third host a db and the others web", () => {
    for (let i = 0; i < 30; i++) assert.equal(hostPlan(i).group, i % 3 === 2 ? "db" : "web", `host ${i}`);
  });

  it("gives host i the address 198.18.0.(10+i)", () => {
    assert.equal(hostPlan(0).address, "198.18.0.10");
    assert.equal(hostPlan(1).address, "198.18.0.11");
    assert.equal(hostPlan(MAX_LAB_HOSTS - 1).address, `198.18.0.${10 + MAX_LAB_HOSTS - 1}`);
  });

  it("derives the netns and veth names from the host name", () => {
    assert.deepEqual(hostPlan(2), { name: "db1", address: "198.18.0.12", group: "db", netns: "bosun-db1", veth: "vb-db1" });
  });

  it("gives every lab host a unique name, address and veth, each veth within 15 bytes", () => {
    const names = new Set<string>();
    const addresses = new Set<string>();
    const veths = new Set<string>();
    for (let i = 0; i < MAX_LAB_HOSTS; i++) {
      const p = hostPlan(i);
      assert.ok(Buffer.byteLength(p.veth) <= 15, `${p.veth} is longer than 15 bytes`);
      names.add(p.name);
      addresses.add(p.address);
      veths.add(p.veth);
    }
    assert.equal(names.size, MAX_LAB_HOSTS);
    assert.equal(addresses.size, MAX_LAB_HOSTS);
    assert.equal(veths.size, MAX_LAB_HOSTS);
  });

  it("keeps every address a valid IPv4 address inside 198.18.0.0/24", () => {
    for (let i = 0; i < MAX_LAB_HOSTS; i++) {
      const last = Number(hostPlan(i).address.split(".")[3]);
      assert.ok(last >= 2 && last <= 254, `host ${i}: ${hostPlan(i).address}`);
    }
  });

  it("numbers web and db hosts without gaps", () => {
    const web: number[] = [];
    const db: number[] = [];
    for (let i = 0; i < 60; i++) {
      const p = hostPlan(i);
      (p.group === "web" ? web : db).push(Number(p.name.replace(/^\D+/, "")));
    }
    assert.deepEqual(
      web,
      Array.from({ length: 40 }, (_, k) => k + 1),
    );
    assert.deepEqual(
      db,
      Array.from({ length: 20 }, (_, k) => k + 1),
    );
  });
});

describe("labLayout", () => {
  it("puts every lab file under the lab dir", () => {
    const l = labLayout("/srv/data/bosun/lab");
    for (const p of [l.baseDir, l.mirrorDir, l.keyFile, l.inventoryFile, l.knownHostsFile, l.stateFile, l.hostsDir]) {
      assert.ok(p.startsWith("/srv/data/bosun/lab/"), p);
    }
    assert.equal(l.inventoryFile, "/srv/data/bosun/lab/inventory.yml");
  });

  it("uses the bridge address below the first host address and the given mirror port", () => {
    const l = labLayout("/x", 9000);
    assert.equal(l.bridgeAddress, "198.18.0.1");
    assert.equal(l.mirrorPort, 9000);
    assert.equal(labLayout("/x").mirrorPort, 8780);
    assert.ok(Buffer.byteLength(l.bridge) <= 15);
  });
});
