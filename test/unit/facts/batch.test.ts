/**
 * Each batch kind's split on output captured from a lab host (test/fixtures/facts/batch-<kind>.json:
 * the kind's command for all args, and each request's own command, run on web29 over the same files,
 * units, packages and accounts as test/e2e/fact-batch.test.ts).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import type { FactRequest } from "../../../src/core/operation.js";
import { pendingRequest } from "../../../src/engine/pending-fact.js";
import { authorizedKeysFact } from "../../../src/facts/authorized-keys.js";
import { packagesFact } from "../../../src/facts/dpkg.js";
import { type FileFact, fileFact } from "../../../src/facts/file.js";
import { groupFact } from "../../../src/facts/group.js";
import { sysctlFact } from "../../../src/facts/sysctl.js";
import { unitFact } from "../../../src/facts/systemd.js";
import { userFact } from "../../../src/facts/user.js";

interface Capture {
  args: string[];
  batched: { output: string; rc: number };
  single: Record<string, { output: string; rc: number }>;
}

const capture = (kind: string): Capture =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, "../../fixtures/facts", `batch-${kind}.json`), "utf8"));

/** Returns each arg's value from the batch's split (undefined when left out), checking it equals its own command's value. */
function values<T>(kind: string, request: (arg: string) => FactRequest<T>, c = capture(kind)): Map<string, T | undefined> {
  const first = request(c.args[0] as string).batch;
  assert.ok(first, "the request has a batch kind");
  const split = first.kind.split(c.batched.output, c.batched.rc, c.args);
  const out = new Map<string, T | undefined>();
  for (const arg of c.args) {
    const req = request(arg);
    const mine = split.get(arg);
    const own = c.single[arg] as { output: string; rc: number };
    const value = mine ? req.parse(mine.output, mine.rc) : undefined;
    if (mine) assert.deepEqual(value, req.parse(own.output, own.rc), arg);
    out.set(arg, value);
  }
  return out;
}

const D = "/tmp/bosun-factbatch";

