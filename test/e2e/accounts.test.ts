import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ROOT, SUITE_HOSTS } from "./helpers.js";
import { siteRunner } from "./site-runner.js";
import { ID, KEYS, NAME } from "./sites/accounts.js";

const HOST = SUITE_HOSTS[1];
const HOME = `/srv/${NAME}-home`;
const { run, sh } = siteRunner(path.join(ROOT, "test/e2e/sites/accounts.ts"), HOST);

before(async () => {
  await sh(`userdel -r ${NAME} 2>/dev/null; groupdel ${NAME} 2>/dev/null; rm -rf ${HOME}; true`);
});

after(async () => {
  await sh(`userdel -r ${NAME} 2>/dev/null; groupdel ${NAME} 2>/dev/null; rm -rf ${HOME}; true`);
});

describe(`group, user and authorizedKeys on ${HOST}`, () => {
  it("apply creates the group, the user and its keys, each op reporting a change", async () => {
    const r = await run("apply");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.changed, [`group ${NAME}`, `user ${NAME}`, `authorized_keys ${NAME}`]);
  });

  it("the host has the account with its attributes, groups, home and keys", async () => {
    assert.equal((await sh(`getent group ${NAME}`)).trim(), `${NAME}:x:${ID}:`);
    assert.equal((await sh(`getent passwd ${NAME}`)).trim(), `${NAME}:x:${ID}:${ID}:Bosun e2e:${HOME}:/bin/sh`);
    assert.equal((await sh(`id -Gn ${NAME}`)).trim(), `${NAME} adm`);
    assert.equal(
      (await sh(`stat -c '%a %U %G' ${HOME}/.ssh ${HOME}/.ssh/authorized_keys`)).trim(),
      `700 ${NAME} ${NAME}\n600 ${NAME} ${NAME}`,
    );
    assert.equal(await sh(`cat ${HOME}/.ssh/authorized_keys`), `${KEYS.join("\n")}\n`);
    assert.equal((await sh(`ls ${HOME}/.ssh`)).trim(), "authorized_keys", "no temp file left");
  });

  it("a second apply changes nothing", async () => {
    const r = await run("apply");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.changed, []);
    assert.equal(r.counts?.changed, 0);
  });

  it("plan shows exactly the drift made by hand: shell, a group left, a key removed, a mode", async () => {
    await sh(
      `usermod -s /bin/bash ${NAME}; gpasswd -d ${NAME} adm >/dev/null; sed -i /bob@ci/d ${HOME}/.ssh/authorized_keys; chmod 0644 ${HOME}/.ssh/authorized_keys`,
    );
    const r = await run("plan");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.changed, [`user ${NAME}`, `authorized_keys ${NAME}`]);
    assert.equal(r.summaries[`user ${NAME}`], "shell /bin/bash → /bin/sh, groups +adm");
    assert.equal(
      r.summaries[`authorized_keys ${NAME}`],
      "keys +ecdsa-sha2-nistp256 …F0SWm6kBxA5U bob@ci, authorized_keys mode 0644 → 0600",
    );
    assert.equal(r.summaries[`group ${NAME}`], `gid ${ID}`);
    assert.ok(!r.stdout.includes("AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY"), "the plan never shows a full key");
  });

  it("apply repairs the drift, then nothing is left to change", async () => {
    const r = await run("apply");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.changed, [`user ${NAME}`, `authorized_keys ${NAME}`]);
    assert.equal((await sh(`getent passwd ${NAME} | cut -d: -f7; id -Gn ${NAME}`)).trim(), `/bin/sh\n${NAME} adm`);
    assert.equal(await sh(`cat ${HOME}/.ssh/authorized_keys`), `${KEYS[0]}\n${KEYS[1]}\n`);
    assert.deepEqual((await run("apply")).changed, []);
  });

  it("non-exclusive keeps a key added by hand; exclusive removes it and the other undeclared key", async () => {
    const extra = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHc9bOlUV7vVHW8qkvEK1tnR7Er4nG4H4AF79M5X9VXK hand@added";
    await sh(`printf '%s\\n' '${extra}' >> ${HOME}/.ssh/authorized_keys`);
    assert.deepEqual((await run("plan")).changed, []);
    const p = await run("plan", { phase: "exclusive" });
    assert.deepEqual(p.changed, [`authorized_keys ${NAME}`]);
    assert.equal(
      p.summaries[`authorized_keys ${NAME}`],
      "keys -ecdsa-sha2-nistp256 …F0SWm6kBxA5U bob@ci, -ssh-ed25519 …4AF79M5X9VXK hand@added",
    );
    const r = await run("apply", { phase: "exclusive" });
    assert.deepEqual(r.changed, [`authorized_keys ${NAME}`]);
    assert.equal(await sh(`cat ${HOME}/.ssh/authorized_keys`), `${KEYS[0]}\n`);
    assert.deepEqual((await run("apply", { phase: "exclusive" })).changed, []);
  });

  it("state absent removes the user with its home, and the group; then nothing is left to change", async () => {
    const p = await run("plan", { phase: "absent" });
    assert.deepEqual(p.changed, [`user ${NAME}`, `group ${NAME}`]);
    assert.equal(p.summaries[`user ${NAME}`], `remove (and home ${HOME})`);
    const r = await run("apply", { phase: "absent" });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // userdel already removes the user's own group (USERGROUPS_ENAB): the group op re-checks and finds it gone.
    assert.deepEqual(r.changed, [`user ${NAME}`]);
    assert.equal((await sh(`getent passwd ${NAME}; getent group ${NAME}; ls -d ${HOME} 2>/dev/null; true`)).trim(), "");
    assert.deepEqual((await run("apply", { phase: "absent" })).changed, []);
  });
});
