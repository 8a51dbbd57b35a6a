/**
 * The contract every operation keeps, checked on real sh against state in a temp dir:
 * the plan says "changes" exactly when the apply changes something, and a second apply (and plan)
 * is a no-op. Each op runs from a fresh state and from a drifted one. Ops on fixed system paths run
 * rebased under the case's temp dir (facts and apply alike), with stand-in tools on PATH (systemctl,
 * apt-get, dpkg-query, ufw, sysctl, visudo, hostname, the shadow tools) that keep their state in files
 * there. Every op exported by src/ops/index.ts is in CASES or, with its reason, in EXEMPT (a test
 * checks it), so a new op cannot skip the contract silently.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Operation } from "../../../src/core/operation.js";
import * as ops from "../../../src/ops/index.js";
import { applyHere, declared, fakeAccounts, fakeCommand, planHere, rebasedWithFacts, serveDir } from "./kit.js";

const root = mkdtempSync(path.join(os.tmpdir(), "bosun-contract-"));
let server: { url: string; stop: () => void } | undefined;
before(async () => {
  server = await serveDir(path.join(root, "www"));
});
after(() => {
  server?.stop();
  rmSync(root, { recursive: true, force: true });
});

type Env = NodeJS.ProcessEnv;

interface Case {
  name: string;
  /** The export of src/ops/index.ts this case declares (for the coverage check). */
  exported: keyof typeof ops;
  /** Declares the op on paths under dir (called again for each run: ops are declared per run, as the engine does). */
  op: (dir: string) => Operation;
  /** Prepares what any state of the case needs (fake tools, their state, directories); returns the env that uses them. */
  setup?: (dir: string) => Env | undefined;
  /** System path prefixes the op's facts and apply are moved under dir for. */
  rebase?: string[];
  /** Puts dir in a drifted state (something other than what the op wants). */
  drift?: (dir: string) => void;
  /** Set when the op is known to break the contract from this state of the case: the bug, shown as the test's todo. */
  knownBug?: { from: "fresh" | "drifted"; bug: string };
  /** An action that changes on every run by design (a command without guards, restarted): each run plans and applies a change. */
  always?: boolean;
}

// Shared inputs built once: a copy source, templates, a served file, archives, a git repository.
const src = path.join(root, "copy-src");
writeFileSync(src, "copied\n");
writeFileSync(path.join(root, "motd.tmpl"), "Welcome to {{ host }}\n");
writeFileSync(path.join(root, "motd.j2"), "{% for u in users %}{{ u | upper }}\n{% endfor %}");
mkdirSync(path.join(root, "www"));
const served = Buffer.from("served bytes\n");
writeFileSync(path.join(root, "www", "tool.bin"), served);
const servedSha = createHash("sha256").update(served).digest("hex");
mkdirSync(path.join(root, "tree", "etc"), { recursive: true });
writeFileSync(path.join(root, "tree", "etc", "app.conf"), "x = 1\n");
execFileSync("tar", ["-czf", path.join(root, "tree.tar.gz"), "-C", path.join(root, "tree"), "."]);
execFileSync("tar", ["-cf", path.join(root, "tree.tar"), "-C", path.join(root, "tree"), "."]);
const repo = path.join(root, "repo");
const gitIn = (dir: string, ...args: string[]) =>
  execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { encoding: "utf8" }).trim();
mkdirSync(repo);
gitIn(repo, "init", "-q", "-b", "main");
writeFileSync(path.join(repo, "a"), "1\n");
gitIn(repo, "add", "a");
gitIn(repo, "commit", "-q", "-m", "one");
gitIn(repo, "tag", "v1");
writeFileSync(path.join(repo, "a"), "2\n");
gitIn(repo, "commit", "-q", "-am", "two");
gitIn(repo, "tag", "-a", "-m", "two", "v2");
/** Clones repo into dest at its first commit (the drifted state of a clone). */
const oldClone = (dest: string) => {
  execFileSync("git", ["clone", "-q", repo, dest]);
  gitIn(dest, "checkout", "-q", "-B", "main", "v1");
};

const ED = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC1FG+UvoGwFqzayjTceRhQ/QIWutTv8XBmmcZ0cGomv alice@laptop";
const OTHER = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPqjYsWl8d6fM6VQqD2Z5DZj0d2mZ2oB3f4vYjIhVd0c bob@desk";
const ARMORED = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBGTestKeyBody\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n";
const BINARY = new Uint8Array([0x99, 0x02, 0x0d, 0x04, 0x65, 0x00, 0x00, 0x01, 0x02, 0x03]);

/** Makes the directories under dir that the rebased system paths live in. */
const dirs =
  (...paths: string[]) =>
  (d: string): undefined => {
    for (const p of paths) mkdirSync(`${d}${p}`, { recursive: true });
    return undefined;
  };

/** Returns PATH with dir/bin (the case's stand-in tools) first. */
const binEnv = (d: string): Env => {
  mkdirSync(`${d}/bin`, { recursive: true });
  return { PATH: `${d}/bin:${process.env.PATH}` };
};

/**
 * A systemctl over unit state in dir/systemd: UNIT.unit (installed), UNIT.active (its ActiveState; empty:
 * active), UNIT.enabled (its UnitFileState), reload-needed. is-active succeeds for active and reloading, as systemd's does.
 */
