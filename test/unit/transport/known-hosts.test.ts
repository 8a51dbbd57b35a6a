import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import {
  appendKnownHost,
  blobKeyType,
  knownHostName,
  knownHostsLine,
  loadKnownHosts,
  lookupHost,
  parseKnownHosts,
} from "../../../src/transport/known-hosts.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-kh-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Returns a fresh ed25519 public key line's "type base64" part, made by ssh-keygen. */
function newKey(name: string): { type: string; b64: string; blob: Buffer } {
  const file = path.join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
  const [type, b64] = readFileSync(`${file}.pub`, "utf8").split(" ") as [string, string];
  return { type, b64, blob: Buffer.from(b64, "base64") };
}

const a = newKey("a");
const b = newKey("b");

describe("known_hosts", () => {
  it("finds hashed entries written by ssh-keygen -H, for a bare host and for [host]:port", () => {
    const file = path.join(dir, "hashed");
    writeFileSync(file, `web1 ${a.type} ${a.b64}\n[web2]:2222 ${b.type} ${b.b64}\n`);
    execFileSync("ssh-keygen", ["-q", "-H", "-f", file], { stdio: "ignore" });
    const text = readFileSync(file, "utf8");
    assert.ok(!text.includes("web1") && text.startsWith("|1|"), "ssh-keygen -H hashed the names");
    const lines = parseKnownHosts(text);
    assert.ok(lookupHost(lines, "web1").keys[0]?.key.equals(a.blob));
    assert.ok(lookupHost(lines, knownHostName("web2", 2222)).keys[0]?.key.equals(b.blob));
    assert.equal(lookupHost(lines, "web2").keys.length, 0, "port 22 is a different entry than [web2]:2222");
    assert.equal(lookupHost(lines, "web3").keys.length, 0);
  });

  it("matches comma lists, wildcards and negated patterns, and skips comments and broken lines", () => {
    const lines = parseKnownHosts(
      `# comment\nweb1,198.18.0.10 ${a.type} ${a.b64}\n*.lab,!db?.lab ${b.type} ${b.b64}\nbroken-line\n[*.lab]:2200 ${a.type} ${a.b64}\n`,
    );
    assert.equal(lines.length, 3);
    assert.ok(lookupHost(lines, "198.18.0.10").keys[0]?.key.equals(a.blob));
    assert.ok(lookupHost(lines, "web7.lab").keys[0]?.key.equals(b.blob));
    assert.equal(lookupHost(lines, "db1.lab").keys.length, 0, "the negated pattern wins");
    assert.ok(lookupHost(lines, "[x.lab]:2200").keys[0]?.key.equals(a.blob));
  });

  it("reads @revoked and @cert-authority markers apart from plain keys", () => {
    const lines = parseKnownHosts(`@revoked * ${b.type} ${b.b64}\n@cert-authority *.corp ${a.type} ${a.b64}\nweb1 ${b.type} ${b.b64}\n`);
    const web1 = lookupHost(lines, "web1");
    assert.ok(web1.revoked[0]?.equals(b.blob));
    assert.equal(web1.hasCertAuthority, false);
    const corp = lookupHost(lines, "app.corp");
    assert.equal(corp.hasCertAuthority, true);
    assert.equal(corp.keys.length, 0);
  });

  it("writes hashed lines that OpenSSH finds (ssh-keygen -F) and that parse back", async () => {
    const file = path.join(dir, "written");
    await Promise.all([
      appendKnownHost(file, knownHostsLine("web9", a.blob, true)),
      appendKnownHost(file, knownHostsLine("[web10]:2222", b.blob, false)),
    ]);
    const found = execFileSync("ssh-keygen", ["-F", "web9", "-f", file], { encoding: "utf8" });
    assert.match(found, /Host web9 found/);
    const lines = await loadKnownHosts(file);
    assert.equal(lines.length, 2, "both concurrent appends were kept");
    assert.ok(lookupHost(lines, "[web10]:2222").keys[0]?.key.equals(b.blob));
    assert.equal(blobKeyType(a.blob), "ssh-ed25519");
  });

  it("parses a file once and reads it again only after it changed", async () => {
    const file = path.join(dir, "cached");
    writeFileSync(file, `web1 ${a.type} ${a.b64}\n`);
    const first = await loadKnownHosts(file);
    assert.equal(await loadKnownHosts(file), first, "the same parsed array, not a second parse");
    writeFileSync(file, `web1 ${a.type} ${a.b64}\nweb2 ${b.type} ${b.b64}\n`);
    assert.equal((await loadKnownHosts(file)).length, 2);
    assert.deepEqual(await loadKnownHosts(path.join(dir, "missing")), []);
  });

  it("gives hosts connecting at the same time one parse of a file, not one each", async () => {
    const file = path.join(dir, "concurrent");
    writeFileSync(file, `web1 ${a.type} ${a.b64}\nweb2 ${b.type} ${b.b64}\n`);
    const all = await Promise.all(Array.from({ length: 8 }, () => loadKnownHosts(file)));
    assert.equal(new Set(all).size, 1, "every host got the same parsed array (each parse would keep its own copy of the text)");
  });
});