describe("batch kinds split output captured on Debian 12", () => {
  it("file: every path parses as from its own command: absent, dangling link, target with spaces and a newline, empty, big, directory, fifo", () => {
    const v = values("file", fileFact);
    const f = (p: string) => v.get(`${D}/${p}`) as FileFact;
    assert.equal([...v.values()].filter((x) => x === undefined).length, 0, "every path answered");
    assert.equal(f("absent").type, "absent");
    assert.deepEqual(f("dangling"), { ...f("dangling"), type: "link", target: "/no where/target x", owner: "root" });
    assert.equal(f("link-nl").target, "/tmp/two", "as readlink's first line (its parser reads lines)");
    assert.deepEqual(f("empty").content, Buffer.alloc(0));
    assert.equal(f("empty").owner, "nobody");
    assert.equal(f("big").size, 300000);
    assert.equal(f("big").content, undefined);
    assert.match(f("big").sha256 ?? "", /^[0-9a-f]{64}$/);
    assert.equal(f("small").mode, "4750");
    assert.equal(String(f("small").content), "hello\n");
    assert.equal(String(f("new\nline").content), "n");
    assert.equal(String(f("é ü").content), "u");
    assert.equal(String(f(`it's "quoted"`).content), "q");
    assert.equal(f("dir").type, "directory");
    assert.equal(f("fifo").type, "other");
  });

  it("file: a piece that does not hash as sha256sum said leaves it and the small files after it out, to be gathered alone", () => {
    const c = capture("file");
    const lines = c.batched.output.split("\n");
    const at = lines.indexOf("@content");
    const blob = Buffer.from(lines[at + 1] as string, "base64");
    // One byte more after the first file, as when the second grew between stat and cat: every later piece shifts.
    lines[at + 1] = Buffer.concat([blob.subarray(0, 6), Buffer.from("X"), blob.subarray(6)]).toString("base64");
    const v = values("file", fileFact, { ...c, batched: { ...c.batched, output: lines.join("\n") } });
    assert.equal(String((v.get(`${D}/small`) as FileFact).content), "hello\n", "the piece before is proven");
    assert.equal(v.get(`${D}/with space`), undefined);
    assert.equal(v.get(`${D}/é ü`), undefined);
    assert.equal((v.get(`${D}/big`) as FileFact).size, 300000, "big files and the rest are still answered");
    assert.equal((v.get(`${D}/dangling`) as FileFact).type, "link");
  });

  it("unit: one block per unit in the order asked, a unit that does not exist included", () => {
    const v = values("unit", unitFact);
    assert.equal(v.get("no-such-unit-bosun.service")?.load, "not-found");
    assert.equal(v.get("ssh.service")?.active, "active");
    assert.equal(v.get("dbus.socket")?.load, "loaded");
  });

  it("unit: output that is not one block per unit answers nothing (each unit is gathered alone)", () => {
    const c = capture("unit");
    const kind = unitFact("x").batch?.kind;
    assert.equal(kind?.split(c.batched.output, 0, [...c.args, "extra.service"]).size, 0);
  });

  it("dpkg: each apt op gets only its packages, unknown ones not installed, arch-qualified names found", () => {
    const v = values("dpkg", (a) => packagesFact(a.split(" ")));
    assert.equal(v.get("openssh-server no-such-package-bosun")?.["no-such-package-bosun"]?.installed, false);
    assert.equal(v.get("openssh-server no-such-package-bosun")?.["openssh-server"]?.installed, true);
    assert.deepEqual(Object.keys(v.get("sudo libc6:amd64") ?? {}), ["sudo", "libc6:amd64"]);
    assert.equal(v.get("sudo libc6:amd64")?.["libc6:amd64"]?.installed, true);
  });

  it("dpkg with candidates: each op gets its packages' apt-cache policy blocks", () => {
    const v = values("dpkg-policy", (a) => packagesFact(a.split(" "), true));
    assert.ok(v.get("dbus no-such-package-bosun")?.dbus?.candidate);
    assert.equal(v.get("dbus no-such-package-bosun")?.["no-such-package-bosun"]?.candidate, undefined);
    assert.ok(v.get("sudo")?.sudo?.candidate);
  });

  it("user: passwd entry, primary group and every group, a missing user", () => {
    const v = values("user", userFact);
    assert.deepEqual(v.get("bosunfb")?.groups, ["bosunfb", "adm", "sudo"]);
    assert.equal(v.get("root")?.home, "/root");
    assert.deepEqual(v.get("no-such-user-bosun"), { exists: false });
  });

  it("group: each name its line, a missing group", () => {
    const v = values("group", groupFact);
    assert.deepEqual(v.get("adm")?.members, ["bosunfb"]);
    assert.equal(v.get("root")?.gid, 0);
    assert.deepEqual(v.get("no-such-group-bosun"), { exists: false });
  });

  it("sysctl: values by key; a key sysctl could not read is left out (its own command tells why)", () => {
    const v = values("sysctl", sysctlFact);
    assert.deepEqual(v.get("net.ipv4.tcp_rmem"), { exists: true, value: "4096 131072 33554432" });
    assert.equal(v.get("net.core.somaxconn")?.exists, true);
    assert.equal(v.get("no.such.key"), undefined);
  });

  it("authorized_keys: a user with keys, one with no home, one with no .ssh, a missing user", () => {
    const v = values("authorized-keys", authorizedKeysFact);
    assert.equal(v.get("bosunfb2")?.file?.content, "ssh-ed25519 AAAA x\n");
    assert.deepEqual(v.get("bosunfb2")?.dir, { mode: "0755", owner: "root", group: "root" });
    assert.equal(v.get("root")?.file?.mode, "0600");
    assert.equal(v.get("bosunfb")?.user.exists, true);
    assert.equal(v.get("bosunfb")?.dir, undefined);
    assert.equal(v.get("nobody")?.file, undefined);
    assert.equal(v.get("no-such-user-bosun")?.user.exists, false);
  });

  it("pending handlers: each play's file, a missing one empty", () => {
    const v = values("pending", pendingRequest);
    assert.deepEqual(v.get("0fb0"), ["reload nginx", "restart app"]);
    assert.deepEqual(v.get("0fb1"), []);
  });
});