function fakeSystemctl(d: string, units: string[]): Env {
  const env = binEnv(d);
  const s = `${d}/systemd`;
  mkdirSync(s, { recursive: true });
  for (const u of units) writeFileSync(`${s}/${u}.unit`, "");
  fakeCommand(
    `${d}/bin`,
    "systemctl",
    `S=${s}; echo "systemctl $*" >> "$S/log"
q=; cmd=$1; shift; [ "$1" != -q ] || { q=1; shift; }
case $cmd in
  show) p=$2; if [ "$3" = --value ]; then v=1; u=$4; else v=; u=$3; fi
    load=loaded; [ -e "$S/$u.unit" ] || load=not-found
    act=$(cat "$S/$u.active" 2>/dev/null || echo inactive); [ -n "$act" ] || act=active
    uf=; [ ! -e "$S/$u.unit" ] || uf=$(cat "$S/$u.enabled" 2>/dev/null || echo disabled)
    nr=no; [ ! -e "$S/reload-needed" ] || nr=yes
    if [ -n "$v" ]; then echo "$nr"; else printf 'LoadState=%s\\nActiveState=%s\\nSubState=%s\\nUnitFileState=%s\\nNeedDaemonReload=%s\\n' "$load" "$act" "$act" "$uf" "$nr"; fi;;
  is-active) st=$(cat "$S/$1.active" 2>/dev/null || echo inactive); [ -n "$st" ] || st=active; [ -n "$q" ] || echo "$st"
    case "$st" in active|reloading) exit 0;; *) exit 3;; esac;;
  is-enabled) st=$(cat "$S/$1.enabled" 2>/dev/null || echo disabled); echo "$st"; [ "$st" = enabled ];;
  start|restart|reload-or-restart) [ -e "$S/$1.unit" ] || { echo "Unit $1 not found." >&2; exit 5; }; : > "$S/$1.active";;
  stop) rm -f "$S/$1.active";;
  enable) echo enabled > "$S/$1.enabled";;
  disable) echo disabled > "$S/$1.enabled";;
  daemon-reload) rm -f "$S/reload-needed";;
  *) echo "fake systemctl: $cmd?" >&2; exit 1;;
esac`,
  );
  return env;
}

/**
 * dpkg-query, apt-get and apt-cache over a package database in dir/apt: avail/PKG holds the candidate
 * version, inst/PKG the installed one. The lists dir (/var/lib/apt/lists) is rebased under dir.
 */
function fakeApt(d: string, avail: Record<string, string>, installed: Record<string, string> = {}): Env {
  const env = binEnv(d);
  const a = `${d}/apt`;
  mkdirSync(`${a}/avail`, { recursive: true });
  mkdirSync(`${a}/inst`, { recursive: true });
  mkdirSync(`${d}/var/lib/apt/lists`, { recursive: true });
  for (const [p, v] of Object.entries(avail)) writeFileSync(`${a}/avail/${p}`, `${v}\n`);
  for (const [p, v] of Object.entries(installed)) writeFileSync(`${a}/inst/${p}`, `${v}\n`);
  fakeCommand(
    `${d}/bin`,
    "dpkg-query",
    `A=${a}; f=; rc=0
while [ $# -gt 0 ]; do case $1 in -W) shift;; -f=*) f=\${1#-f=}; shift;; -f) f=$2; shift 2;; *) break;; esac; done
for p; do
  if [ -e "$A/inst/$p" ]; then v=$(cat "$A/inst/$p")
    printf '%s' "$f" | awk -v p="$p" -v v="$v" '{gsub(/[$][{]Package[}]/, p); gsub(/[$][{]Version[}]/, v); gsub(/[$][{]db:Status-Abbrev[}]/, "ii "); gsub(/[\\\\]t/, "\\t"); gsub(/[\\\\]n/, "\\n"); printf "%s", $0}'
  else echo "dpkg-query: no packages found matching $p" >&2; rc=1; fi
done; exit $rc`,
  );
  fakeCommand(
    `${d}/bin`,
    "apt-get",
    `A=${a}; echo "apt-get $*" >> "$A/log"; cmd=; pk=
while [ $# -gt 0 ]; do case $1 in -o) shift 2;; -*) shift;; update|install|remove) cmd=$1; shift;; *) pk="$pk $1"; shift;; esac; done
[ "$cmd" != update ] || exit 0
for p in $pk; do case $cmd in
  install) [ -e "$A/avail/$p" ] || { echo "E: Unable to locate package $p" >&2; exit 100; }; cp "$A/avail/$p" "$A/inst/$p";;
  remove) rm -f "$A/inst/$p";;
esac; done`,
  );
  fakeCommand(
    `${d}/bin`,
    "apt-cache",
    `A=${a}; cmd=$1; shift
case $cmd in
  show) [ -e "$A/avail/$1" ];;
  policy) for p; do [ -e "$A/avail/$p" ] || continue; echo "$p:"; echo "  Installed: $(cat "$A/inst/$p" 2>/dev/null || echo '(none)')"; echo "  Candidate: $(cat "$A/avail/$p")"; done;;
esac`,
  );
  return env;
}

/** A sysctl over live values in dir/sysctl/KEY (a key without a file does not exist). */
function fakeSysctl(d: string, live: Record<string, string>): Env {
  const env = binEnv(d);
  mkdirSync(`${d}/sysctl`, { recursive: true });
  mkdirSync(`${d}/etc/sysctl.d`, { recursive: true });
  for (const [k, v] of Object.entries(live)) writeFileSync(`${d}/sysctl/${k}`, `${v}\n`);
  fakeCommand(
    `${d}/bin`,
    "sysctl",
    `S=${d}/sysctl
case $1 in
  -n) [ -e "$S/$2" ] || { echo "sysctl: cannot stat /proc/sys/$2: No such file or directory" >&2; exit 255; }; cat "$S/$2";;
  -q) kv=$3; k=\${kv%%=*}; [ ! -e "$S/$k" ] || printf '%s\\n' "\${kv#*=}" > "$S/$k";;
esac`,
  );
  return env;
}

/**
 * A ufw over dir/ufw (rules: one `ufw show added` line each; active) and the rebased /etc/default/ufw;
 * `ufw status` prints the rules in its table form, which the SSH reachability check reads.
 */
