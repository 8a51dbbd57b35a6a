import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import type { FactLookup, FactRequest } from "../../../src/core/operation.js";
import { packagesFact, parsePackages } from "../../../src/facts/dpkg.js";
import { apt } from "../../../src/ops/apt.js";
import { applyHere, declared } from "./kit.js";

/** Returns a FactLookup that answers the dpkg fact with output. */
function dpkgLookup(output: string): FactLookup {
  return {
    get<T>(req: FactRequest<T>): T {
      assert.match(req.key, /^dpkg:/);
      return req.parse(output, 0);
    },
  };
}

// packagesFact output captured on Debian 12 (bookworm): dpkg-query lines, then `apt-cache policy` blocks (latest only).
// bash and curl are installed with newer candidates, coreutils is current, nginx was removed (config files remain),
// jq was never installed.
const DPKG = [
  "pkg\tbash\tii \t5.2.15-2+b8",
  "pkg\tcoreutils\tii \t9.1-1",
  "pkg\tcurl\tii \t7.88.1-10+deb12u14",
  "pkg\tnginx\trc \t1.22.1-9+deb12u9",
  "",
].join("\n");
const POLICY = `bash:
  Installed: 5.2.15-2+b8
  Candidate: 5.2.15-2+b13
  Version table:
     5.2.15-2+b13 500
        500 http://mirror.example/debian bookworm/main amd64 Packages
 *** 5.2.15-2+b8 100
        100 /var/lib/dpkg/status
coreutils:
  Installed: 9.1-1
  Candidate: 9.1-1
  Version table:
 *** 9.1-1 500
        500 http://mirror.example/debian bookworm/main amd64 Packages
        100 /var/lib/dpkg/status
curl:
  Installed: 7.88.1-10+deb12u14
  Candidate: 7.88.1-10+deb12u15
  Version table:
     7.88.1-10+deb12u15 500
        500 http://mirror.example/debian bookworm/main amd64 Packages
 *** 7.88.1-10+deb12u14 100
        100 /var/lib/dpkg/status
     7.88.1-10+deb12u5 500
        500 http://mirror.example/debian-security bookworm-security/main amd64 Packages
nginx:
  Installed: (none)
  Candidate: 1.22.1-9+deb12u11
  Version table:
     1.22.1-9+deb12u11 500
        500 http://mirror.example/debian-security bookworm-security/main amd64 Packages
     1.22.1-9+deb12u9 500
        500 http://mirror.example/debian bookworm/main amd64 Packages
jq:
  Installed: (none)
  Candidate: (none)
  Version table:
`;
const WITH_POLICY = `${DPKG}${POLICY}`;

const plan = (names: string[], o: Parameters<typeof apt>[1] = {}, output = WITH_POLICY) =>
  declared(() => apt(names, o)).plan(dpkgLookup(output));

describe("parsePackages", () => {
  it("reads installed packages and their versions from dpkg-query", () => {
    const s = parsePackages(DPKG, ["bash", "coreutils"]);
    assert.deepEqual(s.bash, { installed: true, version: "5.2.15-2+b8" });
    assert.deepEqual(s.coreutils, { installed: true, version: "9.1-1" });
  });

  it("reports removed (rc) and unknown packages as not installed", () => {
    const s = parsePackages(DPKG, ["nginx", "jq"]);
    assert.deepEqual(s.nginx, { installed: false, version: undefined });
    assert.deepEqual(s.jq, { installed: false });
  });

  it("reads apt-cache policy candidates, (none) meaning no candidate", () => {
    const s = parsePackages(WITH_POLICY, ["bash", "coreutils", "nginx", "jq"]);
    assert.equal(s.bash?.candidate, "5.2.15-2+b13");
    assert.equal(s.coreutils?.candidate, "9.1-1");
    assert.equal(s.nginx?.candidate, "1.22.1-9+deb12u11");
    assert.equal(s.jq?.candidate, undefined);
  });

  it("does not take a version-table line for a package header", () => {
    const s = parsePackages(WITH_POLICY, ["curl"]);
    assert.deepEqual(s.curl, { installed: true, version: "7.88.1-10+deb12u14", candidate: "7.88.1-10+deb12u15" });
  });

  it("matches arch-qualified names, which dpkg-query and apt-cache print bare", () => {
    const out = "pkg\tlibc6\tii \t2.36-9+deb12u14\nlibc6:\n  Installed: 2.36-9+deb12u14\n  Candidate: 2.36-9+deb12u14\n";
    assert.deepEqual(parsePackages(out, ["libc6:amd64"]), {
      "libc6:amd64": { installed: true, version: "2.36-9+deb12u14", candidate: "2.36-9+deb12u14" },
    });
  });

  it("returns every asked package, installed or not, for empty output", () => {
    assert.deepEqual(parsePackages("", ["a", "b"]), { a: { installed: false }, b: { installed: false } });
  });
});

