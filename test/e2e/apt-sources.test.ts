import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ROOT, SUITE_HOSTS } from "./helpers.js";
import { siteRunner } from "./site-runner.js";
import { KEY, NAME, PACKAGE } from "./sites/apt-sources.js";

const HOST = SUITE_HOSTS[1];
const SOURCES = `/etc/apt/sources.list.d/${NAME}.sources`;
const KEYFILE = `/etc/apt/keyrings/${NAME}.asc`;
const IDS = [`apt_key ${KEYFILE}`, `apt_repository ${SOURCES}`, `apt ${PACKAGE}`];
const { run, sh } = siteRunner(path.join(ROOT, "test/e2e/sites/apt-sources.ts"), HOST);

before(async () => {
  await sh(
    `rm -f ${SOURCES} ${KEYFILE}; if dpkg -s ${PACKAGE} >/dev/null 2>&1; then DEBIAN_FRONTEND=noninteractive apt-get remove -y -q ${PACKAGE} >/dev/null; fi`,
  );
});

after(async () => {
  await sh(`rm -f ${SOURCES} ${KEYFILE}; apt-get update -q >/dev/null`);
});

/**
 * Returns `apt-cache policy PACKAGE` as apt sees it with ONLY our source file (own lists dir), so the lab's
 * own source for the same mirror (a read-only bind mount on the hosts) cannot stand in for it.
 */
async function policyFromOurSourceOnly(): Promise<string> {
  const opts = '-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$d" -o Dir::State::Lists="$d/lists"';
  return sh(
    `d=$(mktemp -d); chmod 755 "$d"; mkdir -p "$d/lists/partial"; cp ${SOURCES} "$d/"; apt-get ${opts} update -q >/dev/null 2>"$d/err" && ! grep -q '^[EW]:' "$d/err" && apt-cache ${opts} policy ${PACKAGE}; rc=$?; cat "$d/err" >&2; rm -rf "$d"; exit $rc`,
  );
}

describe(`aptKey and aptRepository on ${HOST}`, () => {
  it("apply writes the key and the source, then installs a package from that source", async () => {
    const r = await run("apply");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.changed, IDS);
  });

  it("the host has the deb822 source, the key, and the package from the mirror", async () => {
    assert.equal(await sh(`cat ${SOURCES}`), "Types: deb\nURIs: http://198.18.0.1:8780\nSuites: ./\nArchitectures: amd64\nTrusted: yes\n");
    assert.equal((await sh(`stat -c '%a %U %G' ${SOURCES} ${KEYFILE}`)).trim(), "644 root root\n644 root root");
    assert.equal(await sh(`cat ${KEYFILE}`), KEY);
    assert.equal((await sh(`dpkg-query -W -f='\${Status}' ${PACKAGE}`)).trim(), "install ok installed");
    assert.match(await policyFromOurSourceOnly(), /Candidate: \S+[\s\S]*http:\/\/198\.18\.0\.1:8780 \.\/ Packages/);
    const update = await sh("apt-get update -q 2>&1");
    assert.doesNotMatch(update, /^E:/m, update);
    assert.equal((await sh(`echo '{"a":1}' | jq .a`)).trim(), "1");
  });

  it("a second apply changes nothing", async () => {
    const r = await run("apply");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.changed, []);
    assert.equal(r.counts?.changed, 0);
  });

  it("plan shows exactly an edit made by hand to the source, as a diff", async () => {
    await sh(`sed -i 's/^Architectures: amd64$/Architectures: arm64/' ${SOURCES}`);
    const r = await run("plan");
    assert.deepEqual(r.changed, [`apt_repository ${SOURCES}`]);
    assert.equal(r.summaries[`apt_repository ${SOURCES}`], "update content");
    const diff = r.events.find((e) => e.type === "op_planned" && e.changed)?.diff ?? "";
    assert.match(diff, /-Architectures: arm64\n\+Architectures: amd64/);
  });

  it("apply repairs the source and marks apt's lists stale for the next apt op", async () => {
    await sh("touch /var/lib/apt/lists/.bosun-stamp");
    const r = await run("apply");
    assert.deepEqual(r.changed, [`apt_repository ${SOURCES}`]);
    assert.match(await sh(`cat ${SOURCES}`), /^Architectures: amd64$/m);
    assert.equal((await sh("ls /var/lib/apt/lists/.bosun-stamp 2>/dev/null | wc -l")).trim(), "0");
    assert.deepEqual((await run("apply")).changed, []);
  });

  it("state absent removes the package, the source and the key; then nothing is left to change", async () => {
    const r = await run("apply", { phase: "absent" });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.changed, [`apt ${PACKAGE}`, `apt_repository ${SOURCES}`, `apt_key ${KEYFILE}`]);
    assert.equal((await sh(`ls ${SOURCES} ${KEYFILE} 2>/dev/null | wc -l`)).trim(), "0");
    assert.notEqual((await sh(`dpkg-query -W -f='\${Status}' ${PACKAGE} 2>/dev/null; true`)).trim(), "install ok installed");
    assert.deepEqual((await run("apply", { phase: "absent" })).changed, []);
  });
});
