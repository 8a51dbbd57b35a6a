import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation } from "../core/operation.js";
import { type GitFact, gitFact, refPatterns, resolveRef } from "../facts/git.js";
import { quote } from "../util/shell.js";
import { requireAbsolute } from "./attrs.js";

export interface GitOptions extends CommonOptions {
  /** What to clone: a URL (https://, ssh://, git@host:path, file://) or a path on the host. */
  repo: string;
  /** A branch, a tag, a commit (7 to 40 hex digits) or HEAD. */
  ref: string;
  /** Discard local modifications of tracked files, and switch origin when it is another repository. */
  force?: boolean;
}

const HEX = /^[0-9a-f]{7,40}$/;

/** Throws unless ref is a name git accepts for a branch, tag or commit. */
function requireRef(k: string, ref: string): void {
  if (typeof ref !== "string" || !/^[A-Za-z0-9._/+@-]+$/.test(ref) || /^[-/]|\/$|\.\.|@\{|\.lock$|\/\.|^\./.test(ref) || ref.length > 250) {
    throw new Error(`${k}: bad ref ${JSON.stringify(ref)} (expected a branch, tag or commit)`);
  }
}

/**
 * Ensures dest is a clone of repo with ref checked out: clones when absent, fetches and checks out when
 * HEAD is not ref's commit (a branch is checked out as a local branch, a tag or commit detached).
 */
export function git(dest: string, o: GitOptions): Operation {
  requireAbsolute("git", dest);
  const k = `git ${dest}`;
  if (typeof o.repo !== "string" || !/^[^\s-]\S*$/.test(o.repo)) throw new Error(`${k}: bad repo ${JSON.stringify(o.repo)}`);
  requireRef(k, o.ref);
  const force = o.force === true;
  const fact = gitFact(dest, o.repo, o.ref);
  return declareOp({
    kind: "git",
    name: dest,
    ...commonFields(o),
    facts: () => [fact],
    plan: (facts) => planGit(dest, o, facts.get(fact)),
    apply: () => gitScript(dest, o.repo, o.ref, force),
  });
}

/** Returns the plan of a git op from its fact; throws where applying could only fail. */
export function planGit(dest: string, o: GitOptions, cur: GitFact) {
  const { repo, ref } = o;
  if (!cur.git) return { changed: true, summary: `clone ${repo} at ${ref} (git not installed yet)` };
  if (cur.dest === "other") throw new Error(`${dest} exists and is not a git clone`);
  const target = resolveRef(cur.remote, ref) ?? (HEX.test(ref) && !cur.remoteError ? { commit: ref, kind: "commit" } : undefined);
  if (!target) {
    throw new Error(cur.remoteError ? `cannot read ${repo}: ${cur.remoteError}` : `no branch or tag "${ref}" in ${repo}`);
  }
  const at = `${ref} (${target.commit.slice(0, 7)})`;
  if (cur.dest !== "clone") return { changed: true, summary: `clone ${repo} at ${at}` };
  const changes: string[] = [];
  if (cur.url !== repo) {
    if (!o.force) throw new Error(`${dest} is a clone of ${cur.url ?? "(no origin)"}, not ${repo} (force: true switches it)`);
    changes.push(`origin ${cur.url ?? "-"} → ${repo}`);
  }
  if (!cur.head?.startsWith(target.commit)) {
    if (cur.dirty && !o.force) throw new Error(`${dest} has local modifications (force: true discards them)`);
    changes.push(`checkout ${ref}: ${cur.head?.slice(0, 7) ?? "-"} → ${target.commit.slice(0, 7)}`);
  } else if (cur.dirty && o.force) changes.push("discard local modifications");
  return changes.length ? { changed: true, summary: changes.join(", ") } : { changed: false, summary: `at ${at}` };
}

/** Returns the sh that clones/fetches and checks out ref, re-checking everything on the host. */
function gitScript(dest: string, repo: string, ref: string, force: boolean): string {
  const f = force ? " -f" : "";
  // awk picks ref's commit from ls-remote: a peeled tag, then a tag, then a branch (names are exact).
  const [peeled, tag, branch] = refPatterns(ref);
  const pick =
    ref === "HEAD"
      ? `$2=="HEAD"{print $1" head"}`
      : `$2==${awkStr(peeled)}{p=$1} $2==${awkStr(tag)}{t=$1} $2==${awkStr(branch)}{b=$1} END{if(p!="")print p" tag"; else if(t!="")print t" tag"; else if(b!="")print b" branch"}`;
  return [
    "export GIT_TERMINAL_PROMPT=0 GIT_SSH_COMMAND='ssh -o BatchMode=yes'",
    `__gd=${quote(dest)}; __gr=${quote(repo)}; __gref=${quote(ref)}; __tmp=`,
    `__gfail() { [ -z "$__tmp" ] || rm -rf "$__tmp"; echo "git: $*" >&2; exit 1; }`,
    `command -v git >/dev/null 2>&1 || __gfail "the git command is not installed on this host"`,
    `__ls=$(git ls-remote "$__gr" ${refPatterns(ref).map(quote).join(" ")}) || __gfail "cannot read $__gr"`,
    `__res=$(printf '%s\\n' "$__ls" | awk -F '\\t' '${pick}')`,
    HEX.test(ref) ? `[ -n "$__res" ] || __res="$__gref commit"` : `[ -n "$__res" ] || __gfail "no branch or tag $__gref in $__gr"`,
    `__want=\${__res% *}; __kind=\${__res#* }; __w=$__gd; __fresh=`,
    `if [ ! -e "$__gd/.git" ]; then`,
    `  if [ -e "$__gd" ]; then`,
    `    { [ -d "$__gd" ] && [ -z "$(ls -A "$__gd")" ]; } || __gfail "$__gd exists and is not a git clone"`,
    "  else",
    `    mkdir -p "$(dirname "$__gd")"; __w="$(dirname "$__gd")/.bosun-tmp.$$.$(basename "$__gd")"; __tmp=$__w; rm -rf "$__w"`,
    "  fi",
    `  git clone -q --no-checkout -- "$__gr" "$__w" || __gfail "clone of $__gr failed"`,
    "  __fresh=1",
    "else",
    `  __url=$(git -C "$__w" remote get-url origin 2>/dev/null || true)`,
    `  if [ "$__url" != "$__gr" ]; then`,
    force
      ? `    if [ -n "$__url" ]; then git -C "$__w" remote set-url origin "$__gr"; else git -C "$__w" remote add origin "$__gr"; fi; __changed`
      : `    __gfail "$__gd is a clone of \${__url:-(no origin)}, not $__gr (force: true switches it)"`,
    "  fi",
    "fi",
    `__head=$(git -C "$__w" rev-parse -q --verify HEAD || true)`,
    `__dirty=; [ -n "$__fresh" ] || __dirty=$(git -C "$__w" status --porcelain --untracked-files=no)`,
    `__same=; [ -n "$__fresh" ] || case "$__head" in "$__want"*) __same=1 ;; esac`,
    `if [ "$__same" = 1 ] && [ -n "$__dirty" ]; then`,
    force ? `  git -C "$__w" reset -q --hard; __changed` : "  : # local modifications are kept while HEAD is already ref",
    `elif [ "$__same" != 1 ]; then`,
    force ? "  :" : `  [ -z "$__dirty" ] || __gfail "$__gd has local modifications (force: true discards them)"`,
    `  git -C "$__w" cat-file -e "$__want^{commit}" 2>/dev/null || git -C "$__w" fetch -q --force --tags origin '+refs/heads/*:refs/remotes/origin/*' || __gfail "fetch from $__gr failed"`,
    `  __c=$(git -C "$__w" rev-parse -q --verify "$__want^{commit}") || __gfail "commit $__want of $__gref not found in $__gr"`,
    `  if [ "$__kind" = branch ]; then git -C "$__w" checkout -q${f} -B "$__gref" "$__c" || __gfail "checkout of $__gref failed"`,
    `  else git -C "$__w" checkout -q${f} --detach "$__c" || __gfail "checkout of $__gref failed"; fi`,
    `  [ "$__w" = "$__gd" ] || mv "$__w" "$__gd"`,
    "  __changed",
    "fi",
  ].join("\n");
}

/** Returns s as an awk string literal (refs are validated: no backslash or double quote). */
function awkStr(s: string | undefined): string {
  return `"${s ?? ""}"`;
}