function fakeUfw(d: string, state: { rules?: string[]; active?: boolean; input?: string; output?: string } = {}): Env {
  const env = binEnv(d);
  const s = `${d}/ufw`;
  mkdirSync(s, { recursive: true });
  mkdirSync(`${d}/etc/default`, { recursive: true });
  writeFileSync(`${s}/rules`, (state.rules ?? []).map((r) => `${r}\n`).join(""));
  if (state.active) writeFileSync(`${s}/active`, "");
  writeFileSync(
    `${d}/etc/default/ufw`,
    `IPV6=yes\nDEFAULT_INPUT_POLICY="${state.input ?? "DROP"}"\nDEFAULT_OUTPUT_POLICY="${state.output ?? "ACCEPT"}"\n`,
  );
  fakeCommand(
    `${d}/bin`,
    "ufw",
    `S=${s}; D=${d}/etc/default/ufw
case $1 in
  show) echo "Added user rules (see 'ufw status' for running firewall):"; if [ -s "$S/rules" ]; then cat "$S/rules"; else echo "(None)"; fi;;
  status) if [ -e "$S/active" ]; then echo "Status: active"; echo; echo "To                         Action      From"; echo "--                         ------      ----"
      awk '{ if ($3 == "from") { to = $8; if ($9 == "proto") to = to "/" $10; print to, toupper($2), $4 } else print $3, toupper($2), "Anywhere" }' "$S/rules"
    else echo "Status: inactive"; fi;;
  --force) case $2 in enable) touch "$S/active";; disable) rm -f "$S/active";; esac;;
  default) case $2 in deny) p=DROP;; reject) p=REJECT;; allow) p=ACCEPT;; esac
    case $3 in incoming) k=INPUT;; outgoing) k=OUTPUT;; esac
    sed -i "s/^DEFAULT_\${k}_POLICY=.*/DEFAULT_\${k}_POLICY=\\"$p\\"/" "$D";;
  delete) shift; grep -vxF -- "ufw $*" "$S/rules" > "$S/rules.t" || true; mv "$S/rules.t" "$S/rules";;
  allow|deny|reject|limit) echo "ufw $*" >> "$S/rules";;
  *) echo "fake ufw: $1?" >&2; exit 1;;
esac`,
  );
  return env;
}

/** A visudo whose -cf accepts a file whose every non-comment line holds ALL=. */
function fakeVisudo(d: string): Env {
  const env = binEnv(d);
  mkdirSync(`${d}/etc/sudoers.d`, { recursive: true });
  fakeCommand(
    `${d}/bin`,
    "visudo",
    `[ "$1" = -cf ] || exit 2; ! grep -v '^#' "$2" | grep -v 'ALL=' | grep -q . || { echo "$2: syntax error" >&2; exit 1; }`,
  );
  return env;
}

/** A crontab over dir/crontabs/USER (`crontab -l -u U`, `crontab -u U FILE`); `crontabs` is the state to start from. */
function fakeCrontab(d: string, crontabs: Record<string, string>): Env {
  const env = binEnv(d);
  rmSync(`${d}/crontabs`, { recursive: true, force: true });
  mkdirSync(`${d}/crontabs`, { recursive: true });
  for (const [u, text] of Object.entries(crontabs)) writeFileSync(`${d}/crontabs/${u}`, text);
  fakeCommand(
    `${d}/bin`,
    "crontab",
    `C=${d}/crontabs; l=; u=; f=
while [ $# -gt 0 ]; do case $1 in -l) l=1; shift;; -u) u=$2; shift 2;; *) f=$1; shift;; esac; done
if [ -n "$l" ]; then [ -e "$C/$u" ] || { echo "no crontab for $u" >&2; exit 1; }; cat "$C/$u"; else cp "$f" "$C/$u"; fi`,
  );
  return env;
}

const accounts = (d: string, passwd: string, group: string): Env => fakeAccounts(`${d}/accounts`, { passwd, group }, { stateful: true });
const BASE_GROUPS = "root:x:0:\nusers:x:100:\ndocker:x:998:\nstaff:x:50:\n";
const BASE_PASSWD = "root:x:0:0:root:/root:/bin/sh\n";

