import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { renderTemplate, template } from "../../../src/ops/template.js";
import { Secret } from "../../../src/vault/secret.js";
import { declared, outputs } from "./kit.js";

describe("renderTemplate", () => {
  it("replaces placeholders, with or without spaces inside the braces", () => {
    assert.equal(renderTemplate("listen {{port}};\nserver_name {{ name }};", { port: 80, name: "app" }), "listen 80;\nserver_name app;");
  });

  it("follows dotted paths into nested objects", () => {
    const vars = { app: { upstream: { host: "127.0.0.1", port: 9100 } }, users: [{ name: "ops" }] };
    assert.equal(renderTemplate("{{ app.upstream.host }}:{{app.upstream.port}}", vars), "127.0.0.1:9100");
    assert.equal(renderTemplate("{{ users.0 }}", { users: { "0": "x" } }), "{{ users.0 }}", "segments must be identifiers");
  });

  it("renders falsy values, and objects as JSON", () => {
    assert.equal(renderTemplate("{{ a }} {{ b }} {{ c }}", { a: 0, b: false, c: "" }), "0 false ");
    assert.equal(renderTemplate("{{ o }}", { o: { k: [1, 2] } }), '{"k":[1,2]}');
  });

  it("replaces every occurrence of the same placeholder", () => {
    assert.equal(renderTemplate("{{x}}-{{ x }}-{{x }}", { x: "y" }), "y-y-y");
  });

  it("leaves text that is not a placeholder alone", () => {
    const text = "$HOME {x} { {y} } {{ 1abc }} {{ a-b }} {{}}";
    assert.equal(renderTemplate(text, {}), text);
  });

  it("throws file:line for an unknown variable, naming it", () => {
    const text = "line one\nline two\nvalue = {{ app.missing }}\n";
    assert.throws(
      () => renderTemplate(text, { app: {} }, "/srv/templates/app.conf"),
      (e: unknown) => e instanceof Error && e.message === '/srv/templates/app.conf:3: unknown variable "app.missing" in template',
    );
  });

  it("treats null and a path through a missing parent as unknown", () => {
    assert.throws(() => renderTemplate("{{ a }}", { a: null }), /^Error: <template>:1: unknown variable "a"/);
    assert.throws(() => renderTemplate("\n{{ a.b.c }}", { a: {} }), /<template>:2: unknown variable "a\.b\.c"/);
  });
});

describe("template op", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "bosun-template-"));
    writeFileSync(path.join(dir, "motd.tpl"), "Welcome to {{ host }} ({{ env.name }})\n");
    writeFileSync(path.join(dir, "bad.tpl"), "ok\n{{ host }}\n{{ nope }}\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Returns fileFact's output for a 0644 root file with this content. */
  const fact = (content: string) => {
    const b = Buffer.from(content);
    const sha = createHash("sha256").update(b).digest("hex");
    return `type=file\nmode=644 owner=root group=root size=${b.length}\nsha256=${sha}\ncontent=${b.toString("base64")}\n`;
  };

  it("renders its src file with vars into a template op for dest", () => {
    const op = declared(() =>
      template("/etc/motd", { src: path.join(dir, "motd.tpl"), vars: { host: "web1", env: { name: "prod" } }, mode: "644" }),
    );
    assert.equal(op.kind, "template");
    assert.equal(op.name, "/etc/motd");
    const p = op.plan(outputs({ "file:/etc/motd": "type=absent\n" }));
    assert.equal(p.changed, true);
    assert.match(p.diff ?? "", /^\+Welcome to web1 \(prod\)$/m);
    assert.equal(op.plan(outputs({ "file:/etc/motd": fact("Welcome to web1 (prod)\n") })).changed, false);
    assert.equal(op.plan(outputs({ "file:/etc/motd": fact("Welcome to web2 (prod)\n") })).summary, "update content");
  });

  it("renders vault secrets as *** in the plan and as plaintext in the apply", () => {
    const op = declared(() =>
      template("/etc/motd", { src: path.join(dir, "motd.tpl"), vars: { host: new Secret("s3cret-host"), env: { name: "prod" } } }),
    );
    const p = op.plan(outputs({ "file:/etc/motd": "type=absent\n" }));
    assert.match(p.diff ?? "", /^\+Welcome to \*\*\* \(prod\)$/m);
    assert.ok(op.apply().includes(Buffer.from("Welcome to s3cret-host (prod)\n").toString("base64")));
  });

  it("uses a render function instead of a file", () => {
    const op = declared(() => template("/etc/app.env", { render: () => "PORT=9100\n" }));
    assert.equal(op.plan(outputs({ "file:/etc/app.env": fact("PORT=9100\n") })).changed, false);
  });

  it("resolves a relative src against the current directory", () => {
    const rel = path.relative(process.cwd(), path.join(dir, "motd.tpl"));
    const op = declared(() => template("/etc/motd", { src: rel, vars: { host: "h", env: { name: "e" } } }));
    assert.equal(op.name, "/etc/motd");
  });

  it("throws naming the dest and the full src path when the template file does not exist", () => {
    const src = path.join(dir, "missing.tpl");
    assert.throws(
      () => declared(() => template("/etc/motd", { src })),
      (e: unknown) => e instanceof Error && e.message === `template /etc/motd: template file not found: ${src}`,
    );
  });

  it("throws the template's file:line for an unknown variable", () => {
    const src = path.join(dir, "bad.tpl");
    assert.throws(
      () => declared(() => template("/etc/x", { src, vars: { host: "h" } })),
      new RegExp(`^Error: ${src.replace(/[.]/g, "\\.")}:3: unknown variable "nope"`),
    );
  });

  it("throws when given neither src nor render", () => {
    assert.throws(() => declared(() => template("/etc/x", {})), /template \/etc\/x: give src \(a template file\) or render \(a function\)/);
  });
});
