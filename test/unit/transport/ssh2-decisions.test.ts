import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectionError, HostKeyError } from "../../../src/errors.js";
import { runTransport } from "../../../src/transport/pool.js";
import { connectionFromVars } from "../../../src/transport/spec.js";
import { classifySsh2Error } from "../../../src/transport/ssh2-connect.js";
import { hostKeyAlgorithms, judgeHostKey } from "../../../src/transport/ssh2-hostkey.js";
import { type FallbackFacts, fallbackReason, parseJump } from "../../../src/transport/ssh2-resolve.js";

const blob = (type: string, body: string) => {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(body)]);
};
const keyA = blob("ssh-ed25519", "A");
const keyB = blob("ssh-ed25519", "B");
const ep = { label: "web1", auth: { methods: [], skipped: [] } };
const err = (message: string, extra: Record<string, string>) => Object.assign(new Error(message), extra);

describe("ssh2 transport decisions", () => {
  it("judges host keys like StrictHostKeyChecking: known, new only with accept-new, changed and revoked always refused", () => {
    const ctx = (keys: Buffer[], revoked: Buffer[] = []) => ({
      name: "web1",
      known: { keys: keys.map((key) => ({ keyType: "ssh-ed25519", key })), hasCertAuthority: false, revoked },
      writeFile: "/kh",
      hash: false,
    });
    assert.equal(judgeHostKey("web1", ctx([keyA]), keyA, false), "known");
    assert.equal(judgeHostKey("web1", ctx([]), keyA, true), "new");
    const unknown = judgeHostKey("web1", ctx([]), keyA, false);
    assert.ok(unknown instanceof HostKeyError && /host key unknown/.test(unknown.message));
    const changed = judgeHostKey("web1", ctx([keyA]), keyB, true);
    assert.ok(changed instanceof HostKeyError && /host key CHANGED/.test(changed.message), "accept-new never accepts a changed key");
    const revoked = judgeHostKey("web1", ctx([keyA], [keyA]), keyA, true);
    assert.ok(revoked instanceof HostKeyError && /REVOKED/.test(revoked.message));
  });

  it("offers the known key's algorithms first so a host is checked against the key on file", () => {
    const algos = hostKeyAlgorithms({ keys: [{ keyType: "ssh-rsa", key: keyA }], hasCertAuthority: false, revoked: [] });
    assert.deepEqual(algos.slice(0, 3), ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
    assert.ok(algos.includes("ssh-ed25519"));
  });

  it("retries network trouble and handshake timeouts only, never auth or host key failures", () => {
    for (const code of ["ECONNREFUSED", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH"])
      assert.equal(classifySsh2Error(ep, err("x", { code })).transient, true, code);
    assert.equal(classifySsh2Error(ep, err("Timed out while waiting for handshake", { level: "client-timeout" })).transient, true);
    const auth = classifySsh2Error(
      { label: "web1", auth: { methods: [], skipped: ["key /k is encrypted and there is no terminal to ask for its passphrase"] } },
      err("All configured authentication methods failed", { level: "client-authentication" }),
    );
    assert.equal(auth.transient, false);
    assert.match(auth.message, /^web1: authentication failed .*key \/k is encrypted and there is no terminal/);
    const hk = new HostKeyError("web1", "host key CHANGED: …");
    assert.equal(classifySsh2Error(ep, hk), hk);
    const emfile = classifySsh2Error(ep, err("open", { code: "EMFILE" }));
    assert.ok(emfile instanceof ConnectionError && /ulimit -n/.test(emfile.message) && !emfile.transient);
  });

  it("falls back to OpenSSH for what ssh2 cannot do, and only then", () => {
    const none: FallbackFacts = { certificateFiles: [], securityKeys: [], hostCertOnly: false, gssapiNeeded: false };
    assert.equal(fallbackReason(none), undefined);
    assert.match(fallbackReason({ ...none, certificateFiles: ["/k-cert.pub"] }) ?? "", /user certificates/);
    assert.match(fallbackReason({ ...none, pkcs11Provider: "/p.so" }) ?? "", /PKCS#11/);
    assert.match(fallbackReason({ ...none, securityKeys: ["/id_ed25519_sk"] }) ?? "", /FIDO/);
    assert.match(fallbackReason({ ...none, hostCertOnly: true }) ?? "", /@cert-authority/);
    assert.match(fallbackReason({ ...none, gssapiNeeded: true }) ?? "", /GSSAPI/);
  });

  it("chooses the transport: BOSUN_TRANSPORT over bosun.toml over the default, bad values named", () => {
    assert.equal(runTransport("openssh", {}), "openssh");
    assert.equal(runTransport("ssh2", { BOSUN_TRANSPORT: "openssh" }), "openssh");
    assert.equal(runTransport(undefined, {}), "ssh2");
    assert.throws(
      () => runTransport(undefined, { BOSUN_TRANSPORT: "paramiko" }),
      /BOSUN_TRANSPORT must be "openssh" or "ssh2", found "paramiko"/,
    );
    assert.equal(connectionFromVars("web1", { bosun_transport: "ssh2" }).transport, "ssh2");
    assert.throws(
      () => connectionFromVars("web1", { bosun_transport: "putty" }),
      /host "web1": bosun_transport must be "openssh" or "ssh2", found "putty"/,
    );
  });

  it("splits ProxyJump hops", () => {
    assert.deepEqual(parseJump("web1", "ops@bastion:2222"), { user: "ops", host: "bastion", port: 2222 });
    assert.deepEqual(parseJump("web1", "[fe80::1]:22"), { user: undefined, host: "fe80::1", port: 22 });
    assert.throws(() => parseJump("web1", "a b"), /bad ProxyJump hop/);
  });
});
