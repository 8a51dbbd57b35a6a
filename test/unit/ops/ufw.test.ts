import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { parseUfwFact } from "../../../src/facts/ufw.js";
import { sshReachableCheck, ufw, ufwRuleText } from "../../../src/ops/ufw.js";
import { declared, fakeCommand, lookupOf } from "./kit.js";

const CAPTURED = readFileSync(new URL("../../fixtures/facts/ufw-active.txt", import.meta.url), "utf8");

describe("ufw rules as text", () => {
  it("match what `ufw show added` prints for each kind of rule (captured on Debian 12)", () => {
    assert.equal(ufwRuleText({ port: 22, proto: "tcp" }), "ufw allow 22/tcp");
    assert.equal(
      ufwRuleText({ port: 9100, proto: "tcp", from: "198.18.0.0/24" }),
      "ufw allow from 198.18.0.0/24 to any port 9100 proto tcp",
    );
    assert.equal(ufwRuleText({ port: 8080 }), "ufw allow 8080");
    assert.equal(ufwRuleText({ port: 9200, from: "198.18.0.0/24" }), "ufw allow from 198.18.0.0/24 to any port 9200");
    assert.equal(ufwRuleText({ port: "8000:8100", proto: "tcp" }), "ufw allow 8000:8100/tcp");
    assert.equal(ufwRuleText({ port: 2222, proto: "tcp", action: "limit" }), "ufw limit 2222/tcp");
    assert.equal(
      ufwRuleText({ port: 5432, proto: "tcp", from: "198.18.0.5", action: "deny" }),
      "ufw deny from 198.18.0.5 to any port 5432 proto tcp",
    );
  });

  it("refuse what ufw would not take, naming it", () => {
    assert.throws(() => ufwRuleText({ port: "8000:8100" }), /port range 8000:8100 needs proto/);
    assert.throws(() => ufwRuleText({ port: 22, from: "10.0.0.0/8; rm -rf /" }), /bad source/);
    assert.throws(() => ufwRuleText({ port: "ssh" }), /bad port "ssh"/);
  });
});

describe("ufw planner", () => {
  const fact = parseUfwFact(CAPTURED);
  const plan = (rules: Parameters<typeof ufw>[0]["rules"], f = fact) => declared(() => ufw({ rules })).plan(lookupOf({ ufw: f }));

  it("parses the captured state", () => {
    assert.deepEqual(fact, {
      installed: true,
      active: true,
      input: "DROP",
      output: "ACCEPT",
      rules: ["ufw allow 22/tcp", "ufw allow from 198.18.0.0/24 to any port 9100 proto tcp"],
    });
  });

  it("changes nothing when rules, policies and state match", () => {
    const p = plan([
      { port: 22, proto: "tcp" },
      { port: 9100, proto: "tcp", from: "198.18.0.0/24" },
    ]);
    assert.deepEqual(p, { changed: false, summary: "active, 2 rules" });
  });

  it("shows a rule added by hand as a diff that removes it", () => {
    const p = plan([{ port: 22, proto: "tcp" }]);
    assert.equal(p.summary, "rules -1");
    assert.match(p.diff ?? "", /^-ufw allow from 198\.18\.0\.0\/24 to any port 9100 proto tcp$/m);
  });

  it("plans enabling and the policies on a fresh host", () => {
    const p = plan([{ port: 22, proto: "tcp" }], { installed: true, active: false, input: "ACCEPT", output: "ACCEPT", rules: [] });
    assert.equal(p.summary, "rules +1, incoming ACCEPT → DROP, enable");
  });
});

describe("the SSH check after enabling (awk over `ufw status`, a fake ufw)", () => {
  const status = (rules: string) =>
    `Status: active\n\nTo                         Action      From\n--                         ------      ----\n${rules}`;
  const check = (rules: string, client: string | undefined, port = 22) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-ufw-"));
    fakeCommand(dir, "ufw", `if [ "$1" = status ]; then cat <<'EOF'\n${status(rules)}\nEOF\nelse echo "$@" >> ${dir}/calls; fi`);
    const env = { ...process.env, PATH: `${dir}:${process.env.PATH}`, SSH_CONNECTION: client ? `${client} 5555 198.18.0.25 22` : "" };
    const r = spawnSync("sh", ["-c", sshReachableCheck(port)], { encoding: "utf8", env });
    let calls = "";
    try {
      calls = readFileSync(`${dir}/calls`, "utf8");
    } catch {}
    return { rc: r.status, stderr: r.stderr, calls };
  };

  it("passes when SSH is allowed from anywhere or from a network holding the operator", () => {
    assert.equal(
      check("22/tcp                     ALLOW       Anywhere\n22/tcp (v6)                ALLOW       Anywhere (v6)\n", "198.18.0.1").rc,
      0,
    );
    assert.equal(check("22/tcp                     LIMIT       198.18.0.0/24\n", "198.18.0.1").rc, 0);
    assert.equal(check("2200:2300/tcp              ALLOW       Anywhere\n", "198.18.0.1", 2222).rc, 0);
    assert.equal(check("Anywhere                   ALLOW       198.18.0.1\n", "198.18.0.1").rc, 0);
  });

  it("disables the firewall and fails clearly when the operator's address would be refused", () => {
    const r = check("22/tcp                     ALLOW       10.9.9.0/24\n9100/tcp                   ALLOW       Anywhere\n", "198.18.0.1");
    assert.equal(r.rc, 1);
    assert.equal(r.calls, "--force disable\n");
    assert.match(r.stderr, /refuses new SSH connections to port 22 from 198\.18\.0\.1; it was disabled again/);
  });

  it("lets the first matching rule decide: a deny before the allow refuses", () => {
    const r = check(
      "22/tcp                     DENY        198.18.0.0/24\n22/tcp                     ALLOW       Anywhere\n",
      "198.18.0.1",
    );
    assert.equal(r.rc, 1);
  });

  it("without SSH_CONNECTION (sudo drops it) counts only rules from anywhere", () => {
    assert.equal(check("22/tcp                     ALLOW       198.18.0.0/24\n", undefined).rc, 1);
    assert.equal(check("22/tcp                     ALLOW       Anywhere\n", undefined).rc, 0);
  });
});
