import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ROOT, SUITE_HOSTS, tempDir } from "./helpers.js";
import { siteRunner } from "./site-runner.js";
import { BASE, REPO } from "./sites/fetch.js";

const HOST = SUITE_HOSTS[1];
const { run, sh } = siteRunner(path.join(ROOT, "test/e2e/sites/fetch.ts"), HOST);
const PAYLOAD = randomBytes(200 * 1024);
const SHA = createHash("sha256").update(PAYLOAD).digest("hex");
const DL = `${BASE}/dl/payload.bin`;
const APP = `${BASE}/app`;
const UNPACKED = `${BASE}/unpacked`;

let server: Server;
let vars: Record<string, string>;
const commits: Record<string, string> = {};

/** Builds app.tar.gz holding app/VERSION and app/bin/run (0755); returns its path. */
function buildArchive(): string {
  const dir = tempDir("bosun-e2e-fetch-");
  mkdirSync(path.join(dir, "tree", "app", "bin"), { recursive: true });
  writeFileSync(path.join(dir, "tree", "app", "VERSION"), "1.0\n");
  writeFileSync(path.join(dir, "tree", "app", "bin", "run"), "#!/bin/sh\necho run\n", { mode: 0o755 });
  execFileSync("tar", ["-czf", path.join(dir, "app.tar.gz"), "-C", path.join(dir, "tree"), "app"]);
  return path.join(dir, "app.tar.gz");
}

before(async () => {
  // The hosts reach only 198.18.0.1: serve the payload there, on a free port, for this test only.
  server = createServer((req, res) => (req.url === "/payload.bin" ? res.end(PAYLOAD) : res.writeHead(404).end()));
  await new Promise<void>((r) => server.listen(0, "198.18.0.1", r));
  const port = (server.address() as AddressInfo).port;
  vars = { url: `http://198.18.0.1:${port}/payload.bin`, sha256: SHA, archive: buildArchive(), ref: "v1" };
  await sh(`rm -rf ${BASE} ${REPO}`);
});

after(async () => {
  server.close();
  await sh(`rm -rf ${BASE} ${REPO} /tmp/bosun-e2e-scratch`);
});

describe(`download, git and unarchive on ${HOST}`, () => {
  it("apt installs curl and git; a bare repository with tags v1 and v2 is made on the host", async () => {
    const r = await run("apply", { phase: "tools" });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const git = "git -c user.email=e2e@bosun.test -c user.name=e2e";
    const out = await sh(
      [
        "set -e",
        `git init -q --bare -b main ${REPO}`,
        `git clone -q ${REPO} /tmp/bosun-e2e-scratch 2>/dev/null`,
        "cd /tmp/bosun-e2e-scratch",
        `for v in v1 v2; do echo $v > VERSION; git add VERSION; ${git} commit -q -m $v; ${git} tag -a $v -m $v; done`,
        "git push -q origin main v1 v2",
        "git rev-parse 'v1^{commit}' 'v2^{commit}'",
        "cd /; rm -rf /tmp/bosun-e2e-scratch",
      ].join("\n"),
    );
    const [v1 = "", v2 = ""] = out.trim().split("\n");
    Object.assign(commits, { v1, v2 });
    assert.match(v2, /^[0-9a-f]{40}$/);
  });

  it("apply downloads, clones at v1 and extracts, each op reporting a change", async () => {
    const r = await run("apply", vars);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.changed, [`directory ${BASE}/dl`, `download ${DL}`, `git ${APP}`, `unarchive ${UNPACKED}`]);
  });

  it("the host has the verified download, the checkout at v1 and the extracted tree", async () => {
    assert.equal((await sh(`sha256sum < ${DL} | cut -d' ' -f1; stat -c '%a %U %G' ${DL}`)).trim(), `${SHA}\n640 root adm`);
    assert.equal((await sh(`ls -A ${BASE}/dl`)).trim(), "payload.bin", "no temp file left");
    assert.equal(
      (await sh(`git -C ${APP} rev-parse HEAD; cat ${APP}/VERSION; git -C ${APP} remote get-url origin`)).trim(),
      `${commits.v1}\nv1\nfile://${REPO}`,
    );
    assert.equal((await sh(`cat ${UNPACKED}/app/VERSION; stat -c %a ${UNPACKED}/app/bin/run`)).trim(), "1.0\n755");
    assert.match(await sh(`cat ${UNPACKED}/.bosun-archive-app.tar.gz.sha256`), /^[0-9a-f]{64}\n$/);
  });

  it("a second apply changes nothing", async () => {
    const r = await run("apply", vars);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.changed, []);
    assert.equal(r.counts?.changed, 0);
  });

  it("ref v2 checks out v2 (only the git op changes), then nothing is left to change", async () => {
    const p = await run("plan", { ...vars, ref: "v2" });
    assert.deepEqual(p.changed, [`git ${APP}`]);
    assert.equal(p.summaries[`git ${APP}`], `checkout v2: ${commits.v1?.slice(0, 7)} → ${commits.v2?.slice(0, 7)}`);
    const r = await run("apply", { ...vars, ref: "v2" });
    assert.deepEqual(r.changed, [`git ${APP}`]);
    assert.equal((await sh(`git -C ${APP} rev-parse HEAD; cat ${APP}/VERSION`)).trim(), `${commits.v2}\nv2`);
    assert.deepEqual((await run("apply", { ...vars, ref: "v2" })).changed, []);
  });

  it("plan shows exactly the drift made by hand: a corrupted download, another checkout, a removed file", async () => {
    await sh(`echo corrupt >> ${DL}; git -C ${APP} checkout -q --detach v1; rm ${UNPACKED}/app/VERSION`);
    const r = await run("plan", { ...vars, ref: "v2" });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.changed, [`download ${DL}`, `git ${APP}`, `unarchive ${UNPACKED}`]);
    assert.match(
      r.summaries[`download ${DL}`] ?? "",
      new RegExp(`^download http://198\\.18\\.0\\.1:\\d+/payload\\.bin: sha256 [0-9a-f]{12}… → ${SHA.slice(0, 12)}…$`),
    );
    assert.equal(r.summaries[`git ${APP}`], `checkout v2: ${commits.v1?.slice(0, 7)} → ${commits.v2?.slice(0, 7)}`);
    assert.match(r.summaries[`unarchive ${UNPACKED}`] ?? "", new RegExp(`${UNPACKED}/app/VERSION is missing$`));
  });

  it("apply repairs the drift, then nothing is left to change", async () => {
    const r = await run("apply", { ...vars, ref: "v2" });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.changed, [`download ${DL}`, `git ${APP}`, `unarchive ${UNPACKED}`]);
    assert.equal((await sh(`sha256sum < ${DL} | cut -d' ' -f1; cat ${APP}/VERSION ${UNPACKED}/app/VERSION`)).trim(), `${SHA}\nv2\n1.0`);
    assert.deepEqual((await run("apply", { ...vars, ref: "v2" })).changed, []);
  });

  it("a download whose checksum does not match fails with both checksums and leaves the file as it was", async () => {
    const wrong = "0".repeat(64);
    const r = await run("apply", { ...vars, ref: "v2", sha256: wrong });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const failed = r.events.find((e) => e.type === "op_failed");
    assert.equal(failed?.op, `download ${DL}`);
    assert.match(failed?.output ?? "", new RegExp(`checksum mismatch .*expected sha256 ${wrong}, got ${SHA}`));
    assert.equal((await sh(`sha256sum < ${DL} | cut -d' ' -f1; ls -A ${BASE}/dl`)).trim(), `${SHA}\npayload.bin`);
  });
});
