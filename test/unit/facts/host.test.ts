import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { hostFactsScript, splitSections } from "../../../src/engine/fact-script.js";
import { HOST_FACT_COMMANDS, parseIpAddr, parseOsRelease, parseHostFacts as parseSections } from "../../../src/facts/host.js";

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/facts");
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), "utf8");

/** Returns the host facts in the raw output of the facts script (as captured from hosts). */
const parseHostFacts = (output: string) => parseSections(splitSections(output));

describe("parseHostFacts on a lab container (debian12-nspawn)", () => {
  const f = parseHostFacts(fixture("debian12-nspawn.txt"));

  it("reads the hostname and fqdn", () => {
    assert.equal(f.hostname, "web1");
    assert.equal(f.fqdn, "web1");
  });

  it("reads the distribution from os-release", () => {
    assert.deepEqual(f.distribution, { id: "debian", name: "Debian GNU/Linux", version: "12", codename: "bookworm", like: [] });
  });

  it("reads the kernel, os and architecture from uname", () => {
    assert.equal(f.os, "Linux");
    assert.equal(f.kernel, "6.18.44-fc-v657");
    assert.equal(f.architecture, "x86_64");
  });

  it("reads the addresses without loopback", () => {
    assert.deepEqual(f.addresses, [
      { interface: "eth0", family: "inet", address: "198.18.0.10", prefix: 24 },
      { interface: "eth0", family: "inet6", address: "fe80::2455:daff:fe73:f9e0", prefix: 64 },
    ]);
  });

  it("reads systemd as the init system", () => {
    assert.equal(f.initSystem, "systemd");
  });

  it("reads apt-get as the package manager", () => {
    assert.equal(f.packageManager, "apt-get");
  });

  it("reads cpus, memory in MiB (rounded), uptime and the user", () => {
    assert.equal(f.cpus, 2);
    // 24684092 kB / 1024 = 24105.6; 24174676 kB / 1024 = 23608.1
    assert.deepEqual(f.memory, { totalMiB: 24106, availableMiB: 23608, swapMiB: 0 });
    assert.equal(f.uptimeSeconds, 3636.37);
    assert.deepEqual(f.user, { name: "root", uid: 0 });
  });
});

describe("parseHostFacts on a machine without systemd (debian12-machine)", () => {
  const f = parseHostFacts(fixture("debian12-machine.txt"));

  it("reads the hostname and distribution", () => {
    assert.equal(f.hostname, "vm");
    assert.equal(f.fqdn, "vm");
    assert.equal(f.distribution.id, "debian");
    assert.equal(f.distribution.codename, "bookworm");
  });

  it("reports PID 1's name as the init system when systemd is not booted", () => {
    assert.equal(f.initSystem, "process_api");
  });

  it("reads every non-loopback address, including link-local ones of bridge and veth interfaces", () => {
    assert.deepEqual(
      f.addresses.map((a) => `${a.interface} ${a.family} ${a.address}/${a.prefix}`),
      [
        "eth0 inet 192.0.2.2/24",
        "eth0 inet6 fd00::2/64",
        "eth0 inet6 fe80::fc:ff:fe00:1/64",
        "bosun0 inet 198.18.0.1/24",
        "bosun0 inet6 fe80::3011:52ff:fe06:6f93/64",
        "vb-web1 inet6 fe80::64c8:eaff:fe2f:53d9/64",
        "vb-web2 inet6 fe80::641a:b2ff:fec2:9133/64",
        "vb-db1 inet6 fe80::440d:9dff:fe9b:6d84/64",
      ],
    );
  });

  it("reads memory, uptime, package manager and user", () => {
    // 24177236 kB / 1024 = 23610.6
    assert.deepEqual(f.memory, { totalMiB: 24106, availableMiB: 23611, swapMiB: 0 });
    assert.equal(f.uptimeSeconds, 3636.41);
    assert.equal(f.packageManager, "apt-get");
    assert.deepEqual(f.user, { name: "root", uid: 0 });
  });
});

describe("parseHostFacts on partial output", () => {
  it("returns empty values for missing sections instead of throwing", () => {
    const f = parseHostFacts("");
    assert.equal(f.hostname, "");
    assert.equal(f.os, "");
    assert.equal(f.cpus, 0);
    assert.deepEqual(f.addresses, []);
    assert.equal(f.initSystem, "unknown");
    assert.equal(f.packageManager, undefined);
    assert.deepEqual(f.memory, { totalMiB: 0, availableMiB: 0, swapMiB: 0 });
    assert.equal(f.user.uid, -1);
  });

  it("recognises systemd from the booted marker even when PID 1 has another name", () => {
    const out = "@@bosun-ab init\ninit\nsystemd-booted\n@@bosun-ab-rc 0\n";
    assert.equal(parseHostFacts(out).initSystem, "systemd");
  });

  it("takes the first package manager found", () => {
    const out = "@@bosun-ab package_manager\ndnf\nyum\n@@bosun-ab-rc 0\n";
    assert.equal(parseHostFacts(out).packageManager, "dnf");
  });
});