const CASES: Case[] = [
  {
    name: "file",
    exported: "file",
    op: (d) => ops.file(`${d}/f`, { content: "hello\n", mode: "0640" }),
    drift: (d) => writeFileSync(`${d}/f`, "old\n", { mode: 0o644 }),
  },
  {
    name: "directory",
    exported: "directory",
    op: (d) => ops.directory(`${d}/sub`, { mode: "0750" }),
    drift: (d) => mkdirSync(`${d}/sub`, { mode: 0o755 }),
  },
  {
    name: "link",
    exported: "link",
    op: (d) => ops.link(`${d}/l`, { target: "/etc/hostname" }),
    drift: (d) => symlinkSync("/etc/passwd", `${d}/l`),
  },
  { name: "absent", exported: "absent", op: (d) => ops.absent(`${d}/gone`), drift: (d) => writeFileSync(`${d}/gone`, "x") },
  { name: "copy", exported: "copy", op: (d) => ops.copy(`${d}/c`, { src }), drift: (d) => writeFileSync(`${d}/c`, "other\n") },
  {
    name: "template render",
    exported: "template",
    op: (d) => ops.template(`${d}/t`, { render: () => "rendered\n", mode: "0600" }),
    drift: (d) => writeFileSync(`${d}/t`, "rendered\n", { mode: 0o644 }),
  },
  {
    name: "template src",
    exported: "template",
    op: (d) => ops.template(`${d}/motd`, { src: path.join(root, "motd.tmpl"), vars: { host: "web1" } }),
    drift: (d) => writeFileSync(`${d}/motd`, "Welcome to web0\n"),
  },
  {
    name: "template jinja2",
    exported: "template",
    op: (d) => ops.template(`${d}/users`, { src: path.join(root, "motd.j2"), vars: { users: ["ann", "bo"] } }),
    drift: (d) => writeFileSync(`${d}/users`, "ANN\n"),
  },
  {
    name: "line_in_file",
    exported: "lineInFile",
    op: (d) => ops.lineInFile(`${d}/conf`, { regexp: "^#?Port ", line: "Port 2222", create: true }),
    drift: (d) => writeFileSync(`${d}/conf`, "#Port 22\nUsePAM yes\n"),
  },
  {
    name: "line_in_file absent",
    exported: "lineInFile",
    op: (d) => ops.lineInFile(`${d}/conf`, { regexp: "^Debug", state: "absent" }),
    drift: (d) => writeFileSync(`${d}/conf`, "Debug yes\nA b\nDebug no\n"),
  },
  {
    name: "block_in_file",
    exported: "blockInFile",
    op: (d) => ops.blockInFile(`${d}/hosts`, { block: "10.0.0.1 db\n10.0.0.2 cache", create: true }),
    drift: (d) => writeFileSync(`${d}/hosts`, "127.0.0.1 localhost\n"),
  },
  {
    name: "validated_file on a temp file (%s)",
    exported: "validatedFile",
    op: (d) => ops.validatedFile(`${d}/v.conf`, { content: "ok = 1\n", mode: "0640", validate: "grep -q '^ok' %s" }),
    drift: (d) => writeFileSync(`${d}/v.conf`, "ok = 0\n", { mode: 0o644 }),
  },
  {
    name: "validated_file in place",
    exported: "validatedFile",
    op: (d) => ops.validatedFile(`${d}/w.conf`, { content: "ok = 1\n", validate: `grep -q '^ok' ${d}/w.conf` }),
    drift: (d) => writeFileSync(`${d}/w.conf`, "ok = 0\n"),
  },
  {
    name: "command with creates",
    exported: "command",
    op: (d) => ops.command(`echo made > ${d}/made`, { name: "make", creates: `${d}/made` }),
    drift: (d) => writeFileSync(`${d}/unrelated`, ""),
  },
  {
    name: "command with removes",
    exported: "command",
    op: (d) => ops.command(`rm ${d}/stale`, { name: "clean", removes: `${d}/stale` }),
    drift: (d) => writeFileSync(`${d}/stale`, ""),
  },
  {
    name: "command with unless",
    exported: "command",
    op: (d) => ops.command(`echo on >> ${d}/flag`, { name: "flag", unless: `grep -qx on ${d}/flag` }),
    drift: (d) => writeFileSync(`${d}/flag`, "off\n"),
  },
  {
    name: "host_secret",
    exported: "hostSecret",
    op: (d) => ops.hostSecret("token", { path: `${d}/key/token`, create: "echo s3cret-value", vault: { file: "v.yml.vault", key: "tok" } }),
    drift: (d) => {
      mkdirSync(`${d}/key`, { recursive: true });
      writeFileSync(`${d}/key/token`, "older", { mode: 0o644 });
    },
  },
  { name: "command without guards", exported: "command", op: (d) => ops.command(`echo run >> ${d}/runs`), always: true },
  {
    name: "command, changed: false (read-only: never a change)",
    exported: "command",
    op: (d) => ops.command(`ls ${d} > /dev/null`, { changed: false }),
  },
  { name: "flush_handlers", exported: "flushHandlers", op: () => ops.flushHandlers() },
  {
    name: "download",
    exported: "download",
    op: (d) => ops.download(`${d}/tool`, { url: `${server?.url}/tool.bin`, sha256: servedSha, mode: "0755" }),
    drift: (d) => writeFileSync(`${d}/tool`, "older tool\n", { mode: 0o644 }),
  },
  {
    name: "unarchive tar.gz",
    exported: "unarchive",
    op: (d) => ops.unarchive(`${d}/out`, { src: path.join(root, "tree.tar.gz") }),
    drift: (d) => {
      mkdirSync(`${d}/out`);
      writeFileSync(`${d}/out/.bosun-archive-tree.tar.gz.sha256`, `${"0".repeat(64)}\n`);
    },
  },
  {
    name: "unarchive tar with creates",
    exported: "unarchive",
    op: (d) => ops.unarchive(`${d}/out`, { src: path.join(root, "tree.tar"), creates: `${d}/out/etc/app.conf` }),
    drift: (d) => {
      // Extracted once, then the file it creates was removed.
      mkdirSync(`${d}/out`);
      execFileSync("tar", ["-xf", path.join(root, "tree.tar"), "-C", `${d}/out`]);
      rmSync(`${d}/out/etc/app.conf`);
    },
  },
  { name: "git branch", exported: "git", op: (d) => ops.git(`${d}/clone`, { repo, ref: "main" }), drift: (d) => oldClone(`${d}/clone`) },
  {
    name: "git tag",
    exported: "git",
    op: (d) => ops.git(`${d}/clone`, { repo, ref: "v1" }),
    drift: (d) => execFileSync("git", ["clone", "-q", repo, `${d}/clone`]),
  },
  {
    name: "git annotated tag",
    exported: "git",
    op: (d) => ops.git(`${d}/clone`, { repo, ref: "v2" }),
    drift: (d) => oldClone(`${d}/clone`),
  },
  {
    name: "git force over local modifications",
    exported: "git",
    op: (d) => ops.git(`${d}/clone`, { repo, ref: "main", force: true }),
    drift: (d) => {
      execFileSync("git", ["clone", "-q", repo, `${d}/clone`]);
      writeFileSync(`${d}/clone/a`, "local edit\n");
    },
  },
  {
    name: "user",
    exported: "user",
    op: () => ops.user("deploy", { uid: 1500, group: "users", groups: ["docker"], shell: "/bin/bash", comment: "Deploy" }),
    setup: (d) => accounts(d, BASE_PASSWD, BASE_GROUPS),
    drift: (d) => {
      writeFileSync(`${d}/accounts/passwd`, `${BASE_PASSWD}deploy:x:1400:50:old:/home/deploy:/bin/sh\n`);
    },
  },
  {
    name: "user with exact groups",
    exported: "user",
    op: () => ops.user("deploy", { groups: ["docker"], append: false }),
    setup: (d) => accounts(d, BASE_PASSWD, BASE_GROUPS),
    drift: (d) => {
      writeFileSync(`${d}/accounts/passwd`, `${BASE_PASSWD}deploy:x:1400:100::/home/deploy:/bin/sh\n`);
      writeFileSync(`${d}/accounts/group`, BASE_GROUPS.replace("staff:x:50:", "staff:x:50:deploy"));
    },
  },
  {
    name: "user absent",
    exported: "user",
    op: () => ops.user("olduser", { state: "absent" }),
    setup: (d) => accounts(d, BASE_PASSWD, BASE_GROUPS),
    drift: (d) => writeFileSync(`${d}/accounts/passwd`, `${BASE_PASSWD}olduser:x:1400:100::/home/olduser:/bin/sh\n`),
  },
  {
    name: "group",
    exported: "group",
    op: () => ops.group("app", { gid: 1600 }),
    setup: (d) => accounts(d, BASE_PASSWD, BASE_GROUPS),
    drift: (d) => writeFileSync(`${d}/accounts/group`, `${BASE_GROUPS}app:x:1200:\n`),
  },
  {
    name: "group absent",
    exported: "group",
    op: () => ops.group("docker", { state: "absent" }),
    setup: (d) => accounts(d, BASE_PASSWD, BASE_GROUPS.replace("docker:x:998:\n", "")),
    drift: (d) => writeFileSync(`${d}/accounts/group`, BASE_GROUPS),
  },
  {
    name: "authorized_keys",
    exported: "authorizedKeys",
    op: () => ops.authorizedKeys("root", { keys: [ED] }),
    setup: (d) => {
      mkdirSync(`${d}/home`);
      return fakeAccounts(`${d}/accounts`, { passwd: `root:x:0:0:root:${d}/home:/bin/sh\n`, group: "root:x:0:\n" });
    },
    drift: (d) => {
      mkdirSync(`${d}/home/.ssh`, { mode: 0o755 });
      writeFileSync(`${d}/home/.ssh/authorized_keys`, `${OTHER}\n`, { mode: 0o644 });
    },
  },
  {
    name: "authorized_keys, key there, file mode wrong",
    exported: "authorizedKeys",
    op: () => ops.authorizedKeys("root", { keys: [ED] }),
    setup: (d) => {
      mkdirSync(`${d}/home`);
      return fakeAccounts(`${d}/accounts`, { passwd: `root:x:0:0:root:${d}/home:/bin/sh\n`, group: "root:x:0:\n" });
    },
    drift: (d) => {
      mkdirSync(`${d}/home/.ssh`, { mode: 0o700 });
      writeFileSync(`${d}/home/.ssh/authorized_keys`, `${ED}\n`, { mode: 0o644 });
    },
  },
  {
    name: "authorized_keys absent, user absent",
    exported: "authorizedKeys",
    op: () => ops.authorizedKeys("ghost", { keys: [OTHER], state: "absent" }),
    setup: (d) => fakeAccounts(`${d}/accounts`, { passwd: "root:x:0:0:root:/root:/bin/sh\n", group: "root:x:0:\n" }),
  },
  {
    name: "authorized_keys exclusive",
    exported: "authorizedKeys",
    op: () => ops.authorizedKeys("root", { keys: [ED], exclusive: true }),
    setup: (d) => {
      mkdirSync(`${d}/home`);
      return fakeAccounts(`${d}/accounts`, { passwd: `root:x:0:0:root:${d}/home:/bin/sh\n`, group: "root:x:0:\n" });
    },
    drift: (d) => {
      mkdirSync(`${d}/home/.ssh`, { mode: 0o700 });
      writeFileSync(`${d}/home/.ssh/authorized_keys`, `# keys\n${OTHER}\n${ED}\n`, { mode: 0o600 });
    },
  },
  {
    name: "authorized_keys absent",
    exported: "authorizedKeys",
    op: () => ops.authorizedKeys("root", { keys: [OTHER], state: "absent" }),
    setup: (d) => {
      mkdirSync(`${d}/home`);
      return fakeAccounts(`${d}/accounts`, { passwd: `root:x:0:0:root:${d}/home:/bin/sh\n`, group: "root:x:0:\n" });
    },
    drift: (d) => {
      mkdirSync(`${d}/home/.ssh`, { mode: 0o700 });
      writeFileSync(`${d}/home/.ssh/authorized_keys`, `${ED}\n${OTHER}\n`, { mode: 0o600 });
    },
  },
  {
    name: "service started and enabled",
    exported: "service",
    op: () => ops.service("app", { state: "started", enabled: true }),
    setup: (d) => fakeSystemctl(d, ["app.service"]),
    drift: (d) => {
      writeFileSync(`${d}/systemd/reload-needed`, "");
      writeFileSync(`${d}/systemd/app.service.enabled`, "disabled\n");
    },
  },
  {
    name: "service stopped and disabled",
    exported: "service",
    op: () => ops.service("app", { state: "stopped", enabled: false }),
    setup: (d) => fakeSystemctl(d, ["app.service"]),
    drift: (d) => {
      writeFileSync(`${d}/systemd/app.service.active`, "");
      writeFileSync(`${d}/systemd/app.service.enabled`, "enabled\n");
    },
  },
  {
    name: "service enabled",
    exported: "service",
    op: () => ops.service("app", { enabled: true }),
    setup: (d) => fakeSystemctl(d, ["app.service"]),
    drift: (d) => writeFileSync(`${d}/systemd/app.service.enabled`, "enabled-runtime\n"),
  },
  {
    name: "service enabled, static unit",
    exported: "service",
    op: () => ops.service("app", { enabled: true }),
    setup: (d) => {
      const env = fakeSystemctl(d, ["app.service"]);
      writeFileSync(`${d}/systemd/app.service.enabled`, "static\n");
      return env;
    },
  },
  {
    // A reloading unit is running (is-active says so): the drift that must be seen is one still starting.
    name: "service started, unit activating",
    exported: "service",
    op: () => ops.service("app", { state: "started" }),
    setup: (d) => fakeSystemctl(d, ["app.service"]),
    drift: (d) => writeFileSync(`${d}/systemd/app.service.active`, "activating"),
  },
  {
    name: "service stopped, unit activating",
    exported: "service",
    op: () => ops.service("app", { state: "stopped" }),
    setup: (d) => fakeSystemctl(d, ["app.service"]),
    drift: (d) => writeFileSync(`${d}/systemd/app.service.active`, "activating"),
  },
  {
    name: "service restarted",
    exported: "service",
    op: () => ops.service("app", { state: "restarted" }),
    setup: (d) => fakeSystemctl(d, ["app.service"]),
    always: true,
  },
  {
    name: "systemd_unit",
    exported: "systemdUnit",
    op: () => ops.systemdUnit("app", { content: "[Service]\nExecStart=/bin/true\n" }),
    rebase: ["/etc/systemd/system"],
    setup: (d) => {
      mkdirSync(`${d}/etc/systemd/system`, { recursive: true });
      return fakeSystemctl(d, []);
    },
    drift: (d) => writeFileSync(`${d}/etc/systemd/system/app.service`, "[Service]\nExecStart=/bin/false\n"),
  },
  {
    name: "apt present",
    exported: "apt",
    op: () => ops.apt(["nginx", "curl"]),
    rebase: ["/var/lib/apt/lists"],
    setup: (d) => fakeApt(d, { nginx: "1.22", curl: "7.88" }),
    drift: (d) => writeFileSync(`${d}/apt/inst/curl`, "7.88\n"),
  },
  {
    name: "apt absent",
    exported: "apt",
    op: () => ops.apt("telnet", { state: "absent" }),
    rebase: ["/var/lib/apt/lists"],
    setup: (d) => fakeApt(d, { telnet: "0.17" }),
    drift: (d) => writeFileSync(`${d}/apt/inst/telnet`, "0.17\n"),
  },
  {
    name: "apt latest",
    exported: "apt",
    op: () => ops.apt(["nginx"], { state: "latest" }),
    rebase: ["/var/lib/apt/lists"],
    setup: (d) => fakeApt(d, { nginx: "1.24" }),
    drift: (d) => writeFileSync(`${d}/apt/inst/nginx`, "1.22\n"),
  },
  {
    name: "apt_key armored",
    exported: "aptKey",
    op: () => ops.aptKey("vendor", { key: ARMORED }),
    rebase: ["/etc/apt/", "/var/lib/apt/lists"],
    setup: dirs("/var/lib/apt/lists"),
    drift: (d) => {
      mkdirSync(`${d}/etc/apt/keyrings`, { recursive: true });
      writeFileSync(`${d}/etc/apt/keyrings/vendor.asc`, "old key\n", { mode: 0o600 });
    },
  },
  {
    name: "apt_key binary",
    exported: "aptKey",
    op: () => ops.aptKey("vendor", { key: BINARY }),
    rebase: ["/etc/apt/", "/var/lib/apt/lists"],
    setup: dirs("/var/lib/apt/lists"),
    drift: (d) => {
      mkdirSync(`${d}/etc/apt/keyrings`, { recursive: true });
      writeFileSync(`${d}/etc/apt/keyrings/vendor.gpg`, "old key\n");
    },
  },
  {
    name: "apt_key absent",
    exported: "aptKey",
    op: () => ops.aptKey("vendor", { state: "absent" }),
    rebase: ["/etc/apt/", "/var/lib/apt/lists"],
    setup: dirs("/var/lib/apt/lists", "/etc/apt/keyrings"),
    drift: (d) => {
      writeFileSync(`${d}/etc/apt/keyrings/vendor.asc`, ARMORED);
      writeFileSync(`${d}/etc/apt/keyrings/vendor.gpg`, BINARY);
    },
  },
  {
    name: "apt_repository",
    exported: "aptRepository",
    op: () =>
      ops.aptRepository("vendor", {
        uri: "https://example.invalid/debian",
        suite: "bookworm",
        components: ["main"],
        signedBy: "/etc/apt/keyrings/vendor.asc",
      }),
    rebase: ["/etc/apt/sources.list.d", "/var/lib/apt/lists"],
    setup: dirs("/var/lib/apt/lists"),
    drift: (d) => {
      mkdirSync(`${d}/etc/apt/sources.list.d`, { recursive: true });
      writeFileSync(
        `${d}/etc/apt/sources.list.d/vendor.sources`,
        "Types: deb\nURIs: http://old.invalid\nSuites: bullseye\nComponents: main\n",
      );
    },
  },
  {
    name: "apt_repository absent",
    exported: "aptRepository",
    op: () => ops.aptRepository("vendor", { state: "absent" }),
    rebase: ["/etc/apt/sources.list.d", "/var/lib/apt/lists"],
    setup: dirs("/var/lib/apt/lists", "/etc/apt/sources.list.d"),
    drift: (d) => writeFileSync(`${d}/etc/apt/sources.list.d/vendor.sources`, "Types: deb\n"),
  },
  {
    name: "sysctl",
    exported: "sysctl",
    op: () => ops.sysctl("net.ipv4.ip_forward", 1),
    rebase: ["/etc/sysctl.d"],
    setup: (d) => fakeSysctl(d, { "net.ipv4.ip_forward": "0" }),
    drift: (d) => writeFileSync(`${d}/etc/sysctl.d/99-bosun-net.ipv4.ip_forward.conf`, "net.ipv4.ip_forward = 0\n"),
  },
  {
    name: "sysctl multi-word value, live already right",
    exported: "sysctl",
    op: () => ops.sysctl("net.ipv4.ip_local_port_range", "32768 60999"),
    rebase: ["/etc/sysctl.d"],
    setup: (d) => fakeSysctl(d, { "net.ipv4.ip_local_port_range": "32768\t60999" }),
    drift: (d) => writeFileSync(`${d}/sysctl/net.ipv4.ip_local_port_range`, "1024\t65000\n"),
  },
  {
    name: "timezone",
    exported: "timezone",
    op: () => ops.timezone("Europe/Paris"),
    rebase: ["/etc/localtime", "/etc/timezone"],
    setup: dirs("/etc"),
    drift: (d) => {
      symlinkSync("/usr/share/zoneinfo/UTC", `${d}/etc/localtime`);
      writeFileSync(`${d}/etc/timezone`, "UTC\n");
    },
  },
  {
    name: "hostname",
    exported: "hostname",
    op: () => ops.hostname("web1.example.com"),
    rebase: ["/etc/hostname", "/etc/hosts", "/proc/sys/kernel/hostname"],
    setup: (d) => {
      const env = binEnv(d);
      mkdirSync(`${d}/etc`, { recursive: true });
      mkdirSync(`${d}/proc/sys/kernel`, { recursive: true });
      writeFileSync(`${d}/proc/sys/kernel/hostname`, "localhost\n");
      fakeCommand(`${d}/bin`, "hostname", `printf '%s\\n' "$1" > ${d}/proc/sys/kernel/hostname`);
      return env;
    },
    drift: (d) => {
      writeFileSync(`${d}/etc/hostname`, "old\n");
      writeFileSync(`${d}/etc/hosts`, "127.0.0.1\tlocalhost\n127.0.1.1\told\n");
    },
  },
  {
    name: "cron",
    exported: "cron",
    op: () => ops.cron("backup", { schedule: "15 3 * * *", command: "/usr/local/bin/backup", user: "backup" }),
    rebase: ["/etc/cron.d"],
    setup: dirs("/etc/cron.d"),
    drift: (d) => writeFileSync(`${d}/etc/cron.d/backup`, "0 1 * * * root /old\n", { mode: 0o600 }),
  },
  {
    name: "cron absent",
    exported: "cron",
    op: () => ops.cron("backup", { state: "absent", schedule: "@daily", command: "true" }),
    rebase: ["/etc/cron.d"],
    setup: dirs("/etc/cron.d"),
    drift: (d) => writeFileSync(`${d}/etc/cron.d/backup`, "@daily root true\n"),
  },
  {
    name: "crontab job",
    exported: "crontab",
    op: () => ops.crontab("backup", { user: "root", schedule: "15 3 * * *", job: "/usr/local/bin/backup" }),
    setup: (d) => fakeCrontab(d, { root: "MAILTO=ops\n#Ansible: other\n@daily true\n" }),
    drift: (d) => fakeCrontab(d, { root: "#Ansible: backup\n0 1 * * * /old\n#Ansible: other\n@daily true" }),
  },
  {
    name: "crontab job disabled, in no crontab yet",
    exported: "crontab",
    op: () => ops.crontab("sync", { schedule: "@hourly", job: "sync", disabled: true }),
    setup: (d) => fakeCrontab(d, {}),
    drift: (d) => fakeCrontab(d, { root: "@hourly sync\n" }),
  },
  {
    name: "crontab job absent",
    exported: "crontab",
    op: () => ops.crontab("backup", { state: "absent" }),
    setup: (d) => fakeCrontab(d, { root: "@daily true\n" }),
    drift: (d) => fakeCrontab(d, { root: "#Ansible: backup\n0 1 * * * /old\n@daily true\n" }),
  },
  {
    name: "crontab variable",
    exported: "crontabEnv",
    op: () => ops.crontabEnv("MAILTO", { value: "ops@example.com" }),
    setup: (d) => fakeCrontab(d, { root: "#Ansible: x\n@daily true\n" }),
    drift: (d) => fakeCrontab(d, { root: 'MAILTO="root"\n#Ansible: x\n@daily true\n' }),
  },
  {
    name: "crontab variable absent",
    exported: "crontabEnv",
    op: () => ops.crontabEnv("MAILTO", { state: "absent" }),
    setup: (d) => fakeCrontab(d, {}),
    drift: (d) => fakeCrontab(d, { root: 'MAILTO="root"\n@daily true\n' }),
  },
  {
    name: "touch (times set to now: a change each run)",
    exported: "touch",
    op: (d) => ops.touch(`${d}/stamp`, { mode: "0640" }),
    always: true,
  },
  {
    name: "touch preserving times",
    exported: "touch",
    op: (d) => ops.touch(`${d}/stamp`, { mode: "0640", modificationTime: "preserve", accessTime: "preserve" }),
    drift: (d) => writeFileSync(`${d}/stamp`, "kept\n", { mode: 0o644 }),
  },
  {
    name: "http_check (a check: never a change)",
    exported: "httpCheck",
    op: () => ops.httpCheck(`${server?.url}/tool.bin`, { contains: ["served bytes"], retries: 1, delay: 0 }),
  },
  {
    name: "sudoers",
    exported: "sudoers",
    op: () => ops.sudoers("deploy", { content: "deploy ALL=(root) NOPASSWD: /usr/bin/systemctl restart app" }),
    rebase: ["/etc/sudoers.d"],
    setup: fakeVisudo,
    drift: (d) => writeFileSync(`${d}/etc/sudoers.d/deploy`, "deploy ALL=(ALL) ALL\n", { mode: 0o644 }),
  },
  {
    name: "sudoers absent",
    exported: "sudoers",
    op: () => ops.sudoers("deploy", { state: "absent" }),
    rebase: ["/etc/sudoers.d"],
    setup: fakeVisudo,
    drift: (d) => writeFileSync(`${d}/etc/sudoers.d/deploy`, "deploy ALL=(ALL) ALL\n"),
  },
  {
    name: "ufw enabled",
    exported: "ufw",
    op: () =>
      ops.ufw({
        rules: [
          { port: 22, proto: "tcp" },
          { port: 9100, proto: "tcp", from: "10.0.0.0/8" },
        ],
      }),
    rebase: ["/etc/default/ufw"],
    setup: (d) => fakeUfw(d, { input: "ACCEPT" }),
    drift: (d) => fakeUfw(d, { rules: ["ufw allow 22/tcp", "ufw allow 8080"], active: true, input: "DROP", output: "DROP" }),
  },
  {
    // Unquoted policies are read as quoted ones (the fact and the apply agree); a wrong one is drift.
    name: "ufw, policies written unquoted",
    exported: "ufw",
    op: () => ops.ufw({ rules: [{ port: 22, proto: "tcp" }] }),
    rebase: ["/etc/default/ufw"],
    setup: (d) => fakeUfw(d, { rules: ["ufw allow 22/tcp"], active: true }),
    drift: (d) => writeFileSync(`${d}/etc/default/ufw`, "DEFAULT_INPUT_POLICY=ACCEPT\nDEFAULT_OUTPUT_POLICY=ACCEPT\n"),
  },
  {
    name: "ufw disabled",
    exported: "ufw",
    op: () => ops.ufw({ rules: [{ port: 22, proto: "tcp" }], state: "disabled" }),
    rebase: ["/etc/default/ufw"],
    setup: (d) => fakeUfw(d, { rules: ["ufw allow 22/tcp"] }),
    drift: (d) => fakeUfw(d, { rules: ["ufw allow 22/tcp"], active: true }),
  },
];

