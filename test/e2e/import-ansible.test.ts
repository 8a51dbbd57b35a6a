/**
 * The proof of `bosun import ansible`: the Ansible repository under test/fixtures/ansible-repo is applied
 * with ansible-playbook to two fresh lab hosts, converted with `bosun import ansible`, and the generated
 * site is applied with Bosun to two other fresh lab hosts. The end states are read item by item (files
 * with content/mode/owner, packages, users, groups, services, symlinks, cron) and must be equal once host
 * names are normalised. Ansible runs the playbook twice: a second Bosun apply changes exactly as many ops
 * per host as Ansible's second run reports changed (only the touch whose times are "now").
 *
 * Hosts: BOSUN_E2E_IMPORT_ANSIBLE_HOSTS (default db3,web7) and BOSUN_E2E_IMPORT_BOSUN_HOSTS (default
 * web8,db4); the first of each pair is in group web, the second in group db. The same pair for both runs
 * the sides one after the other on it (Ansible, its state read, a reset, then Bosun). Needs ansible-playbook.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { bosun, lab, onHost, ROOT } from "./helpers.js";

const hostsFrom = (env: string | undefined, fallback: string, name: string): [string, string] => {
  const list = (env ?? fallback).split(",").map((s) => s.trim());
  if (list.length !== 2 || list.some((h) => !h)) throw new Error(`${name} must name two lab hosts, got ${env}`);
  return list as [string, string];
};
const ANSIBLE_HOSTS = hostsFrom(process.env.BOSUN_E2E_IMPORT_ANSIBLE_HOSTS, "db3,web7", "BOSUN_E2E_IMPORT_ANSIBLE_HOSTS");
const BOSUN_HOSTS = hostsFrom(process.env.BOSUN_E2E_IMPORT_BOSUN_HOSTS, "web8,db4", "BOSUN_E2E_IMPORT_BOSUN_HOSTS");
const GROUPS = ["web", "db"];
const REPO = path.join(ROOT, "test/fixtures/ansible-repo");
const VAULT_PASSWORD = path.join(REPO, "vault-password.txt");

/** Runs a program and returns its exit code and output (stdout and stderr together, for failure messages). */
function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

/** Returns an INI inventory of the two hosts (web, db) with the lab's connection settings. */
function iniInventory(hosts: [string, string], addresses: Map<string, string>, keyFile: string, knownHosts: string): string {
  return [
    ...hosts.flatMap((h, i) => [`[${GROUPS[i]}]`, `${h} ansible_host=${addresses.get(h)}`, ""]),
    "[all:vars]",
    "ansible_user=root",
    `ansible_ssh_private_key_file=${keyFile}`,
    `bosun_known_hosts=${knownHosts}`,
    "",
  ].join("\n");
}

/** Files, links and directories compared: type, mode, owner:group, link target, content. */
const FILES = [
  "/etc/motd",
  "/etc/motd.tail",
  "/etc/app-token",
  "/etc/app-limits.conf",
  "/etc/update-motd.d/10-uname",
  "/srv/app",
  "/usr/local/bin/hello",
  "/usr/local/bin/hi",
  "/var/www/sites",
  "/var/www/sites/app",
  "/var/www/sites/app/index.html",
  "/var/www/sites/api",
  "/var/www/sites/api/index.html",
  "/etc/nginx/sites-available/default",
  "/etc/nginx/sites-enabled/default",
  "/var/lib/dbadmin",
  "/var/lib/dbadmin/backups",
  "/etc/dbapp",
  "/etc/dbapp/db.conf",
  "/etc/dbapp/settings.json",
  "/var/lib/report",
  "/var/lib/report/hosts.txt",
  "/var/lib/stamp",
  "/etc/app-marker",
  "/etc/vault-scope",
];
/** Trees listed whole (names, types, modes, owners, link targets): a stray or missing file shows up. */
const TREES = ["/srv", "/var/www", "/etc/dbapp", "/var/lib/report", "/var/lib/dbadmin", "/home", "/usr/local/bin", "/etc/cron.d"];
const SERVICES = ["nginx", "cron", "ssh"];
const CRONTAB_USERS = ["root", "alice", "bob", "dbadmin"];