describe("parseOsRelease", () => {
  it("reads unquoted, double-quoted and single-quoted values", () => {
    assert.deepEqual(parseOsRelease(`ID=debian\nNAME="Debian GNU/Linux"\nVARIANT='Server Edition'\n`), {
      ID: "debian",
      NAME: "Debian GNU/Linux",
      VARIANT: "Server Edition",
    });
  });

  it("unescapes backslash escapes inside quotes", () => {
    assert.equal(parseOsRelease(`PRETTY_NAME="My \\"Special\\" OS \\$1 \\\\ x"\n`).PRETTY_NAME, 'My "Special" OS $1 \\ x');
  });

  it("ignores comments, blank lines and lines that are not KEY=value", () => {
    assert.deepEqual(parseOsRelease('# comment\n\nnot a pair\nlower=x\nID_LIKE="rhel fedora"\n'), { ID_LIKE: "rhel fedora" });
  });

  it("keeps = signs inside values", () => {
    assert.equal(parseOsRelease("HOME_URL=https://example.com/?a=b\n").HOME_URL, "https://example.com/?a=b");
  });

  it("splits ID_LIKE into a list in host facts", () => {
    const out = '@@bosun-ab os_release\nID=ubuntu\nID_LIKE="debian linux"\n@@bosun-ab-rc 0\n';
    assert.deepEqual(parseHostFacts(out).distribution.like, ["debian", "linux"]);
  });
});

describe("parseIpAddr", () => {
  it("skips loopback and reads interface, family, address and prefix", () => {
    const text =
      "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n" +
      "2: eth0    inet 10.0.0.5/16 brd 10.0.255.255 scope global eth0\\       valid_lft forever preferred_lft forever\n";
    assert.deepEqual(parseIpAddr(text), [{ interface: "eth0", family: "inet", address: "10.0.0.5", prefix: 16 }]);
  });

  it("drops the @ifN peer suffix of veth interface names", () => {
    const text = "3: eth0@if7    inet 198.18.0.11/24 scope global eth0\\       valid_lft forever preferred_lft forever\n";
    assert.equal(parseIpAddr(text)[0]?.interface, "eth0");
  });

  it("ignores lines that are not address lines", () => {
    assert.deepEqual(parseIpAddr("garbage\n\n2: eth0    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n"), []);
  });
});

describe("hostFactsScript", () => {
  it("runs under sh and yields one section per fact command", () => {
    // Runs on this machine: only checks the framing, not the values.
    const out = execFileSync("sh", ["-c", hostFactsScript()], { encoding: "utf8" });
    const s = splitSections(out);
    assert.deepEqual(Object.keys(s).sort(), Object.keys(HOST_FACT_COMMANDS).sort());
    assert.equal(s.uname?.rc, 0);
    assert.equal(s.uname?.output.split("\n")[0], "Linux");
  });

  it("reads this machine's facts as node sees them, through the shell builtins it uses where it can", () => {
    const f = parseSections(splitSections(execFileSync("sh", ["-c", hostFactsScript()], { encoding: "utf8" })));
    assert.deepEqual([f.os, f.kernel, f.architecture], ["Linux", os.release(), execFileSync("uname", ["-m"]).toString().trim()]);
    assert.equal(f.hostname, os.hostname());
    assert.equal(f.distribution.id, parseOsRelease(readFileSync("/etc/os-release", "utf8")).ID);
    assert.equal(f.memory.totalMiB, Math.round(os.totalmem() / 1024 / 1024));
    assert.ok(f.uptimeSeconds > 0);
    assert.deepEqual(f.user, { name: os.userInfo().username, uid: os.userInfo().uid });
    assert.equal(f.cpus, Number(execFileSync("getconf", ["_NPROCESSORS_ONLN"]).toString()));
  });

  it("counts the online cpus of a list of ranges as getconf does, and falls back to getconf without the file", () => {
    const count = (online: string) =>
      execFileSync("sh", ["-c", (HOST_FACT_COMMANDS.cpus as string).replace("/sys/devices/system/cpu/online", "$1"), "sh", online], {
        encoding: "utf8",
      }).trim();
    const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-cpus-"));
    try {
      for (const [list, n] of [
        ["0", "1"],
        ["0-3,8", "5"],
        ["0-1,4-5,9-11", "7"],
      ] as const) {
        writeFileSync(path.join(dir, "online"), `${list}\n`);
        assert.equal(count(path.join(dir, "online")), n, list);
      }
      assert.equal(count(path.join(dir, "missing")), execFileSync("getconf", ["_NPROCESSORS_ONLN"]).toString().trim());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
