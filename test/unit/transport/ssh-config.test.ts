import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { expandTokens, parseSshG, sshGArgv } from "../../../src/transport/ssh-config.js";

describe("ssh -G", () => {
  it("reads what the real ssh -G prints, with inventory values winning like command-line options", () => {
    // ssh -G drops a -i file that does not exist: give it a real one.
    const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-sshg-"));
    const key = path.join(dir, "id");
    writeFileSync(key, "");
    const argv = sshGArgv({
      address: "198.18.0.10",
      user: "deploy",
      port: 2222,
      identityFile: key,
      options: [
        "ConnectTimeout=7",
        "ServerAliveInterval=5",
        "UserKnownHostsFile=/kh",
        "ProxyJump=ops@bastion:22,hop2",
        "HostKeyAlias=web1",
      ],
    });
    assert.deepEqual(argv.slice(-2), ["--", "198.18.0.10"], "the address comes after --");
    const cfg = parseSshG(execFileSync("ssh", argv, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
    assert.equal(cfg.hostname, "198.18.0.10");
    assert.equal(cfg.user, "deploy");
    assert.equal(cfg.port, 2222);
    assert.equal(cfg.identityFiles[0], key);
    rmSync(dir, { recursive: true });
    assert.deepEqual(cfg.userKnownHostsFiles, ["/kh"]);
    assert.equal(cfg.connectTimeoutS, 7);
    assert.equal(cfg.serverAliveIntervalS, 5);
    assert.equal(cfg.proxyJump, "ops@bastion:22,hop2");
    assert.equal(cfg.hostKeyAlias, "web1");
    assert.equal(cfg.proxyCommand, undefined);
    assert.deepEqual(cfg.certificateFiles, []);
  });

  it("parses every key Bosun uses, 'none' as unset, and repeated identity files in order", () => {
    const cfg = parseSshG(
      [
        "user ops",
        "hostname 10.0.0.5",
        "port 22",
        "identityfile ~/.ssh/id_ed25519",
        "identityfile /k/2",
        "identitiesonly yes",
        "proxycommand nc %h %p",
        "proxyjump none",
        "userknownhostsfile ~/.ssh/known_hosts ~/.ssh/known_hosts2",
        "globalknownhostsfile /etc/ssh/ssh_known_hosts",
        "stricthostkeychecking accept-new",
        "hashknownhosts yes",
        "connecttimeout none",
        "serveraliveinterval 5",
        "serveralivecountmax 3",
        "certificatefile /k/2-cert.pub",
        "gssapiauthentication yes",
        "pkcs11provider /usr/lib/opensc-pkcs11.so",
      ].join("\n"),
    );
    assert.deepEqual(cfg.identityFiles, ["~/.ssh/id_ed25519", "/k/2"]);
    assert.equal(cfg.identitiesOnly, true);
    assert.equal(cfg.proxyCommand, "nc %h %p");
    assert.equal(cfg.proxyJump, undefined);
    assert.deepEqual(cfg.userKnownHostsFiles, ["~/.ssh/known_hosts", "~/.ssh/known_hosts2"]);
    assert.equal(cfg.strictHostKeyChecking, "accept-new");
    assert.equal(cfg.hashKnownHosts, true);
    assert.equal(cfg.connectTimeoutS, undefined);
    assert.deepEqual(cfg.certificateFiles, ["/k/2-cert.pub"]);
    assert.equal(cfg.gssapiAuthentication, true);
    assert.equal(cfg.pkcs11Provider, "/usr/lib/opensc-pkcs11.so");
  });

  it("expands ~ and the % tokens ssh -G leaves as written", () => {
    const t = { host: "10.0.0.5", port: 2222, user: "ops", original: "web1" };
    assert.equal(expandTokens("~/.ssh/id_%r_%n", t), `${os.homedir()}/.ssh/id_ops_web1`);
    assert.equal(expandTokens("nc %h %p 100%%", t), "nc 10.0.0.5 2222 100%");
  });
});
