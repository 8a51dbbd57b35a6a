import type { FactRequest } from "../core/operation.js";
import { quote } from "../util/shell.js";
import { keyValues } from "./user.js";

/** A git checkout on the host, and what the remote's refs are now. */
export interface GitFact {
  /** false when the git command is missing (nothing else is known then). */
  git: boolean;
  /** What dest is: absent, an empty directory, a clone, or something else. */
  dest: "absent" | "empty" | "clone" | "other";
  head?: string;
  /** URL of the clone's origin remote. */
  url?: string;
  /** Tracked files are modified. */
  dirty?: boolean;
  /** `git ls-remote` lines of the asked refs: refname → commit. */
  remote: Record<string, string>;
  /** Why ls-remote failed (its exit status), when it did. */
  remoteError?: string;
}

/** Returns the refnames ls-remote is asked for to resolve ref (a peeled tag, a tag, a branch, or HEAD). */
export function refPatterns(ref: string): string[] {
  return ref === "HEAD" ? ["HEAD"] : [`refs/tags/${ref}^{}`, `refs/tags/${ref}`, `refs/heads/${ref}`];
}

/** Returns the commit a ref names in ls-remote output (peeled tag first, then tag, branch, HEAD) and its kind. */
export function resolveRef(remote: Record<string, string>, ref: string): { commit: string; kind: "tag" | "branch" | "head" } | undefined {
  const [peeled, tag, branch] = refPatterns(ref);
  if (ref === "HEAD") return remote.HEAD ? { commit: remote.HEAD, kind: "head" } : undefined;
  const t = remote[peeled as string] ?? remote[tag as string];
  if (t) return { commit: t, kind: "tag" };
  const b = remote[branch as string];
  return b ? { commit: b, kind: "branch" } : undefined;
}

/** Returns the fact of a git checkout at dest and of the remote's commit for ref (one ls-remote). */
export function gitFact(dest: string, repo: string, ref: string): FactRequest<GitFact> {
  const d = quote(dest);
  return {
    key: `git:${dest}:${repo}:${ref}`,
    command: [
      "export GIT_TERMINAL_PROMPT=0 GIT_SSH_COMMAND='ssh -o BatchMode=yes'",
      "if ! command -v git >/dev/null 2>&1; then echo git=no; exit 0; fi",
      `if [ -e ${d}/.git ]; then echo dest=clone`,
      `  echo "head=$(git -C ${d} rev-parse -q --verify HEAD)"`,
      `  echo "url=$(git -C ${d} remote get-url origin)"`,
      `  echo "dirty=$(git -C ${d} status --porcelain --untracked-files=no | head -c1 | wc -c)"`,
      `elif [ -d ${d} ] && [ -z "$(ls -A ${d})" ]; then echo dest=empty`,
      `elif [ -e ${d} ]; then echo dest=other; else echo dest=absent; fi`,
      `git ls-remote ${quote(repo)} ${refPatterns(ref).map(quote).join(" ")} 2>&1 | sed 's/^/ls=/'`,
    ].join("\n"),
    parse: parseGitFact,
  };
}

/** Parses the output of gitFact's command. */
export function parseGitFact(output: string): GitFact {
  const kv = keyValues(output);
  const remote: Record<string, string> = {};
  const errors: string[] = [];
  for (const line of output.split("\n")) {
    if (!line.startsWith("ls=")) continue;
    const m = /^([0-9a-f]{40,64})\t(\S+)$/.exec(line.slice(3));
    if (m) remote[m[2] as string] = m[1] as string;
    else errors.push(line.slice(3));
  }
  if (kv.git === "no") return { git: false, dest: "absent", remote };
  return {
    git: true,
    dest: (kv.dest ?? "absent") as GitFact["dest"],
    head: kv.head || undefined,
    url: kv.url || undefined,
    dirty: kv.dirty !== undefined ? kv.dirty !== "0" : undefined,
    remote,
    remoteError: errors.length ? errors.join("\n").slice(-300) : undefined,
  };
}
