import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import type { FactLookup, FactRequest } from "../../../src/core/operation.js";
import { packagesFact, parsePackages } from "../../../src/facts/dpkg.js";
import { apt, aptUpdateIfStale } from "../../../src/ops/apt.js";
import { declared } from "./helpers.js";

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
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
 *** 5.2.15-2+b8 100
        100 /var/lib/dpkg/status
coreutils:
  Installed: 9.1-1
  Candidate: 9.1-1
  Version table:
 *** 9.1-1 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
        100 /var/lib/dpkg/status
curl:
  Installed: 7.88.1-10+deb12u14
  Candidate: 7.88.1-10+deb12u15
  Version table:
     7.88.1-10+deb12u15 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
 *** 7.88.1-10+deb12u14 100
        100 /var/lib/dpkg/status
     7.88.1-10+deb12u5 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
nginx:
  Installed: (none)
  Candidate: 1.22.1-9+deb12u11
  Version table:
     1.22.1-9+deb12u11 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
     1.22.1-9+deb12u9 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
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

  it("installs all missing packages in one apt-get, refreshing stale lists first", () => {
    const sh = declared(() => apt(["nginx", "curl"], { cacheValidTime: 600, installRecommends: false })).apply();
    assert.equal(sh.match(/apt-get install/g)?.length, 1);
    assert.match(sh, /for __p in nginx curl; do/);
    assert.match(sh, /--no-install-recommends \$__todo; __changed/);
    assert.ok(sh.includes(aptUpdateIfStale(600)));
    assert.match(sh, /DEBIAN_FRONTEND=noninteractive/);
  });

  it("removes only installed packages, without refreshing lists", () => {
    const sh = declared(() => apt(["nginx"], { state: "absent" })).apply();
    assert.match(sh, /apt-get remove .* \$__todo; __changed/);
    assert.doesNotMatch(sh, /apt-get update/);
  });

  it("compares versions before and after installing for latest", () => {
    const sh = declared(() => apt(["curl"], { state: "latest" })).apply();
    assert.match(sh, /apt-get install .* curl\n/);
    assert.match(sh, /__before=.*\n.*\n\[ "\$__before" = .* \] \|\| __changed/);
  });

  it("refreshes the lists only when older than the validity window", () => {
    assert.match(aptUpdateIfStale(3600), /-ge 3600 \]/);
    assert.match(aptUpdateIfStale(-5), /-ge 0 \]/);
    assert.match(aptUpdateIfStale(1.7), /-ge 1 \]/);
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
