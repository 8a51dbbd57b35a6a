import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connectionFromVars } from "../../../src/transport/spec.js";

describe("connectionFromVars", () => {
  it("connects over ssh to the host's name when no vars are set", () => {
    assert.deepEqual(connectionFromVars("web1", {}), {
      name: "web1",
      connection: "ssh",
      address: "web1",
      user: undefined,
      port: undefined,
      identityFile: undefined,
      knownHostsFile: undefined,
      proxyJump: undefined,
      transport: undefined,
      become: { enabled: false, user: "root", password: undefined },
    });
  });

  it("reads bosun_* connection vars", () => {
    const s = connectionFromVars("web1", {
      bosun_host: "198.18.0.10",
      bosun_user: "deploy",
      bosun_port: 2222,
      bosun_ssh_key: "/k/id",
      bosun_known_hosts: "/k/known_hosts",
      bosun_ssh_jump: "bastion",
    });
    assert.equal(s.address, "198.18.0.10");
    assert.equal(s.user, "deploy");
    assert.equal(s.port, 2222);
    assert.equal(s.identityFile, "/k/id");
    assert.equal(s.knownHostsFile, "/k/known_hosts");
    assert.equal(s.proxyJump, "bastion");
  });

  it("reads the ansible_* aliases so existing inventories work", () => {
    const s = connectionFromVars("db1", {
      ansible_host: "10.0.0.7",
      ansible_user: "admin",
      ansible_port: "2200",
      ansible_ssh_private_key_file: "~/.ssh/id_rsa",
      ansible_become: true,
      ansible_become_user: "postgres",
      ansible_become_pass: "s3cret",
    });
    assert.equal(s.address, "10.0.0.7");
    assert.equal(s.user, "admin");
    assert.equal(s.port, 2200);
    assert.equal(s.identityFile, "~/.ssh/id_rsa");
    assert.deepEqual(s.become, { enabled: true, user: "postgres", password: "s3cret" });
  });

  it("lets the bosun_ name win when both names are set", () => {
    const s = connectionFromVars("h", {
      ansible_host: "ansible.example",
      bosun_host: "bosun.example",
      ansible_user: "a",
      bosun_user: "b",
      ansible_port: 1111,
      bosun_port: 2222,
      ansible_become_user: "x",
      bosun_become_user: "y",
    });
    assert.equal(s.address, "bosun.example");
    assert.equal(s.user, "b");
    assert.equal(s.port, 2222);
    assert.equal(s.become.user, "y");
  });

  it("falls back to the ansible_ name when the bosun_ one is empty or null", () => {
    assert.equal(connectionFromVars("h", { bosun_host: "", ansible_host: "10.1.1.1" }).address, "10.1.1.1");
    assert.equal(connectionFromVars("h", { bosun_user: null, ansible_user: "ops" }).user, "ops");
  });

  it("prefers ansible_become_password over the older ansible_become_pass", () => {
    assert.equal(connectionFromVars("h", { ansible_become_pass: "old", ansible_become_password: "new" }).become.password, "new");
  });

  it("turns become on for true, 'true' and 'yes' only", () => {
    for (const v of [true, "true", "yes"]) assert.equal(connectionFromVars("h", { bosun_become: v }).become.enabled, true, String(v));
    for (const v of [false, "false", "no", 0]) assert.equal(connectionFromVars("h", { bosun_become: v }).become.enabled, false, String(v));
  });

  it("reads a port given as text", () => {
    assert.equal(connectionFromVars("h", { bosun_port: "22" }).port, 22);
  });

  for (const bad of [0, 65536, -22, 22.5, "ssh", "22abc"]) {
    it(`rejects the port ${JSON.stringify(bad)}, naming the host, the var and the value`, () => {
      assert.throws(() => connectionFromVars("web3", { ansible_port: bad }), {
        message: `host "web3": ansible_port must be a port number 1-65535, found ${JSON.stringify(bad)}`,
      });
    });
  }

  it("accepts the edge ports 1 and 65535", () => {
    assert.equal(connectionFromVars("h", { bosun_port: 1 }).port, 1);
    assert.equal(connectionFromVars("h", { bosun_port: 65535 }).port, 65535);
  });

  it("rejects a connection var that is an object, naming the host", () => {
    assert.throws(
      () => connectionFromVars("web3", { bosun_user: { name: "x" } }),
      /^BosunError: host "web3": bosun_user must be a string, found \{"name":"x"\}/,
    );
  });

  it("connects to localhost locally by default", () => {
    const s = connectionFromVars("localhost", {});
    assert.equal(s.connection, "local");
    assert.equal(s.address, "localhost");
  });

  it("connects to localhost over ssh when asked to", () => {
    assert.equal(connectionFromVars("localhost", { ansible_connection: "ssh" }).connection, "ssh");
  });

  it("connects to another host locally when bosun_connection says local", () => {
    assert.equal(connectionFromVars("ctl", { bosun_connection: "local" }).connection, "local");
  });

  it("rejects a connection type other than ssh or local, naming the host", () => {
    assert.throws(() => connectionFromVars("win1", { ansible_connection: "winrm" }), {
      message: 'host "win1": ansible_connection must be "ssh" or "local", found "winrm"',
    });
  });

  for (const [key, value] of [
    ["ansible_host", "-oProxyCommand=touch /tmp/x"],
    ["ansible_user", "-oProxyCommand=x"],
    ["bosun_ssh_jump", "-J evil"],
    ["bosun_ssh_key", "-oX"],
    ["ansible_host", "web 1"],
  ]) {
    it(`rejects ${key}=${JSON.stringify(value)} so it never reaches ssh as an option`, () => {
      assert.throws(
        () => connectionFromVars("web3", { [key as string]: value }),
        (err: Error) => err.message.startsWith(`host "web3": ${key} must`),
      );
    });
  }

  it("rejects a host name starting with - when it is the address", () => {
    assert.throws(() => connectionFromVars("-oProxyCommand=x", {}), /the host name must not start with "-"/);
    assert.equal(connectionFromVars("-odd", { ansible_host: "10.0.0.1" }).address, "10.0.0.1");
  });
});
