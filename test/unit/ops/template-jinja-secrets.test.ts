import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HostFacts } from "../../../src/facts/host.js";
import { jinja, jinjaContent, jinjaValue } from "../../../src/ops/jinja.js";
import { ansibleVars, type TemplateHost } from "../../../src/ops/jinja-vars.js";
import { isSecret, Secret } from "../../../src/vault/secret.js";

/** A host whose inventory vars hold a vault value and vars built from it, as group_vars often do. */
function host(vars: Record<string, unknown>): TemplateHost {
  return {
    host: "db1",
    vars: { inventory_hostname: "db1", group_names: ["db"], ...vars },
    facts: {} as HostFacts,
    groupHosts: () => [],
    hostVars: () => ({}),
  };
}

const reveal = (x: unknown) => (isSecret(x) ? x.reveal() : x);

describe("vault values read through Ansible vars stay Secrets", () => {
  const ctx = host({
    vault_db_password: new Secret("s3cr3t-pw"),
    db_password: "{{ vault_db_password }}",
    db_url: "postgres://app:{{ vault_db_password }}@db1/app",
    db_conf: { user: "app", password: "{{ vault_db_password | upper }}" },
    port: 5432,
    port_text: "{{ port }}",
  });
  const v = ansibleVars(ctx, {});

  it("a var that is the vault value is a Secret: *** when printed, the plaintext when revealed", () => {
    assert.ok(isSecret(v.db_password));
    assert.equal(String(v.db_password), "***");
    assert.equal(reveal(v.db_password), "s3cr3t-pw");
  });

  it("a var that interpolates the vault value into text is a Secret of the whole text", () => {
    assert.ok(isSecret(v.db_url));
    assert.equal(`${v.db_url}`, "***");
    assert.equal(reveal(v.db_url), "postgres://app:s3cr3t-pw@db1/app");
  });

  it("inside a dict, only the leaf built from the vault value is a Secret", () => {
    assert.equal(v.db_conf.user, "app");
    assert.ok(isSecret(v.db_conf.password));
    assert.equal(reveal(v.db_conf.password), "S3CR3T-PW");
    const value = jinjaValue("db_conf", v, ctx) as Record<string, unknown>;
    assert.equal(value.user, "app");
    assert.ok(isSecret(value.password));
  });

  it("vars without a vault value keep their type", () => {
    assert.equal(v.port_text, 5432);
    assert.equal(jinja("{{ port_text + 1 }}", v, ctx), "5433");
  });

  it("file content rendered from a vault value is masked for people and plain for the host", () => {
    const c = jinjaContent("url={{ db_url }}\n", v, ctx);
    assert.ok(typeof c === "object");
    assert.equal(c.masked, "url=***\n");
    assert.equal(c.reveal(), "url=postgres://app:s3cr3t-pw@db1/app\n");
    assert.equal(jinjaContent("port={{ port }}\n", v, ctx), "port=5432\n");
  });
});