describe("packagesFact", () => {
  it("asks apt-cache for candidates only when they are wanted, under another key", () => {
    const plain = packagesFact(["nginx", "curl"]);
    const cand = packagesFact(["nginx", "curl"], true);
    assert.equal(plain.key, "dpkg:nginx,curl");
    assert.equal(cand.key, "dpkg:c:nginx,curl");
    assert.doesNotMatch(plain.command, /apt-cache/);
    assert.match(cand.command, /LC_ALL=C apt-cache policy nginx curl/);
  });

  const hasDpkg = spawnSync("sh", ["-c", "command -v dpkg-query && command -v apt-cache"]).status === 0;
  it("gathers real state on this machine", { skip: !hasDpkg && "needs dpkg-query and apt-cache" }, () => {
    const f = packagesFact(["coreutils", "bosun-no-such-package"], true);
    const r = spawnSync("sh", ["-c", f.command], { encoding: "utf8" });
    assert.equal(r.status, 0);
    const s = f.parse(r.stdout, 0);
    assert.equal(s.coreutils?.installed, true);
    assert.match(s.coreutils?.version ?? "", /^\d/);
    assert.deepEqual(s["bosun-no-such-package"], { installed: false });
  });
});

describe("apt op: declaring", () => {
  it("is an apt op named for its packages, with one dpkg fact", () => {
    const op = declared(() => apt(["nginx", "curl"], { tags: ["web"] }));
    assert.equal(op.kind, "apt");
    assert.equal(op.name, "nginx curl");
    assert.deepEqual(
      op.facts().map((f) => f.key),
      ["dpkg:nginx,curl"],
    );
    assert.deepEqual(
      declared(() => apt("nginx", { state: "latest" }))
        .facts()
        .map((f) => f.key),
      ["dpkg:c:nginx"],
    );
  });

  it("refuses no packages and bad package names", () => {
    assert.throws(() => declared(() => apt([])), /apt: no packages given/);
    for (const bad of ["Nginx", "-y", "a b", "x;rm -rf /", ""]) {
      assert.throws(() => declared(() => apt([bad])), /apt: bad package name/, bad);
    }
  });
});

/**
 * Stand-ins for apt-get, dpkg-query and the few tools the fragment uses, over a fake package state
 * (dir/installed): apt-get logs each call to dir/log; `apt-get update` fails on apt's lock while
 * dir/lock-busy counts down; the lists' stamp time comes from dir/stamp.
 */
