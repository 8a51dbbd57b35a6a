import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { VaultKey } from "../../../src/vault/keys.js";
import { decryptInline } from "../../../src/vault/secret.js";
import { fixture, REPO, tempDir } from "./helpers.js";

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bosun vault ...` as a user would, isolated from any bosun.toml or /srv state of this machine. */
function bosun(dir: string, args: string[], env: NodeJS.ProcessEnv = {}, input = ""): Result {
  writeFileSync(path.join(dir, "bosun.toml"), "");
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "vault", ...args], {
    cwd: REPO,
    input,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: dir, PREFIX: path.join(dir, "prefix"), BOSUN_CONFIG: path.join(dir, "bosun.toml"), ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const PW = { BOSUN_VAULT_PASSWORD: "cli-test-pass" };
const PLAIN = "db_password: cl1-s3cret\n";

function ok(r: Result): Result {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r;
}

describe("bosun vault (CLI)", () => {
  it("encrypts, views and decrypts a file with BOSUN_VAULT_PASSWORD", () => {
    const dir = tempDir();
    const f = path.join(dir, "vars.yml");
    writeFileSync(f, PLAIN);
    assert.match(ok(bosun(dir, ["encrypt", f], PW)).stderr, /encrypted .*vars\.yml \(vault id default\)/);
    assert.match(readFileSync(f, "utf8"), /^\$BOSUN_VAULT;1;default;scrypt\n/);
    assert.equal(ok(bosun(dir, ["view", f], PW)).stdout, PLAIN);
    ok(bosun(dir, ["decrypt", f], PW));
    assert.equal(readFileSync(f, "utf8"), PLAIN);
  });

  it("fails with a clear message and exit code 1 on a wrong password or a damaged file", () => {
    const dir = tempDir();
    const f = path.join(dir, "vars.yml");
    writeFileSync(f, PLAIN);
    ok(bosun(dir, ["encrypt", f], PW));
    const wrong = bosun(dir, ["view", f], { BOSUN_VAULT_PASSWORD: "not-the-pass" });
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stdout, "");
    assert.match(wrong.stderr, /^bosun: .*vars\.yml: wrong password or key for vault id "default"/);
    const text = readFileSync(f, "utf8");
    writeFileSync(
      f,
      text.replace(/\n(.)/, (_, c: string) => `\n${c === "A" ? "B" : "A"}`),
    );
    const damaged = bosun(dir, ["view", f], PW);
    assert.equal(damaged.code, 1);
    assert.match(damaged.stderr, /integrity check failed/);
  });

  it("says how to give a password when there is none and no terminal to ask on", () => {
    const dir = tempDir();
    const r = bosun(dir, ["view", fixture("bosun-1-passphrase.yml.vault")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no vault password: pass --vault-id ID@FILE or --vault-password-file FILE/);
  });

  it("edits with $EDITOR and saves the change encrypted", () => {
    const dir = tempDir();
    const f = path.join(dir, "vars.yml.vault");
    writeFileSync(f, PLAIN);
    ok(bosun(dir, ["encrypt", f], PW));
    const editor = path.join(dir, "append.sh");
    writeFileSync(editor, '#!/bin/sh\necho "added_by_editor: true" >> "$1"\n', { mode: 0o755 });
    assert.match(ok(bosun(dir, ["edit", f], { ...PW, EDITOR: editor })).stderr, /saved/);
    assert.equal(ok(bosun(dir, ["view", f], PW)).stdout, `${PLAIN}added_by_editor: true\n`);
  });

  it("encrypt-string --name prints a YAML var whose value decryptInline opens", () => {
    const dir = tempDir();
    const r = ok(bosun(dir, ["encrypt-string", "--name", "db_password"], PW, "str1ng-value"));
    assert.match(r.stdout, /^db_password: \|\n {2}\$BOSUN_VAULT;1;default;scrypt\n/);
    const vars = parseYaml(r.stdout) as { db_password: string };
    const key = VaultKey.fromPassphrase("default", PW.BOSUN_VAULT_PASSWORD, "test");
    assert.equal(decryptInline(vars.db_password, [key]).reveal(), "str1ng-value");
    const one = ok(bosun(dir, ["encrypt-string", "--oneline", "v4lue-arg"], PW)).stdout.trim();
    assert.match(one, /^\$BOSUN_VAULT;1;default;scrypt;\S+$/);
    assert.equal(decryptInline(one, [key]).reveal(), "v4lue-arg");
  });

  it("init writes a 0600 key file; --vault-id uses it; rekey moves the file to a new password", () => {
    const dir = tempDir();
    const keyFile = path.join(dir, "keys", "ops.key");
    assert.match(ok(bosun(dir, ["init", "--id", "ops", "--out", keyFile])).stdout, /--vault-id ops@/);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.equal(bosun(dir, ["init", "--out", keyFile]).code, 1, "refuses to overwrite without --force");
    const f = path.join(dir, "secrets.yml");
    writeFileSync(f, PLAIN);
    ok(bosun(dir, ["encrypt", "--vault-id", `ops@${keyFile}`, f]));
    assert.match(readFileSync(f, "utf8"), /^\$BOSUN_VAULT;1;ops;key\n/);
    assert.equal(ok(bosun(dir, ["view", "--vault-id", `ops@${keyFile}`, f])).stdout, PLAIN);
    const pw = path.join(dir, "new.pw");
    writeFileSync(pw, "rekeyed-pass\n");
    ok(bosun(dir, ["rekey", "--vault-id", `ops@${keyFile}`, "--new-vault-id", `prod@${pw}`, f]));
    assert.match(readFileSync(f, "utf8"), /^\$BOSUN_VAULT;1;prod;scrypt\n/);
    assert.equal(ok(bosun(dir, ["view", "--vault-password-file", pw, f])).stdout, PLAIN);
  });

  it("picks the key by --encrypt-vault-id and decrypts by trying every --vault-id", () => {
    const dir = tempDir();
    const a = path.join(dir, "a.pw");
    const b = path.join(dir, "b.pw");
    writeFileSync(a, "pass-for-a\n");
    writeFileSync(b, "pass-for-b\n");
    const f = path.join(dir, "x.yml");
    writeFileSync(f, PLAIN);
    ok(bosun(dir, ["encrypt", "--vault-id", `a@${a}`, "--vault-id", `b@${b}`, "--encrypt-vault-id", "b", f]));
    assert.match(readFileSync(f, "utf8"), /^\$BOSUN_VAULT;1;b;scrypt\n/);
    assert.equal(ok(bosun(dir, ["view", "--vault-id", `a@${a}`, "--vault-id", `b@${b}`, f])).stdout, PLAIN);
  });

  it("imports ansible-vault 1.1 and 1.2 files in place", () => {
    const dir = tempDir();
    const f11 = path.join(dir, "a11.yml.vault");
    const f12 = path.join(dir, "a12.yml.vault");
    copyFileSync(fixture("ansible-1.1.yml.vault"), f11);
    copyFileSync(fixture("ansible-1.2-dev.yml.vault"), f12);
    const r = ok(
      bosun(dir, [
        "import",
        "--vault-password-file",
        fixture("ansible-1.1.password"),
        "--vault-id",
        `dev@${fixture("ansible-1.2-dev.password")}`,
        f11,
        f12,
      ]),
    );
    assert.match(r.stderr, /imported .*a11\.yml\.vault \(ansible-1\.1, vault id default\)/);
    assert.match(r.stderr, /imported .*a12\.yml\.vault \(ansible-1\.2, vault id dev\)/);
    assert.match(readFileSync(f12, "utf8"), /^\$BOSUN_VAULT;1;dev;scrypt\n/);
    const plain = readFileSync(fixture("ansible-plain.yml"), "utf8");
    assert.equal(ok(bosun(dir, ["view", "--vault-id", `dev@${fixture("ansible-1.2-dev.password")}`, f12])).stdout, plain);
  });
});
