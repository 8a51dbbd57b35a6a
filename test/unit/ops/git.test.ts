import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import { type GitFact, parseGitFact, resolveRef } from "../../../src/facts/git.js";
import { git, planGit } from "../../../src/ops/git.js";
import { tempDir } from "../../e2e/helpers.js";
import { applyHere, declared, planHere } from "./kit.js";

const C1 = "1111111111111111111111111111111111111111";
const C2 = "2222222222222222222222222222222222222222";
const TAG = "3333333333333333333333333333333333333333";
const REPO = "https://git.example.com/app.git";

/** A git fact of a clean clone of REPO at head, the remote having v1 (annotated), v2 and main. */
const clone = (over: Partial<GitFact> = {}): GitFact => ({
  git: true,
  dest: "clone",
  head: C1,
  url: REPO,
  dirty: false,
  remote: { "refs/tags/v1": TAG, "refs/tags/v1^{}": C1, "refs/tags/v2": C2, "refs/heads/main": C2 },
  ...over,
});
const plan = (ref: string, f: GitFact, force = false) => planGit("/srv/app", { repo: REPO, ref, force }, f);

describe("git fact", () => {
  it("parses a clone's head, origin, cleanliness and the asked refs from ls-remote", () => {
    const out = ["dest=clone", `head=${C1}`, `url=${REPO}`, "dirty=1", `ls=${C1}\trefs/tags/v1^{}`, `ls=${TAG}\trefs/tags/v1`, ""].join(
      "\n",
    );
    assert.deepEqual(parseGitFact(out), {
      git: true,
      dest: "clone",
      head: C1,
      url: REPO,
      dirty: true,
      remote: { "refs/tags/v1^{}": C1, "refs/tags/v1": TAG },
      remoteError: undefined,
    });
  });

  it("parses a missing git command, and an ls-remote failure", () => {
    assert.equal(parseGitFact("git=no\n").git, false);
    const f = parseGitFact("dest=absent\nls=fatal: repository 'x' does not exist\n");
    assert.equal(f.dest, "absent");
    assert.equal(f.remoteError, "fatal: repository 'x' does not exist");
  });

  it("resolves a ref: the commit of an annotated tag, then a tag, then a branch", () => {
    const r = clone().remote;
    assert.deepEqual(resolveRef(r, "v1"), { commit: C1, kind: "tag" });
    assert.deepEqual(resolveRef(r, "v2"), { commit: C2, kind: "tag" });
    assert.deepEqual(resolveRef(r, "main"), { commit: C2, kind: "branch" });
    assert.equal(resolveRef(r, "v3"), undefined);
  });
});

describe("git op: planning", () => {
  it("plans a clone when dest is absent or empty, naming the commit", () => {
    assert.deepEqual(plan("v2", clone({ dest: "absent", head: undefined })), { changed: true, summary: `clone ${REPO} at v2 (2222222)` });
    assert.equal(plan("v2", clone({ dest: "empty", head: undefined })).changed, true);
  });

  it("plans nothing when HEAD is the ref's commit, for a tag, a branch or a commit", () => {
    assert.deepEqual(plan("v1", clone()), { changed: false, summary: "at v1 (1111111)" });
    assert.equal(plan("main", clone({ head: C2 })).changed, false);
    assert.equal(plan("1111111", clone()).changed, false);
    assert.equal(plan(C1, clone()).changed, false);
  });

  it("plans a checkout when HEAD differs", () => {
    assert.deepEqual(plan("v2", clone()), { changed: true, summary: "checkout v2: 1111111 → 2222222" });
  });

  it("plans a clone when git is not installed yet (an earlier op may install it)", () => {
    assert.deepEqual(plan("v1", { git: false, dest: "absent", remote: {} }), {
      changed: true,
      summary: `clone ${REPO} at v1 (git not installed yet)`,
    });
  });

  it("refuses local modifications, another origin, or a non-clone unless forced", () => {
    assert.throws(() => plan("v2", clone({ dirty: true })), /local modifications \(force: true discards them\)/);
    assert.deepEqual(plan("v2", clone({ dirty: true }), true), { changed: true, summary: "checkout v2: 1111111 → 2222222" });
    assert.deepEqual(plan("v1", clone({ dirty: true }), true), { changed: true, summary: "discard local modifications" });
    assert.equal(plan("v1", clone({ dirty: true })).changed, false, "modifications are kept while HEAD is right");
    assert.throws(() => plan("v1", clone({ url: "https://other/x.git" })), /is a clone of https:\/\/other\/x\.git, not/);
    assert.match(plan("v1", clone({ url: "https://other/x.git" }), true).summary, /^origin https:\/\/other\/x\.git → /);
    assert.throws(() => plan("v1", clone({ dest: "other" })), /exists and is not a git clone/);
  });

  it("fails planning when the ref is not in the repository or the repository cannot be read", () => {
    assert.throws(() => plan("v9", clone()), /no branch or tag "v9"/);
    assert.throws(() => plan("v1", clone({ remote: {}, remoteError: "fatal: could not read" })), /cannot read .*fatal: could not read/);
  });
});

