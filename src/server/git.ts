/**
 * The tracked repository: a bare cache of it under the server's dir, fetched on each poll, and
 * checkouts of exact commits (one directory per SHA, never changed once made) that runs use.
 */
import { existsSync } from "node:fs";
import { mkdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BosunError } from "../errors.js";
import { run } from "../util/proc.js";
import type { CommitInfo } from "./storage.js";

/** The bosun package a checkout's `import … from "bosun"` resolves to: the one this server runs from. */
const BOSUN_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  ...(import.meta.url.includes("/dist/") ? ["..", "..", ".."] : ["..", ".."]),
);

/** What a checkout's node_modules gets from this server's install: bosun itself, and Node's types for the site type-check. */
const LINKED: [string, string][] = [
  ["bosun", BOSUN_ROOT],
  ["@types/node", path.join(BOSUN_ROOT, "node_modules", "@types", "node")],
];

const DEFAULT_FILES: Record<string, unknown> = {
  "package.json": { private: true, type: "module" },
  "tsconfig.json": {
    compilerOptions: {
      strict: true,
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      skipLibCheck: true,
      types: ["node"],
      typeRoots: ["./node_modules/@types"],
    },
  },
};

const TRACKED = "refs/bosun/tracked";

export class GitSource {
  private readonly cache: string;
  private readonly checkouts = new Map<string, Promise<string>>();

  constructor(
    readonly url: string,
    readonly branch: string,
    readonly dir: string,
  ) {
    this.cache = path.join(dir, "repo.git");
  }

  private git(args: string[]) {
    return run("git", ["--git-dir", this.cache, ...args], { env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" } });
  }

  /** Fetches the branch and returns its head commit. */
  async fetch(): Promise<CommitInfo> {
    if (!existsSync(this.cache)) {
      await mkdir(this.dir, { recursive: true });
      await run("git", ["init", "--bare", "--quiet", this.cache]);
    }
    try {
      await this.git(["fetch", "--quiet", "--force", "--no-tags", this.url, `+refs/heads/${this.branch}:${TRACKED}`]);
    } catch (err) {
      throw new BosunError(`git: cannot fetch branch ${this.branch} of ${this.url}: ${(err as Error).message}`);
    }
    return this.resolve(TRACKED);
  }

  /** Returns the commit a ref or SHA (prefix) names in the cache; throws a clear error when unknown. */
  async resolve(ref: string): Promise<CommitInfo> {
    if (!/^[\w./-]+$/.test(ref)) throw new BosunError(`git: "${ref}" is not a commit or ref`);
    const res = await this.git(["log", "-1", "--format=%H%x00%an <%ae>%x00%s", `${ref}^{commit}`, "--"]).catch(() => undefined);
    const [sha, author, message] = (res?.stdout.trim() ?? "").split("\0");
    if (!sha || author === undefined || message === undefined) throw new BosunError(`git: no commit "${ref}" in ${this.url}`);
    return { sha, author, message };
  }

  /**
   * Returns a directory holding the tree of commit sha (made once: archive into a temp dir, then rename),
   * with node_modules/bosun pointing at this server's bosun so sites resolve `import … from "bosun"`
   * (and @types/node, for the type-check).
   */
  checkout(sha: string): Promise<string> {
    // Two environments planning the same new commit share one checkout.
    let p = this.checkouts.get(sha);
    if (!p) {
      p = this.makeCheckout(sha).finally(() => this.checkouts.delete(sha));
      this.checkouts.set(sha, p);
    }
    return p;
  }

  private async makeCheckout(sha: string): Promise<string> {
    const dest = path.join(this.dir, "checkouts", sha);
    if (existsSync(dest)) return dest;
    const tmp = `${dest}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(path.join(tmp, "node_modules"), { recursive: true });
    const tar = `${tmp}.tar`;
    await this.git(["archive", "--format=tar", "-o", tar, sha]);
    await run("tar", ["-x", "-f", tar, "-C", tmp]);
    await rm(tar, { force: true });
    for (const [name, target] of LINKED) {
      const link = path.join(tmp, "node_modules", name);
      if (existsSync(target) && !existsSync(link)) {
        await mkdir(path.dirname(link), { recursive: true });
        await symlink(target, link, "dir");
      }
    }
    // A repository without them gets Bosun's defaults: sites are ES modules, and the type-check
    // finds Node's types from the nearest tsconfig.json.
    for (const [name, content] of Object.entries(DEFAULT_FILES)) {
      if (!existsSync(path.join(tmp, name))) await writeFile(path.join(tmp, name), `${JSON.stringify(content, null, 2)}\n`);
    }
    await rename(tmp, dest);
    return dest;
  }
}