const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** The script that prints a host's state as `kind<TAB>key<TAB>value` lines (file contents base64). */
const STATE_SCRIPT = [
  "export LC_ALL=C",
  "f() {",
  '  if [ -L "$1" ]; then printf "file\\t%s\\tlink %s %s\\n" "$1" "$(readlink "$1")" "$(stat -c %U:%G "$1")"',
  '  elif [ -d "$1" ]; then printf "file\\t%s\\tdir %s\\n" "$1" "$(stat -c "%a %U:%G" "$1")"',
  '  elif [ -f "$1" ]; then printf "file\\t%s\\tfile %s b64:%s\\n" "$1" "$(stat -c "%a %U:%G" "$1")" "$(base64 -w0 < "$1")"',
  '  else printf "file\\t%s\\tabsent\\n" "$1"; fi',
  "}",
  ...FILES.map((p) => `f ${q(p)}`),
  ...TREES.map(
    (t) => `find ${q(t)} -mindepth 1 -printf 'tree\\t%p\\t%y %m %u:%g %l\\n' 2>/dev/null || printf 'tree\\t%s\\tabsent\\n' ${q(t)}`,
  ),
  `dpkg-query -W -f '\${Package}\\t\${Version} \${db:Status-Abbrev}\\n' | sed 's/^/package\\t/'`,
  'getent passwd | awk -F: \'{print "passwd\\t" $1 "\\t" $0}\'',
  'getent shadow | awk -F: \'{print "shadow-password\\t" $1 "\\t" $2}\'',
  'getent group | awk -F: \'{print "group\\t" $1 "\\t" $0}\'',
  ...SERVICES.map(
    (u) =>
      `printf "service\\t%s\\t%s %s\\n" ${q(u)} "$(systemctl is-enabled ${q(u)} 2>/dev/null || true)" "$(systemctl is-active ${q(u)} 2>/dev/null || true)"`,
  ),
  // Cron jobs: the job lines of every /etc/cron.d file (comment lines are each tool's marker).
  `for c in /etc/cron.d/*; do [ -f "$c" ] && grep -v '^#' "$c" | grep -v '^\\s*$' | sed "s|^|cron\\t$c\\t|"; done`,
  ...CRONTAB_USERS.map(
    // A user's crontab whole: its "#Ansible: NAME" markers and disabled jobs are part of the state.
    (u) => `printf "cron\\tcrontab %s\\t%s\\n" ${q(u)} "$(crontab -l -u ${q(u)} 2>/dev/null | tr '\\n' ';')"`,
  ),
].join("\n");

/** A host's state: "kind key" → value, every host name of its side replaced by its group's placeholder. */
type HostState = Map<string, string>;

/** Reads a host's state; hosts[i] (and its upper-case spelling) becomes <web>/<db> in keys and values. */
async function readState(host: string, hosts: readonly string[]): Promise<HostState> {
  const r = await onHost(host, STATE_SCRIPT);
  assert.equal(r.code, 0, `${host}: reading its state: ${r.stderr}`);
  const norm = (s: string) =>
    hosts.reduce((acc, h, i) => acc.replace(new RegExp(`(?<![A-Za-z0-9])${h}(?![A-Za-z0-9])`, "gi"), `<${GROUPS[i]}>`), s);
  const state: HostState = new Map();
  for (const line of r.stdout.split("\n")) {
    if (!line) continue;
    const [kind, key, ...rest] = line.split("\t");
    const value = rest
      .join("\t")
      .replace(/ b64:(\S*)$/, (_m, b64: string) => ` ${JSON.stringify(Buffer.from(b64, "base64").toString("utf8"))}`);
    const k = `${kind} ${norm(key ?? "")}`;
    state.set(k, state.has(k) ? `${state.get(k)}; ${norm(value)}` : norm(value));
  }
  return state;
}

/** Returns one line per item whose value differs (or exists on one side only). */
function compareStates(a: HostState, b: HostState): string[] {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys
    .filter((k) => a.get(k) !== b.get(k))
    .map((k) => `  ${k}\n    ansible: ${a.get(k) ?? "<missing>"}\n    bosun:   ${b.get(k) ?? "<missing>"}`);
}

