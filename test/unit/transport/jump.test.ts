import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectionError } from "../../../src/errors.js";
import { connectionFromVars } from "../../../src/transport/spec.js";
import { DEFAULT_SSH_SETTINGS, jumpCommand, sshOptions } from "../../../src/transport/ssh.js";

const settings = { ...DEFAULT_SSH_SETTINGS, controlDir: "/tmp/x" };

describe("bastion (bosun_ssh_jump)", () => {
  it("becomes a ProxyCommand that verifies the bastion with the same key, known_hosts and policy", () => {
    const spec = connectionFromVars("app1", {
      bosun_ssh_jump: "ops@bastion.example.com:2222",
      bosun_ssh_key: "/k/id",
      bosun_known_hosts: "/k/known",
    });
    const cmd = jumpCommand(spec, settings);
    assert.match(cmd, /^ssh /);
    assert.match(cmd, /StrictHostKeyChecking=yes/);
    assert.match(cmd, /UserKnownHostsFile=\/k\/known/);
    assert.match(cmd, /-i \/k\/id/);
    assert.match(cmd, /-l ops -p 2222 -W %h:%p -- bastion\.example\.com$/);
    const args = sshOptions(spec, settings);
    assert.equal(args[args.indexOf(`ProxyCommand=${cmd}`) - 1], "-o");
  });

  it("follows --accept-new-host-keys for the bastion too", () => {
    const spec = connectionFromVars("app1", { bosun_ssh_jump: "bastion" });
    assert.match(jumpCommand(spec, { ...settings, acceptNewHostKeys: true }), /StrictHostKeyChecking=accept-new/);
  });

  it("rejects a malformed jump spec naming the host", () => {
    const spec = connectionFromVars("app1", { bosun_ssh_jump: "a@b@c" });
    assert.throws(
      () => jumpCommand(spec, settings),
      (e: unknown) => e instanceof ConnectionError && /app1: bad bosun_ssh_jump/.test((e as Error).message),
    );
  });
});