/**
 * Exports of src/ops/index.ts that are operations but cannot be checked here, each with the reason.
 * Keep it empty when possible: every op above runs locally (download against a local HTTP server,
 * git against a local repository, system tools as stand-ins).
 */
const EXEMPT: Partial<Record<keyof typeof ops, string>> = {};

/** Exports of src/ops/index.ts that are not operations (they declare nothing), with what they are. */
const NOT_OPERATIONS: Partial<Record<keyof typeof ops, string>> = {
  sensitive: "marks content as secret (a value, not an op)",
  jinja: "renders a Jinja2 string (a value)",
  jinjaContent: "renders Jinja2 to op content (a value)",
  jinjaTest: "evaluates a Jinja2 test (a value)",
  jinjaValue: "evaluates a Jinja2 expression (a value)",
  ansibleVars: "builds Ansible-style template vars (a value)",
  renderTemplate: "renders a {{ }} template string (a value)",
  ufwRuleText: "formats a ufw rule (a value)",
};

let n = 0;
/** Checks the contract from the state prepare() leaves: plan "changes" ⇔ apply changed; twice ⇒ no-op. */
function checkContract(c: Case, drifted: boolean): void {
  const dir = path.join(root, `${c.name.replace(/\W/g, "-")}-${++n}`);
  mkdirSync(dir);
  const env = c.setup?.(dir) ?? {};
  if (drifted) c.drift?.(dir);
  const declare = () => {
    const op = declared(() => c.op(dir));
    return c.rebase ? rebasedWithFacts(op, dir, c.rebase) : op;
  };
  const op = declare();
  const plan = planHere(op, env);
  const first = applyHere(op, env);
  assert.notEqual(first.status, "failed", `${c.name}: ${first.output}`);
  // A drifted state differs from what the op wants by construction: a plan that sees nothing to do there is blind.
  if (drifted) assert.equal(plan.changed, true, `${c.name}: the plan sees no drift (${plan.summary})`);
  assert.equal(
    plan.changed,
    first.status === "changed",
    `${c.name}: plan said changed=${plan.changed} (${plan.summary}), apply said ${first.status}`,
  );
  const again = declare();
  const plan2 = planHere(again, env);
  const second = applyHere(again, env);
  assert.notEqual(second.status, "failed", `${c.name}: second apply: ${second.output}`);
  if (c.always) {
    assert.equal(plan.changed, true, `${c.name}: an action plans a change on every run`);
    assert.equal(plan2.changed, second.status === "changed", `${c.name}: second plan ${plan2.changed}, second apply ${second.status}`);
    return;
  }
  assert.equal(plan2.changed, false, `${c.name}: a plan after the apply still wants changes (${plan2.summary})`);
  assert.equal(second.status, "ok", `${c.name}: a second apply changed something`);
}

