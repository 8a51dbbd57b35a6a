/**
 * Site for test/e2e/apt-sources.test.ts: aptKey and aptRepository, then an apt install from that repository
 * (the lab's flat, unsigned mirror). `-e phase=absent` removes all three.
 */
import { readFileSync } from "node:fs";
import { apt, aptKey, aptRepository, deploy, role } from "bosun";

export const NAME = "bosun-e2e-mirror";
export const KEY = readFileSync(new URL("../../fixtures/apt/test-repo.asc", import.meta.url), "utf8");
export const PACKAGE = "jq";

const sources = role("apt-sources", (_p: undefined, ctx) => {
  if (ctx.vars.phase === "absent") {
    apt(PACKAGE, { state: "absent" });
    aptRepository(NAME, { state: "absent" });
    aptKey(NAME, { state: "absent" });
    return;
  }
  aptKey(NAME, { key: KEY });
  aptRepository(NAME, { uri: "http://198.18.0.1:8780", suite: "./", trusted: true, arch: "amd64" });
  apt(PACKAGE);
});

export default deploy("apt-sources", [{ hosts: "all", roles: [sources()] }]);
