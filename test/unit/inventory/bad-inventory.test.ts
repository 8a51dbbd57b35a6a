/**
 * Bad inventories end in one clear line naming the file, the line and the key as the user wrote
 * it: never a stack trace, never raw control characters, never a host contacted (loading an
 * inventory has no transport; test/e2e/bad-input-inventory.test.ts checks the CLI with a fake ssh).
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { BosunError } from "../../../src/errors.js";
import { loadInventoryFile } from "../../../src/inventory/load.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const TYPED = JSON.stringify(path.join(ROOT, "src/inventory/typed.ts"));
let dir = "";

interface Row {
  name: string;
  file: string;
  text: string;
  /** The whole message after "FILE" (the file's path), so ":3: …" names the line. */
  error: string;
}

const ts = (body: string) => `import { inventory } from ${TYPED};\nexport default inventory(${body});\n`;
const laughs = (() => {
  const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i < 9; i++)
    levels.push(
      `l${i}: &l${i} [${Array(10)
        .fill(i === 1 ? "*a" : `*l${i - 1}`)
        .join(", ")}]`,
    );
  return `all:\n  vars:\n${levels.map((l) => `    ${l}`).join("\n")}\n  hosts:\n    h1:\n`;
})();

const ROWS: Row[] = [
  // Connection vars, named as written, at their line.
  {
    name: "ansible_port=abc on a host line",
    file: "a.ini",
    text: "[web]\nweb1 ansible_port=abc\n",
    error: ':2: ansible_port of host "web1" must be a port number 1-65535, found "abc"',
  },
  {
    name: "a port out of range",
    file: "a.ini",
    text: "web1 ansible_port=99999\n",
    error: ':1: ansible_port of host "web1" must be a port number 1-65535, found "99999"',
  },
  {
    name: "a bad port in [group:vars], at its own line",
    file: "a.ini",
    text: "[web]\nweb1\n\n[web:vars]\nntp=x\nansible_port=22x\n",
    error: ':6: ansible_port of group "web" must be a port number 1-65535, found "22x"',
  },
  {
    name: "an unknown connection type",
    file: "a.ini",
    text: "web1 ansible_connection=telnet\n",
    error: ':1: ansible_connection of host "web1" must be "ssh" or "local", found "telnet"',
  },
  {
    name: "an address ssh would read as an option",
    file: "a.ini",
    text: 'web1 ansible_host="-oProxyCommand=touch /tmp/x"\n',
    error: ':1: ansible_host of host "web1" must not start with "-" (ssh would read it as an option), found "-oProxyCommand=touch /tmp/x"',
  },
  {
    name: "a user ssh would read as an option",
    file: "a.ini",
    text: "web1 ansible_user=-oX=y\n",
    error: ':1: ansible_user of host "web1" must not start with "-" (ssh would read it as an option), found "-oX=y"',
  },
  {
    name: "a host name ssh would read as an option",
    file: "a.ini",
    text: "[web]\n-oProxyCommand=x\n",
    error: ':2: host name "-oProxyCommand=x" must not start with "-" (ssh would read it as an option)',
  },
  {
    name: "a jump host ssh would read as an option",
    file: "a.ini",
    text: "web1 bosun_ssh_jump=-Jevil\n",
    error: ':1: bosun_ssh_jump of host "web1" must not start with "-" (ssh would read it as an option), found "-Jevil"',
  },
  {
    name: "an identity file ssh would read as an option",
    file: "a.ini",
    text: "web1 ansible_ssh_private_key_file=-oX\n",
    error: ':1: ansible_ssh_private_key_file of host "web1" must not start with "-" (ssh would read it as an option), found "-oX"',
  },
  {
    name: "become that is not a boolean",
    file: "a.ini",
    text: "[all:vars]\nansible_become=maybe\n[web]\nw1\n",
    error: ':2: ansible_become of group "all" must be true or false, found "maybe"',
  },
  {
    name: "an address with a space",
    file: "a.ini",
    text: "web1 'ansible_host=10.0.0.1 -p2'\n",
    error: ':1: ansible_host of host "web1" must be a host name or an IP address, found "10.0.0.1 -p2"',
  },
  // Ranges.
  {
    name: "a range of a billion hosts",
    file: "a.ini",
    text: "[web]\nweb[1:1000000000]\n",
    error: ':2: host range "web[1:1000000000]" expands to more than 100000 hosts',
  },
  {
    name: "an open range web[01:]",
    file: "a.ini",
    text: "web[01:]\n",
    error: ':1: bad host range "[01:]" in "web[01:]": the range needs an end value',
  },
  {
    name: "a range with four bounds",
    file: "a.ini",
    text: "h[1:2:3:4]\n",
    error: ':1: bad host range "[1:2:3:4]" in "h[1:2:3:4]": expected [begin:end] or [begin:end:step]',
  },
  {
    name: "a padded begin with a shorter end",
    file: "a.ini",
    text: "host[001:10]\n",
    error: ':1: bad host range "[001:10]" in "host[001:10]": a zero-padded begin and the end must have equal length',
  },
  // INI structure.
  {
    name: "an unknown section type",
    file: "a.ini",
    text: "[g:foo]\nh\n",
    error: ':1: section "[g:foo]" has unknown type "foo" (expected :vars or :children)',
  },
  {
    name: "a section header with a space",
    file: "a.ini",
    text: "[a b]\nh\n",
    error: ':1: invalid section header "[a b]" (expected [group], [group:vars] or [group:children], no spaces)',
  },
  {
    name: "a host var without =",
    file: "a.ini",
    text: "[g]\nh1 x=1 novalue\n",
    error: ':2: expected key=value after host "h1", found "novalue"',
  },
  {
    name: "an unclosed quote",
    file: "a.ini",
    text: '[g]\nh1 a="oops\n',
    error: ':2: cannot read host line "h1 a=\\"oops": No closing quotation',
  },
  {
    name: "vars of a group declared nowhere",
    file: "a.ini",
    text: "[ghost:vars]\nx=1\n[g]\nh\n",
    error: ':1: [ghost:vars] is for group "ghost", which has no [ghost] or [ghost:children] section',
  },
  {
    name: "a child group declared nowhere",
    file: "a.ini",
    text: "[p:children]\nnobody\n[p]\nh\n",
    error: ':2: [p:children] names group "nobody", which has no section of its own',
  },
  {
    name: "a [g:vars] line with a colon",
    file: "a.ini",
    text: "[g]\nh\n[g:vars]\nkey: value\n",
    error: ':4: expected key=value in [g:vars], found "key: value"',
  },
  {
    name: "a host ending in a colon",
    file: "a.ini",
    text: "[g]\nhost:\n",
    error: ':2: host "host:" ends in ":" without a port (write host:port)',
  },
  {
    name: "a cycle of children",
    file: "a.ini",
    text: "[a:children]\nb\n[b:children]\na\n[a]\nh\n[b]\n",
    error: ":1: cycle in group children: a -> b -> a",
  },
  {
    name: "control characters quoted back escaped",
    file: "a.ini",
    text: "[web]\nweb1 \u001b[31mred\u0007\n",
    error: ':2: expected key=value after host "web1", found "\\x1b[31mred\\x07"',
  },
  // YAML.
  {
    name: "a bad port in YAML, at the key's line",
    file: "a.yml",
    text: "all:\n  hosts:\n    web1:\n      ansible_port: abc\n",
    error: ':4: ansible_port of host "web1" must be a port number 1-65535, found "abc"',
  },
  {
    name: "an unknown connection in YAML group vars",
    file: "a.yml",
    text: "web:\n  vars:\n    ansible_connection: telnet\n  hosts:\n    w1:\n",
    error: ':3: ansible_connection of group "web" must be "ssh" or "local", found "telnet"',
  },
  {
    name: "an integer host name",
    file: "a.yml",
    text: "all:\n  hosts:\n    1234:\n",
    error: ':3:5: host name "1234" must be a string: quote it',
  },
  {
    name: "hosts given as a list",
    file: "a.yml",
    text: "web:\n  hosts:\n    - w1\n",
    error: ':2:3: hosts of group "web" must be a mapping, found a list',
  },
  {
    name: "host vars given as text",
    file: "a.yml",
    text: "all:\n  hosts:\n    w1: some text\n",
    error: ':3:5: host "w1": expected a mapping of vars, found string "some text"',
  },
  {
    name: "a YAML billion laughs",
    file: "a.yml",
    text: laughs,
    error: ":5:13: cannot read value: Excessive alias count indicates a resource exhaustion attack",
  },
  {
    name: "an unknown alias",
    file: "a.yml",
    text: "all:\n  hosts:\n    w1: *nope\n",
    error: ":3:9: unknown alias *nope",
  },
  {
    name: "an open range in YAML",
    file: "a.yml",
    text: "all:\n  hosts:\n    web[01:]:\n",
    error: ':3:5: bad host range "[01:]" in "web[01:]": the range needs an end value',
  },
  { name: "an empty YAML file", file: "a.yml", text: "", error: ": empty YAML inventory" },
  {
    name: "bad YAML indentation",
    file: "a.yml",
    text: "all:\n  hosts:\n    w1:\n   bad: 1\n",
    error: ":3:8: bad YAML: All mapping items must start at the same column",
  },
  {
    name: "a control character in a YAML address",
    file: "a.yml",
    text: 'all:\n  hosts:\n    w1:\n      ansible_host: "a\\e[31m"\n',
    error: ':4: ansible_host of host "w1" must be a host name or an IP address, found "a\\x1b[31m"',
  },
  // TypeScript.
  {
    name: "a misspelt key in a TypeScript inventory",
    file: "a.ts",
    text: ts('{\n  hosts: {\n    web1: { adress: "10.0.0.1" },\n  },\n}'),
    error: ':4: hosts.web1: unknown key "adress" (expected address, user, port, vars)',
  },
  {
    name: "a null group in a TypeScript inventory",
    file: "a.ts",
    text: ts("{ groups: { web: null } } as never"),
    error: ":2: groups.web: expected an object, found null",
  },
  {
    name: "a TypeScript port that is text",
    file: "a.ts",
    text: ts('{ hosts: { web1: { port: "22" } } } as never'),
    error: ":2: hosts.web1.port: expected number, found string",
  },
  {
    name: "a TypeScript var with a bad port",
    file: "a.ts",
    text: ts('{ hosts: { web1: { vars: { ansible_port: "abc" } } } }'),
    error: ': ansible_port of host "web1" must be a port number 1-65535, found "abc"',
  },
];

