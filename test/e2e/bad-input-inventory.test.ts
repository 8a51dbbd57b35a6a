/**
 * The CLI under bad inventories and patterns: each case ends with its exit code and one line
 * naming the file:line or the term as written, with no stack trace, and no ssh was ever started
 * (a fake `ssh` first on PATH records any call). Needs the built CLI (npm run build); no lab host.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(ROOT, "bin", "bosun.js");
let dir = "";
let sshLog = "";

interface Row {
  name: string;
  args: (d: string) => string[];
  code: number;
  /** What stderr's single line must contain (the file:line, key or term as written). */
  says: (d: string) => string;
}

const FILES: Record<string, string> = {
  "ok.ini": "[web]\nweb1 ansible_host=127.0.0.1\nweb2 ansible_host=127.0.0.1\n[db]\ndb1 ansible_host=127.0.0.1\n",
  "port.ini": "[web]\nweb1 ansible_port=abc\n",
  "inject.ini": '[web]\nweb1 ansible_host="-oProxyCommand=touch /tmp/bosun-pwned"\n',
  "dash-name.ini": "-oProxyCommand=id\n",
  "telnet.yml": "all:\n  vars:\n    ansible_connection: telnet\n  hosts:\n    web1:\n",
  "huge-range.ini": "[web]\nweb[1:1000000000]\n",
  "open-range.ini": "[web]\nweb[01:]\n",
  "comment.ini": "[web] # the web tier\nweb1 ansible_host=127.0.0.1 # first\n",
  "deep.ini": `${Array.from({ length: 5000 }, (_, i) => `[g${i}:children]\ng${i + 1}\n`).join("")}[g5000]\ndeep ansible_host=127.0.0.1\n`,
};

const ROWS: Row[] = [
  {
    name: "a port that is not a number",
    args: (d) => ["exec", "all", "-i", `${d}/port.ini`, "--", "true"],
    code: 1,
    says: (d) => `${d}/port.ini:2: ansible_port of host "web1"`,
  },
  {
    name: "an address that would be an ssh option",
    args: (d) => ["exec", "all", "-i", `${d}/inject.ini`, "--", "true"],
    code: 1,
    says: (d) => `${d}/inject.ini:2: ansible_host of host "web1" must not start with "-"`,
  },
  {
    name: "a host name that would be an ssh option",
    args: (d) => ["exec", "all", "-i", `${d}/dash-name.ini`, "--", "true"],
    code: 1,
    says: (d) => `${d}/dash-name.ini:1: host name "-oProxyCommand=id"`,
  },
  {
    name: "an unknown connection type",
    args: (d) => ["exec", "all", "-i", `${d}/telnet.yml`, "--", "true"],
    code: 1,
    says: (d) => `${d}/telnet.yml:3: ansible_connection of group "all"`,
  },
  {
    name: "a billion-host range",
    args: (d) => ["exec", "all", "-i", `${d}/huge-range.ini`, "--", "true"],
    code: 1,
    says: (d) => `${d}/huge-range.ini:2: host range "web[1:1000000000]" expands to more than`,
  },
  {
    name: "an open range",
    args: (d) => ["exec", "all", "-i", `${d}/open-range.ini`, "--", "true"],
    code: 1,
    says: (d) => `${d}/open-range.ini:2: bad host range "[01:]"`,
  },
  { name: "a directory as inventory", args: (d) => ["exec", "all", "-i", d, "--", "true"], code: 1, says: (d) => `${d}: is a directory` },
  { name: "an empty pattern", args: (d) => ["exec", "", "-i", `${d}/ok.ini`, "--", "true"], code: 64, says: () => "empty host pattern" },
  {
    name: "an empty --limit with --list-hosts",
    args: (d) => ["exec", "all", "-l", "", "-i", `${d}/ok.ini`, "--list-hosts", "--", "true"],
    code: 64,
    says: () => "empty host pattern",
  },
  {
    name: "a mistyped exclusion",
    args: (d) => ["exec", "all:!dbb", "-i", `${d}/ok.ini`, "--", "true"],
    code: 64,
    says: () => 'host pattern term "dbb" matches no host and no group',
  },
  {
    name: "a subscript past the end",
    args: (d) => ["exec", "web[5]", "-i", `${d}/ok.ini`, "--", "true"],
    code: 64,
    says: () => 'subscripted pattern "web[5]"',
  },
  {
    name: "a -e port that is not a number",
    args: (d) => ["exec", "web1", "-i", `${d}/ok.ini`, "-e", "ansible_port=abc", "--", "true"],
    code: 1,
    says: () => 'host "web1": ansible_port must be a port number',
  },
  {
    name: "a -e address that would be an ssh option",
    args: (d) => ["exec", "web1", "-i", `${d}/ok.ini`, "-e", "ansible_host=-oProxyCommand=id", "--", "true"],
    code: 1,
    says: () => 'host "web1": ansible_host must not start with "-"',
  },
];