function fakeApt(opts: { installed?: string[]; stampAgeS?: number; lockBusy?: number; updateFails?: boolean; notInLists?: string[] } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-apt-"));
  const bin = path.join(dir, "bin");
  mkdirSync(bin);
  writeFileSync(path.join(dir, "installed"), (opts.installed ?? []).map((p) => `${p}\n`).join(""));
  writeFileSync(path.join(dir, "log"), "");
  writeFileSync(path.join(dir, "lock-busy"), String(opts.lockBusy ?? 0));
  // Packages the lists do not know until the next `apt-get update`.
  writeFileSync(path.join(dir, "not-in-lists"), (opts.notInLists ?? []).map((p) => `${p}\n`).join(""));
  writeFileSync(path.join(dir, "stamp"), String(Math.floor(Date.now() / 1000) - (opts.stampAgeS ?? 10 ** 6)));
  const tools: Record<string, string> = {
    "apt-get": [
      'echo "apt-get $*" >> "$FAKE/log"',
      'for a in "$@"; do case $a in update) n=$(cat "$FAKE/lock-busy"); if [ "$n" -gt 0 ]; then echo $((n-1)) > "$FAKE/lock-busy"; echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 7 (apt-get)" >&2; exit 100; fi;',
      `  ${opts.updateFails ? 'echo "E: The repository is not signed." >&2; exit 100' : ': > "$FAKE/not-in-lists"; exit 0'};; esac; done`,
      'mode=; for a in "$@"; do case $a in install|remove) mode=$a;; -*|*=*) ;; *) [ -z "$mode" ] || { if [ $mode = install ]; then echo "$a" >> "$FAKE/installed"; else grep -vx "$a" "$FAKE/installed" > "$FAKE/i2"; mv "$FAKE/i2" "$FAKE/installed"; fi; };; esac; done',
    ].join("\n"),
    "apt-cache": 'echo "apt-cache $*" >> "$FAKE/log"; p=; for a in "$@"; do p=$a; done; ! grep -qx "$p" "$FAKE/not-in-lists"',
    // As dpkg-query -W: a line per installed package in the -f format (${Package} and ${db:Status-Abbrev} only), rc 1 if one is unknown.
    "dpkg-query": [
      'f=; rc=0; for a in "$@"; do case $a in -f=*) f=${a#-f=};; esac; done',
      'for a in "$@"; do case $a in -*) ;; *) if grep -qx "$a" "$FAKE/installed"; then',
      '  case $f in *Package*) printf "%s ii \\n" "$a";; *) printf "ii ";; esac; else rc=1; fi;; esac; done; exit $rc',
    ].join("\n"),
    stat: 'cat "$FAKE/stamp"',
    ls: "exit 0",
    touch: 'echo "touch $*" >> "$FAKE/log"',
    sleep: "exit 0",
  };
  for (const [name, body] of Object.entries(tools)) {
    writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(bin, name), 0o755);
  }
  const env = { PATH: `${bin}:${process.env.PATH}`, FAKE: dir };
  const calls = () =>
    readFileSync(path.join(dir, "log"), "utf8")
      .split("\n")
      .filter((l) => l.startsWith("apt-get"));
  const cacheCalls = () =>
    readFileSync(path.join(dir, "log"), "utf8")
      .split("\n")
      .filter((l) => l.startsWith("apt-cache"));
  const installed = () => readFileSync(path.join(dir, "installed"), "utf8").split("\n").filter(Boolean);
  return { env, calls, cacheCalls, installed, done: () => rmSync(dir, { recursive: true, force: true }) };
}

