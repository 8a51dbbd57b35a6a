import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { bosun, onHost, ROOT, SUITE_HOSTS } from "./helpers.js";
import type { RunEventLine } from "./site-runner.js";
import { CONF, DIR, NAME, SUDOERS } from "./sites/text-system-ops.js";

const HOST = SUITE_HOSTS[2];
const SITE = path.join(ROOT, "test/e2e/sites/text-system-ops.ts");

type Event = RunEventLine;

/** Runs `bosun apply|plan` of the site on the host with --json; returns the exit code and the events. */
async function run(verb: "apply" | "plan", phase = "main", vars: string[] = []) {
  const args = [verb, SITE, "-i", "lab", "-l", HOST, "--json", "-e", `phase=${phase}`, ...vars.flatMap((v) => ["-e", v])];
  const r = await bosun(verb === "apply" ? [...args, "--yes"] : args);
  const events = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Event);
  const recap = events.at(-1);
  assert.equal(recap?.type, "recap", r.stdout + r.stderr);
  return { code: r.code, events, counts: recap?.hosts?.[HOST], stderr: r.stderr, stdout: r.stdout };
}

async function sh(cmd: string): Promise<string> {
  const r = await onHost(HOST, cmd);
  assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
  return r.stdout;
}

/** The host's state the test changes, as found before it. */
let saved: { tz: string; name: string; hostname: boolean; hosts: boolean };

before(async () => {
  const out = await sh(
    "cat /etc/timezone; cat /proc/sys/kernel/hostname; [ -e /etc/hostname ] && echo yes || echo no; [ -e /etc/hosts ] && echo yes || echo no",
  );
  const [tz, name, hn, hs] = out.trim().split("\n");
  saved = { tz: tz as string, name: name as string, hostname: hn === "yes", hosts: hs === "yes" };
  await sh(`rm -rf ${DIR}; mkdir ${DIR}; printf '# app\\n#port = 80\\nobsolete = 1\\nname = x' > ${CONF}`);
});