before(() => {
  assert.ok(existsSync(path.join(ROOT, "dist", "src", "cli", "main.js")), "build the CLI first: npm run build");
  dir = mkdtempSync(path.join(os.tmpdir(), "bosun-bad-inv-"));
  for (const [name, text] of Object.entries(FILES)) writeFileSync(path.join(dir, name), text);
  mkdirSync(path.join(dir, "bin"));
  sshLog = path.join(dir, "ssh-calls.log");
  // Any ssh the CLI starts records its arguments and fails.
  writeFileSync(path.join(dir, "bin", "ssh"), `#!/bin/sh\necho "$@" >> ${JSON.stringify(sshLog)}\nexit 255\n`);
  chmodSync(path.join(dir, "bin", "ssh"), 0o755);
});

after(() => rmSync(dir, { recursive: true, force: true }));

function bosun(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, HOME: dir, BOSUN_STATE_DIR: path.join(dir, "state") },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the CLI refuses bad inventories and patterns before any connection", () => {
  for (const row of ROWS) {
    it(row.name, () => {
      rmSync(sshLog, { force: true });
      const r = bosun(row.args(dir));
      assert.equal(r.code, row.code, r.stderr);
      const lines = r.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0]?.startsWith("bosun: ") && lines[0].includes(row.says(dir)), r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at |TypeError|RangeError|ReferenceError/);
      assert.equal(existsSync(sshLog), false, "ssh was started");
      assert.equal(existsSync("/tmp/bosun-pwned"), false);
    });
  }

  it("lists the hosts of an INI file with comments after headers and host lines, without ssh", () => {
    const r = bosun(["exec", "web", "-i", `${dir}/comment.ini`, "--list-hosts", "--", "true"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "  hosts (1):\n    web1\n");
    assert.equal(existsSync(sshLog), false);
  });

  it("walks 5,000 nested :children groups and lists the host at the bottom, without ssh", () => {
    const r = bosun(["exec", "g0", "-i", `${dir}/deep.ini`, "--list-hosts", "--", "true"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "  hosts (1):\n    deep\n");
    assert.equal(existsSync(sshLog), false);
  });

  it("lists each play's hosts and serial batches for plan and apply, in Ansible's order, without ssh", () => {
    // A site imports "bosun": inside the checkout it resolves to this copy.
    mkdirSync(path.join(ROOT, "tmp"), { recursive: true });
    const siteDir = mkdtempSync(path.join(ROOT, "tmp", "e2e-list-hosts-"));
    try {
      const site = path.join(siteDir, "site.ts");
      writeFileSync(
        site,
        'import { deploy } from "bosun";\nexport default deploy("demo", [{ name: "webs", hosts: "db:web", serial: 2, roles: [] }]);\n',
      );
      for (const mode of ["plan", "apply"]) {
        rmSync(sshLog, { force: true });
        const r = bosun([mode, site, "-i", `${dir}/ok.ini`, "--list-hosts", "--json"]);
        assert.equal(r.code, 0, r.stderr);
        const listed = JSON.parse(r.stdout) as { plays: { hosts: string[]; batches: string[][] }[] };
        assert.deepEqual(listed.plays[0]?.hosts, ["db1", "web1", "web2"]);
        assert.deepEqual(listed.plays[0]?.batches, [["db1", "web1"], ["web2"]]);
        assert.equal(existsSync(sshLog), false);
      }
    } finally {
      rmSync(siteDir, { recursive: true, force: true });
    }
  });
});