describe("apt op: applying (fake apt on PATH)", () => {
  it("installs every missing package in one apt-get after refreshing stale lists, then changes nothing", () => {
    const f = fakeApt({ installed: ["curl"] });
    try {
      const op = declared(() => apt(["nginx", "curl", "jq"], { cacheValidTime: 600, installRecommends: false }));
      const first = applyHere(op, f.env);
      assert.equal(first.status, "changed", first.output);
      const calls = f.calls();
      assert.equal(calls.length, 2, calls.join("\n"));
      assert.match(calls[0] ?? "", /^apt-get update/);
      assert.match(calls[1] ?? "", /^apt-get install .*--no-install-recommends +nginx jq$/);
      assert.deepEqual(f.installed().sort(), ["curl", "jq", "nginx"]);
      assert.equal(applyHere(op, f.env).status, "ok");
      assert.equal(f.calls().length, 2, "nothing missing: no apt-get at all");
    } finally {
      f.done();
    }
  });

  it("asks apt-cache whether fresh lists know the packages, and never when stale lists are updated anyway", () => {
    const stale = fakeApt();
    const fresh = fakeApt({ stampAgeS: 60 });
    try {
      const op = declared(() => apt(["zsh", "curl"], { cacheValidTime: 3600 }));
      assert.equal(applyHere(op, stale.env).status, "changed");
      assert.deepEqual(stale.cacheCalls(), [], "each apt-cache loads the package cache: none before an update that runs anyway");
      assert.equal(applyHere(op, fresh.env).status, "changed");
      assert.deepEqual(fresh.cacheCalls(), ["apt-cache show zsh", "apt-cache show curl"]);
    } finally {
      stale.done();
      fresh.done();
    }
  });

  it("does not refresh lists younger than the validity window", () => {
    const f = fakeApt({ stampAgeS: 60 });
    try {
      assert.equal(
        applyHere(
          declared(() => apt(["jq"], { cacheValidTime: 3600 })),
          f.env,
        ).status,
        "changed",
      );
      assert.deepEqual(
        f.calls().map((c) => c.split(" ")[1]),
        ["install"],
      );
    } finally {
      f.done();
    }
  });

  it("updates lists younger than the validity window when they do not know a wanted package", () => {
    const f = fakeApt({ stampAgeS: 60, notInLists: ["nodejs"] });
    try {
      assert.equal(
        applyHere(
          declared(() => apt(["jq", "nodejs"], { cacheValidTime: 3600 })),
          f.env,
        ).status,
        "changed",
      );
      assert.deepEqual(
        f.calls().map((c) => c.split(" ")[1]),
        ["update", "install"],
      );
      assert.deepEqual(f.installed().sort(), ["jq", "nodejs"]);
    } finally {
      f.done();
    }
  });

  it("waits while another apt holds the lists lock, then updates and installs", () => {
    const f = fakeApt({ lockBusy: 3 });
    try {
      assert.equal(
        applyHere(
          declared(() => apt(["jq"], { cacheValidTime: 0 })),
          f.env,
        ).status,
        "changed",
      );
      assert.equal(f.calls().filter((c) => c.startsWith("apt-get update")).length, 4, "three refusals, then the update");
      assert.deepEqual(f.installed(), ["jq"]);
    } finally {
      f.done();
    }
  });

  it("fails at once, with apt's message, when the update fails for another reason", () => {
    const f = fakeApt({ updateFails: true });
    try {
      const r = applyHere(
        declared(() => apt(["jq"], { cacheValidTime: 0 })),
        f.env,
      );
      assert.equal(r.status, "failed");
      assert.match(r.output ?? "", /The repository is not signed[\s\S]*apt-get update failed/);
      assert.equal(f.calls().length, 1);
      assert.deepEqual(f.installed(), []);
    } finally {
      f.done();
    }
  });

  it("absent: removes only the installed packages, without refreshing the lists", () => {
    const f = fakeApt({ installed: ["nginx"] });
    try {
      assert.equal(
        applyHere(
          declared(() => apt(["nginx", "jq"], { state: "absent" })),
          f.env,
        ).status,
        "changed",
      );
      assert.equal(f.calls().length, 1);
      assert.match(f.calls()[0] ?? "", /^apt-get remove .* nginx$/);
      assert.deepEqual(f.installed(), []);
      assert.equal(
        applyHere(
          declared(() => apt(["nginx", "jq"], { state: "absent" })),
          f.env,
        ).status,
        "ok",
      );
    } finally {
      f.done();
    }
  });
});

describe("apt op: planning", () => {
  it("present: does nothing when every package is installed", () => {
    assert.deepEqual(plan(["bash", "coreutils"], {}, DPKG), { changed: false, summary: "installed" });
  });

  it("present: installs the missing ones (removed and unknown packages count as missing)", () => {
    assert.deepEqual(plan(["bash", "nginx", "jq"], {}, DPKG), { changed: true, summary: "install nginx jq" });
  });

  it("present: does not upgrade installed packages that have a newer candidate", () => {
    assert.equal(plan(["bash", "curl"], { state: "present" }).changed, false);
  });

  it("absent: removes installed packages only", () => {
    assert.deepEqual(plan(["curl", "nginx", "jq"], { state: "absent" }, DPKG), { changed: true, summary: "remove curl" });
    assert.deepEqual(plan(["nginx", "jq"], { state: "absent" }, DPKG), { changed: false, summary: "absent" });
  });

  it("latest: upgrades installed packages whose candidate differs and installs missing ones", () => {
    assert.deepEqual(plan(["bash", "coreutils", "curl", "nginx"], { state: "latest" }), {
      changed: true,
      summary: "install nginx, upgrade bash curl",
    });
  });

  it("latest: does nothing when installed packages are at their candidate", () => {
    assert.deepEqual(plan(["coreutils"], { state: "latest" }), { changed: false, summary: "installed" });
  });

  it("latest: installs a package without a candidate as missing, and never 'upgrades' to (none)", () => {
    assert.deepEqual(plan(["jq"], { state: "latest" }), { changed: true, summary: "install jq" });
    const noCandidate = "pkg\tlocal-tool\tii \t1.0\nlocal-tool:\n  Installed: 1.0\n  Candidate: (none)\n";
    assert.equal(plan(["local-tool"], { state: "latest" }, noCandidate).changed, false);
  });
});
