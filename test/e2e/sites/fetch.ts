/**
 * Site for test/e2e/fetch.test.ts: download, git and unarchive on one host, after apt installs curl and git.
 * Vars (-e): phase (tools: only the packages; all), url and sha256 of the download, ref of the git
 * checkout, archive (a path on the control machine).
 */
import { apt, deploy, directory, download, git, role, unarchive } from "bosun";

export const BASE = "/srv/bosun-e2e-fetch";
export const REPO = "/srv/e2e-repo.git";

const fetch = role("fetch", (_p: undefined, ctx) => {
  const v = (k: string) => String(ctx.vars[k] ?? "");
  apt(["curl", "git"]);
  if (v("phase") === "tools") return;
  directory(`${BASE}/dl`, { mode: "0755" });
  download(`${BASE}/dl/payload.bin`, { url: v("url"), sha256: v("sha256"), mode: "0640", group: "adm" });
  git(`${BASE}/app`, { repo: `file://${REPO}`, ref: v("ref") });
  unarchive(`${BASE}/unpacked`, { src: v("archive"), creates: `${BASE}/unpacked/app/VERSION` });
});

export default deploy("fetch", [{ hosts: "all", roles: [fetch()] }]);
