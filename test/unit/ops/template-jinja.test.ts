import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import type { HostFacts } from "../../../src/facts/host.js";
import type { TemplateHost } from "../../../src/ops/jinja-vars.js";
import { template } from "../../../src/ops/template.js";
import { Secret } from "../../../src/vault/secret.js";
import { declared, outputs as lookup } from "./kit.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-jinja-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function j2(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const FACTS: HostFacts = {
  os: "Linux",
  distribution: { id: "debian", name: "Debian GNU/Linux", version: "12", codename: "bookworm", like: [] },
  kernel: "6.1.0",
  architecture: "x86_64",
  hostname: "web1",
  fqdn: "web1.example.com",
  cpus: 2,
  memory: { totalMiB: 2048, availableMiB: 1024, swapMiB: 0 },
  addresses: [{ interface: "eth0", family: "inet", address: "198.18.0.10", prefix: 24 }],
  initSystem: "systemd",
  packageManager: "apt-get",
  uptimeSeconds: 5,
  user: { name: "root", uid: 0 },
};

function host(facts: () => HostFacts = () => FACTS): TemplateHost {
  const inv: Record<string, string[]> = { web: ["web1", "web2"], db: ["db1"] };
  return {
    host: "web1",
    vars: { inventory_hostname: "web1", group_names: ["web"], port: 8080 },
    get facts() {
      return facts();
    },
    groupHosts: (g) => inv[g] ?? [],
    hostVars: (h) => ({ ansible_host: h === "db1" ? "198.18.0.30" : "x" }),
  };
}

/** Returns the content a template op would write (from the plan's diff of a new file). */
function rendered(src: string, o: Partial<Parameters<typeof template>[1]> = {}): string {
  const op = declared(() => template("/etc/out", { src, ...o }));
  const diff = op.plan(lookup({ "file:/etc/out": "type=absent\n" })).diff ?? "";
  return diff
    .split("\n")
    .filter((l) => l.startsWith("+") && !l.startsWith("+++"))
    .map((l) => l.slice(1))
    .join("\n");
}

describe("template with a Jinja2 (.j2) file", () => {
  it("sees the host's vars, groups, hostvars, group_names and Ansible-named facts", () => {
    const src = j2(
      "a.j2",
      "{{ inventory_hostname }} {{ group_names | join(',') }} {{ groups['web'] | length }} {{ hostvars['db1'].ansible_host }}\n" +
        "{{ ansible_facts['distribution'] }} {{ ansible_distribution_release }} {{ ansible_os_family }} {{ ansible_default_ipv4.address }}\n",
    );
    assert.equal(rendered(src, { context: host() }), "web1 web 2 198.18.0.30\nDebian bookworm Debian 198.18.0.10");
  });

  it("does not read the host's facts when the template uses none", () => {
    const src = j2("b.j2", "port={{ port }}\n");
    const noFacts = host(() => {
      throw new Error("facts read");
    });
    assert.equal(rendered(src, { context: noFacts }), "port=8080");
  });

  it("lets role vars override the host's vars", () => {
    const src = j2("c.j2", "port={{ port }}\n");
    assert.equal(rendered(src, { context: host(), vars: { port: 9000 } }), "port=9000");
  });

  it("stops with the template's file:line and the variable's name when a variable is undefined", () => {
    const src = j2("d.j2", "a\n{% for x in [1] %}\nvalue={{ nope.deeper }}\n{% endfor %}\n");
    assert.throws(() => declared(() => template("/etc/out", { src, vars: {} })), {
      message: new RegExp(`${src.replace(/[.]/g, "\\.")}:3: undefined variable "nope\\.deeper"`),
    });
  });

  it("masks vault secrets in the plan and sends the plaintext, also through filters", () => {
    const src = j2("e.j2", "pw={{ db_password }} up={{ db_password | upper }}\n");
    const op = declared(() => template("/etc/out", { src, vars: { db_password: new Secret("hunter2-pw") } }));
    const diff = op.plan(lookup({ "file:/etc/out": "type=absent\n" })).diff ?? "";
    assert.match(diff, /^\+pw=\*\*\* up=\*\*\*$/m);
    assert.doesNotMatch(diff, /hunter2/i);
    assert.ok(op.apply().includes(Buffer.from("pw=hunter2-pw up=HUNTER2-PW\n").toString("base64")));
  });

  it("adds as Python does: two lists concatenate, numbers sum, strings join", () => {
    const src = j2("g.j2", "{% for h in groups['web'] + groups['db'] %}{{ h }} {% endfor %}{{ port + 1 }} {{ 'a' + 'b' }}\n");
    assert.equal(rendered(src, { context: host() }), "web1 web2 db1 8081 ab");
  });

  it("keeps the simple {{ a.b }} renderer for files that are not .j2", () => {
    const src = j2("f.tpl", "{{ o }}\n");
    assert.equal(rendered(src, { vars: { o: { k: 1 } } }), '{"k":1}');
    assert.equal(rendered(src, { vars: { o: { k: 1 } }, engine: "jinja2" }), "{'k': 1}");
  });
});