before(() => {
  mkdirSync(path.join(ROOT, "tmp"), { recursive: true });
  dir = mkdtempSync(path.join(ROOT, "tmp", "unit-bad-inv-"));
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe("bad inventories end in one line naming file, line and key as written", () => {
  it("has at least 30 rows", () => assert.ok(ROWS.length >= 30));
  ROWS.forEach((row, i) => {
    it(row.name, async () => {
      const file = path.join(dir, `${i}-${row.file}`);
      writeFileSync(file, row.text);
      await assert.rejects(loadInventoryFile(file), (err: Error) => {
        assert.ok(err instanceof BosunError, `not a BosunError: ${err.stack}`);
        assert.equal(err.message, `${file}${row.error}`);
        assert.ok(!err.message.includes("\n"), "more than one line");
        assert.ok(!/[\u0000-\u001f\u007f]/.test(err.message), "raw control characters in the message");
        return true;
      });
    });
  });

  it("names a directory given as an inventory", async () => {
    await assert.rejects(loadInventoryFile(dir), { message: `${dir}: is a directory: -i takes one inventory file` });
  });

  it("names a device given as an inventory instead of reading it forever", async () => {
    await assert.rejects(loadInventoryFile("/dev/zero"), { message: "/dev/zero: is not a regular file" });
  });
});