/** Both sides on the same two hosts, one after the other (for a lab with few free hosts). */
const SAME_HOSTS = ANSIBLE_HOSTS.join() === BOSUN_HOSTS.join();
if (!SAME_HOSTS && ANSIBLE_HOSTS.some((h) => BOSUN_HOSTS.includes(h)))
  throw new Error("BOSUN_E2E_IMPORT_ANSIBLE_HOSTS and BOSUN_E2E_IMPORT_BOSUN_HOSTS must be disjoint, or the same pair");

/** Both sides start equal: Ansible needs python3 (and python3-apt for its apt module) on its targets. */
async function prepare(h: string): Promise<void> {
  const r = await onHost(h, "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-apt >/dev/null");
  assert.equal(r.code, 0, `${h}: installing python3: ${r.stdout}${r.stderr}`);
}

let work: string;
let site: string;
let bosunApply: string[];
const states = new Map<string, HostState>();
let firstApply: { code: number; stdout: string; stderr: string };
/** Group → tasks Ansible reported changed when it ran the playbook a second time. */
const ansibleRerunChanged = new Map<string, number>();

before(async () => {
  // Fails loudly (never skips): the proof needs Ansible itself.
  const v = spawnSync("ansible-playbook", ["--version"], { encoding: "utf8" });
  if (v.error || v.status !== 0) throw new Error(`ansible-playbook is required for this test: ${v.error?.message ?? v.stderr}`);
  const layout = await lab();
  const doc = parse(readFileSync(layout.inventoryFile, "utf8")) as {
    all: { children: Record<string, { hosts?: Record<string, { bosun_host: string }> }> };
  };
  const addresses = new Map(
    Object.values(doc.all.children).flatMap((g) => Object.entries(g.hosts ?? {}).map(([n, h]) => [n, h.bosun_host] as const)),
  );
  for (const h of [...ANSIBLE_HOSTS, ...BOSUN_HOSTS]) assert.ok(addresses.get(h), `${h} is not a host of the running lab`);
  const all = [...new Set([...ANSIBLE_HOSTS, ...BOSUN_HOSTS])];
  const reset = await bosun(["lab", "reset", ...all]);
  assert.equal(reset.code, 0, reset.stdout + reset.stderr);
  await Promise.all(all.map(prepare));
  // Inside the checkout: the generated site's `import … from "bosun"` resolves to this package there.
  mkdirSync(path.join(ROOT, "tmp"), { recursive: true });
  work = mkdtempSync(path.join(ROOT, "tmp", "import-e2e-"));
  const knownHosts = path.join(layout.dir, "known_hosts");
  const key = path.join(layout.dir, "id_ed25519");
  writeFileSync(path.join(work, "ansible.ini"), iniInventory(ANSIBLE_HOSTS, addresses, key, knownHosts));
  writeFileSync(path.join(work, "bosun.ini"), iniInventory(BOSUN_HOSTS, addresses, key, knownHosts));

  // The two sides run at once (disjoint hosts, nothing shared): the test's time is the slower of the two.
  const applyAnsible = async () => {
    for (const pass of ["first", "second"]) {
      const out = await playbook();
      // The second run's recap: how many tasks Ansible reports changed on a converged host.
      if (pass === "second")
        for (const [i, h] of ANSIBLE_HOSTS.entries()) {
          const m = new RegExp(`^${h}\\s+:.*\\bchanged=(\\d+)`, "m").exec(out);
          assert.ok(m, `no recap line for ${h} in:\n${out.slice(-2000)}`);
          ansibleRerunChanged.set(GROUPS[i] as string, Number(m[1]));
        }
    }
  };
  const playbook = async () => {
    const ansible = await run(
      "ansible-playbook",
      ["-i", path.join(work, "ansible.ini"), "site.yml", "--vault-password-file", VAULT_PASSWORD, "--forks", "4"],
      {
        cwd: REPO,
        env: {
          ANSIBLE_SSH_ARGS: `-o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes -o BatchMode=yes -o ControlMaster=auto -o ControlPersist=60s`,
          ANSIBLE_HOST_KEY_CHECKING: "True",
          ANSIBLE_PIPELINING: "True",
          ANSIBLE_RETRY_FILES_ENABLED: "False",
          ANSIBLE_PYTHON_INTERPRETER: "/usr/bin/python3",
          ANSIBLE_LOCAL_TEMP: path.join(work, "ansible-tmp"),
          ANSIBLE_NOCOLOR: "1",
        },
      },
    );
    assert.equal(ansible.code, 0, `ansible-playbook failed:\n${ansible.out.slice(-4000)}`);
    return ansible.out;
  };
  const importAndApply = async () => {
    site = path.join(work, "site");
    const imp = await bosun(["import", "ansible", path.join(REPO, "site.yml"), "-i", path.join(work, "bosun.ini"), "--out", site]);
    assert.equal(imp.code, 0, imp.stdout + imp.stderr);
    bosunApply = [
      "apply",
      path.join(site, "site.ts"),
      "-i",
      path.join(site, "inventory.yml"),
      "--vault-password-file",
      VAULT_PASSWORD,
      "--yes",
      "--json",
    ];
    firstApply = await bosun(bosunApply);
    assert.equal(firstApply.code, 0, `bosun apply failed:\n${firstApply.stdout.slice(-4000)}${firstApply.stderr}`);
  };
  const readSide = async (side: string, hosts: readonly string[]) => {
    for (const [i, h] of hosts.entries()) states.set(`${side}:${GROUPS[i]}`, await readState(h, hosts));
  };
  if (SAME_HOSTS) {
    // One pair of hosts for both sides: Ansible first, its end state read, the hosts reset, then Bosun.
    await applyAnsible();
    await readSide("ansible", ANSIBLE_HOSTS);
    const again = await bosun(["lab", "reset", ...ANSIBLE_HOSTS]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    await Promise.all(ANSIBLE_HOSTS.map(prepare));
    await importAndApply();
    await readSide("bosun", BOSUN_HOSTS);
    return;
  }
  await Promise.all([applyAnsible(), importAndApply()]);
  await readSide("ansible", ANSIBLE_HOSTS);
  await readSide("bosun", BOSUN_HOSTS);
});

after(() => {
  if (work && !process.env.BOSUN_E2E_KEEP) rmSync(work, { recursive: true, force: true });
});

describe("bosun import ansible: the converted site reaches Ansible's end state", () => {
  for (const group of GROUPS) {
    it(`the ${group} host Bosun configured equals the one Ansible configured, item by item`, (t) => {
      const a = states.get(`ansible:${group}`) as HostState;
      const b = states.get(`bosun:${group}`) as HostState;
      // The comparison reads something of every kind (a typo in a path list would otherwise pass vacuously).
      for (const kind of ["file", "package", "passwd", "group", "service", "cron"])
        assert.ok(
          [...a.keys()].some((k) => k.startsWith(`${kind} `)),
          `no ${kind} items read`,
        );
      assert.equal(a.get("file /etc/motd")?.startsWith("file 644 root:root"), true, a.get("file /etc/motd"));
      const diffs = compareStates(a, b);
      t.diagnostic(`${a.size} items compared`);
      assert.deepEqual(diffs, [], `end states differ (Ansible vs Bosun):\n${diffs.join("\n")}`);
    });
  }

  it("keeps the vaulted values masked in Bosun's output and puts the plaintext on the host", () => {
    assert.doesNotMatch(firstApply.stdout + firstApply.stderr, /s3cr3t/);
    assert.match(states.get("bosun:db")?.get("file /etc/dbapp/db.conf") ?? "", /password = s3cr3t-db-pw/);
  });

  it("a second Bosun apply changes only what Ansible changes on every run (a touch with times set to now)", async () => {
    const r = await bosun(bosunApply);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const changed = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { type: string; host?: string; op?: string })
      .filter((e) => e.type === "op_changed");
    // Only the touch with times set to now changes again (once per play that runs role common), as many times as in Ansible.
    assert.deepEqual([...new Set(changed.map((e) => e.op))], ["touch /var/lib/stamp"]);
    for (const [i, h] of BOSUN_HOSTS.entries()) {
      const group = GROUPS[i] as string;
      const n = changed.filter((e) => e.host === h).length;
      assert.equal(
        n,
        ansibleRerunChanged.get(group),
        `${h} (${group}): ${n} ops changed again; Ansible's second run changed ${ansibleRerunChanged.get(group)}`,
      );
    }
    assert.match(r.stdout, /"type":"recap"/);
  });
});