describe("git op: declaring", () => {
  it("rejects bad refs, repos and relative paths before touching a host", () => {
    for (const ref of ["", "a b", "-x", "a..b", "x.lock", "a:b", "it's", "a/"]) {
      assert.throws(() => declared(() => git("/srv/app", { repo: REPO, ref })), /bad ref/, ref);
    }
    assert.throws(() => declared(() => git("/srv/app", { repo: "--upload-pack=x", ref: "v1" })), /bad repo/);
    assert.throws(() => declared(() => git("srv/app", { repo: REPO, ref: "v1" })), /path must be absolute/);
    assert.equal(declared(() => git("/srv/app", { repo: REPO, ref: "release/1.2" })).name, "/srv/app");
  });
});

describe("git op: apply fragment (run by sh against a local bare repository)", () => {
  let repo: string;
  const commits: Record<string, string> = {};
  const g = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.email=t@bosun.test", "-c", "user.name=t", ...args], { cwd, encoding: "utf8" }).trim();

  before(() => {
    const dir = tempDir("bosun-git-");
    repo = path.join(dir, "repo.git");
    g(dir, "init", "-q", "--bare", "-b", "main", repo);
    const work = path.join(dir, "work");
    g(dir, "clone", "-q", repo, work);
    for (const v of ["v1", "v2"]) {
      writeFileSync(path.join(work, "VERSION"), `${v}\n`);
      g(work, "add", "VERSION");
      g(work, "commit", "-q", "-m", v);
      g(work, "tag", "-a", v, "-m", v);
      commits[v] = g(work, "rev-parse", "HEAD");
    }
    g(work, "push", "-q", "origin", "main", "v1", "v2");
  });

  const head = (d: string) => g(d, "rev-parse", "HEAD");

  it("clones at a tag, checks out another, then reports ok", () => {
    const dest = path.join(tempDir("bosun-git-"), "app");
    const v1 = declared(() => git(dest, { repo, ref: "v1" }));
    assert.deepEqual(planHere(v1), { changed: true, summary: `clone ${repo} at v1 (${commits.v1!.slice(0, 7)})` });
    assert.equal(applyHere(v1).status, "changed");
    assert.equal(head(dest), commits.v1);
    assert.equal(readFileSync(path.join(dest, "VERSION"), "utf8"), "v1\n");
    assert.equal(applyHere(v1).status, "ok");
    assert.equal(planHere(v1).changed, false);
    const v2 = declared(() => git(dest, { repo, ref: "v2" }));
    assert.equal(applyHere(v2).status, "changed");
    assert.equal(readFileSync(path.join(dest, "VERSION"), "utf8"), "v2\n");
    assert.equal(applyHere(v2).status, "ok");
    assert.deepEqual(readdirSync(path.dirname(dest)), ["app"], "no temp clone left");
  });

  it("checks out a branch as a local branch, and a commit detached", () => {
    const dest = path.join(tempDir("bosun-git-"), "app");
    assert.equal(applyHere(declared(() => git(dest, { repo, ref: "main" }))).status, "changed");
    assert.equal(g(dest, "symbolic-ref", "--short", "HEAD"), "main");
    const byCommit = declared(() => git(dest, { repo, ref: commits.v1!.slice(0, 10) }));
    assert.equal(applyHere(byCommit).status, "changed");
    assert.equal(head(dest), commits.v1);
    assert.equal(applyHere(byCommit).status, "ok");
  });

  it("clones into an existing empty directory", () => {
    const dest = tempDir("bosun-git-");
    assert.equal(applyHere(declared(() => git(dest, { repo, ref: "v2" }))).status, "changed");
    assert.equal(head(dest), commits.v2);
  });

  it("keeps local modifications and fails unless force, which discards them", () => {
    const dest = path.join(tempDir("bosun-git-"), "app");
    applyHere(declared(() => git(dest, { repo, ref: "v1" })));
    writeFileSync(path.join(dest, "VERSION"), "edited\n");
    const out = applyHere(declared(() => git(dest, { repo, ref: "v2" })));
    assert.equal(out.status, "failed");
    assert.match(out.output ?? "", /has local modifications \(force: true discards them\)/);
    assert.equal(readFileSync(path.join(dest, "VERSION"), "utf8"), "edited\n");
    const forced = declared(() => git(dest, { repo, ref: "v2", force: true }));
    assert.equal(applyHere(forced).status, "changed");
    assert.equal(readFileSync(path.join(dest, "VERSION"), "utf8"), "v2\n");
    assert.equal(applyHere(forced).status, "ok");
  });

  it("fails clearly for a ref the repository does not have, and for a directory that is not a clone", () => {
    const dest = path.join(tempDir("bosun-git-"), "app");
    const out = applyHere(declared(() => git(dest, { repo, ref: "v9" })));
    assert.equal(out.status, "failed");
    assert.match(out.output ?? "", /no branch or tag v9/);
    assert.equal(existsSync(dest), false);
    const busy = tempDir("bosun-git-");
    writeFileSync(path.join(busy, "x"), "");
    assert.match(applyHere(declared(() => git(busy, { repo, ref: "v1" }))).output ?? "", /exists and is not a git clone/);
  });
});