describe("the operation contract (plan ⇔ apply, apply twice ⇒ no-op)", () => {
  for (const c of CASES) {
    const todo = (from: "fresh" | "drifted") => (c.knownBug?.from === from ? `BUG: ${c.knownBug.bug}` : undefined);
    it(`${c.name}: from a fresh state`, { todo: todo("fresh") }, () => checkContract(c, false));
    if (c.drift) it(`${c.name}: from a drifted state`, { todo: todo("drifted") }, () => checkContract(c, true));
  }
});

describe("the contract covers every operation", () => {
  const exported = Object.entries(ops)
    .filter(([, v]) => typeof v === "function")
    .map(([k]) => k);

  it("every function exported by src/ops/index.ts is in CASES, EXEMPT (with a reason) or NOT_OPERATIONS", () => {
    const covered = new Set<string>(CASES.map((c) => c.exported));
    const missing = exported.filter((k) => !covered.has(k) && !(k in EXEMPT) && !(k in NOT_OPERATIONS));
    assert.deepEqual(missing, [], `ops with no contract case and no exemption: ${missing.join(", ")}`);
  });

  it("EXEMPT and NOT_OPERATIONS name real exports, give reasons, and do not overlap the cases", () => {
    const covered = new Set<string>(CASES.map((c) => c.exported));
    for (const [k, why] of [...Object.entries(EXEMPT), ...Object.entries(NOT_OPERATIONS)]) {
      assert.ok(exported.includes(k), `${k} is not exported by src/ops/index.ts`);
      assert.ok(typeof why === "string" && why.length > 0, `${k} has no reason`);
      assert.ok(!covered.has(k), `${k} has contract cases: take it off the list`);
      assert.ok(!(k in EXEMPT && k in NOT_OPERATIONS), `${k} is on both lists`);
    }
  });
});