after(async () => {
  const r = await run("apply", "restore", [`tz=${saved.tz}`, `name=${saved.name}`]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  if (!saved.hostname) await sh("rm -f /etc/hostname");
  if (!saved.hosts) await sh("rm -f /etc/hosts");
  assert.equal((await sh("cat /proc/sys/kernel/hostname; cat /etc/timezone")).trim(), `${saved.name}\n${saved.tz}`);
  assert.equal(
    (await sh(`ls ${DIR} /etc/cron.d/${NAME} /etc/sudoers.d/${NAME} /etc/sysctl.d/99-${NAME}.conf 2>/dev/null | wc -l`)).trim(),
    "0",
  );
});

describe(`lineInFile, blockInFile, sysctl, timezone, hostname, cron and sudoers on ${HOST}`, () => {
  it("apply brings the host to the declared state, each op reporting a change", async () => {
    const r = await run("apply");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const changed = r.events.filter((e) => e.type === "op_changed").map((e) => e.index);
    assert.deepEqual(changed, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(r.counts?.changed, 9);
  });

  it("the host holds the edited file, the drop-ins, the zone and the name", async () => {
    assert.equal(
      await sh(`cat ${CONF}`),
      "# app\nport = 8080\ndebug = false\nname = x\n# BEGIN BOSUN MANAGED BLOCK limits\nmax_conn = 100\ntimeout = 30\n# END BOSUN MANAGED BLOCK limits\n",
    );
    assert.equal((await sh(`stat -c %a ${CONF}`)).trim(), "640");
    assert.equal(await sh(`cat /etc/sysctl.d/99-${NAME}.conf`), "# Managed by Bosun\nnet.ipv4.ip_forward = 0\n");
    assert.match(
      await sh("readlink /etc/localtime; cat /etc/timezone; date +%Z"),
      /^\/usr\/share\/zoneinfo\/Europe\/Paris\nEurope\/Paris\nCES?T\n$/,
    );
    assert.equal(await sh("cat /proc/sys/kernel/hostname /etc/hostname; hostname"), "bosun-e2e-db1\nbosun-e2e-db1\nbosun-e2e-db1\n");
    assert.match(await sh("cat /etc/hosts"), /^127\.0\.1\.1\tbosun-e2e-db1$/m);
    assert.match(await sh("getent hosts bosun-e2e-db1"), /^127\.0\.1\.1\s+bosun-e2e-db1/);
    assert.equal(await sh(`cat /etc/cron.d/${NAME}`), `# Managed by Bosun: cron job ${NAME}\n*/5 * * * * root /usr/bin/true\n`);
    assert.equal(await sh(`stat -c '%a %U %G' /etc/sudoers.d/${NAME}; cat /etc/sudoers.d/${NAME}`), `440 root root\n${SUDOERS}`);
    assert.match(await sh("visudo -c"), /parsed OK/);
  });

  it("a second apply changes nothing", async () => {
    const r = await run("apply");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.counts?.changed, 0);
    assert.deepEqual(
      r.events.filter((e) => e.type === "op_changed"),
      [],
    );
    assert.equal(r.counts?.ok, 9);
  });

  it("plan shows exactly the drift made by hand, with diffs", async () => {
    await sh(`sed -i 's/^port = 8080$/port = 9090/; s/^timeout = 30$/timeout = 5/' ${CONF}; rm /etc/cron.d/${NAME}; hostname drifted`);
    const r = await run("plan");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const planned = r.events.filter((e) => e.type === "op_planned" && e.changed);
    assert.deepEqual(
      planned.map((e) => [e.op, e.summary]),
      [
        [`line_in_file ${CONF}`, "edit +1 −1"],
        [`block_in_file ${CONF}`, "edit +1 −1"],
        ["hostname bosun-e2e-db1", "live drifted → bosun-e2e-db1"],
        [`cron ${NAME}`, "create (78 bytes, mode 0644)"],
      ],
    );
    assert.match(planned[0]?.diff ?? "", /^-port = 9090\n\+port = 8080$/m);
    assert.match(planned[1]?.diff ?? "", /^-timeout = 5\n\+timeout = 30$/m);
    assert.match(planned[3]?.diff ?? "", /^\+\*\/5 \* \* \* \* root \/usr\/bin\/true$/m);
    const fixed = await run("apply");
    assert.equal(fixed.counts?.changed, 4, fixed.stdout);
    assert.equal((await run("apply")).counts?.changed, 0);
  });

  it("invalid sudoers content fails the op with visudo's message and leaves the old drop-in", async () => {
    const r = await run("apply", "bad-sudoers");
    assert.equal(r.code, 1, r.stdout);
    const failed = r.events.find((e) => e.type === "op_failed");
    assert.equal(failed?.op, `sudoers ${NAME}`);
    assert.match(
      failed?.output ?? "",
      new RegExp(`sudoers ${NAME}: visudo rejected the new content; /etc/sudoers.d/${NAME} is unchanged:`),
    );
    assert.match(failed?.output ?? "", /syntax error/);
    assert.equal(await sh(`cat /etc/sudoers.d/${NAME}`), SUDOERS);
    assert.equal(await sh("ls -A /etc/sudoers.d | grep -c bosun-tmp || true"), "0\n");
  });

  it("an uninstalled zone fails the op clearly and leaves the zone as it was", async () => {
    const plan = await run("plan", "bad-timezone");
    assert.match(plan.events.find((e) => e.type === "op_planned")?.summary ?? "", /FAILS unless installed first/);
    const r = await run("apply", "bad-timezone");
    assert.equal(r.code, 1);
    assert.match(
      r.events.find((e) => e.type === "op_failed")?.output ?? "",
      /timezone Nowhere\/Atlantis: \/usr\/share\/zoneinfo\/Nowhere\/Atlantis is not installed \(install the tzdata package first/,
    );
    assert.equal((await sh("readlink /etc/localtime")).trim(), "/usr/share/zoneinfo/Europe/Paris");
  });

  it("a live value that cannot be set (the lab's /proc/sys/vm is read-only) fails clearly, the drop-in written", async () => {
    const live = (await sh("cat /proc/sys/vm/swappiness")).trim();
    const r = await run("apply", "sysctl-live");
    assert.equal(r.code, 1);
    assert.match(
      r.events.find((e) => e.type === "op_failed")?.output ?? "",
      new RegExp(`sysctl vm.swappiness: could not set the live value \\(it reads "${live}"; /etc/sysctl.d/99-${NAME}.conf is in place`),
    );
    assert.equal(await sh(`cat /etc/sysctl.d/99-${NAME}.conf`), "# Managed by Bosun\nvm.swappiness = 1\n");
  });
});
