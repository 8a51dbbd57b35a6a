/**
 * Bad input never reaches a host: every row is a mistake a user makes, and each must end with the right
 * exit code, one line naming the file:line, key or flag as written, no stack trace, no ssh process and
 * no network (the CLI runs under `unshare -n` with a recording fake ssh first on PATH), and no file
 * changed. Needs no lab host: BOSUN_E2E_BADINPUT_HOSTS only names the (unreached) inventory's hosts.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { encryptVault } from "../../src/vault/crypto.js";
import { VaultKey } from "../../src/vault/keys.js";
import { type BadInputRow, baseEnv, runIsolated, runRow, type Suite, suiteRoot, writeFiles } from "./bad-input-kit.js";
import { rows, SECRET } from "./bad-input-rows.js";

const HOSTS = (process.env.BOSUN_E2E_BADINPUT_HOSTS ?? "db2,web5,web6").split(",");
const PASSWORD = "bad-input-suite-pw-1";
const FAST = { scrypt: { logN: 10, r: 8, p: 1 } };

let suite: Suite;

function writeShared(s: Suite): void {
  const key = VaultKey.fromPassphrase("default", PASSWORD, "suite");
  const hosts = HOSTS.map((h, i) => `        ${h}:\n          ansible_host: 198.18.0.${200 + i}\n`).join("");
  writeFiles(s.shared, {
    "site.ts": 'import { deploy, file } from "bosun";\n\nexport default deploy("bad-input", [{ hosts: "all", roles: [] }]);\nvoid file;\n',
    "inventory.yml": `all:\n  children:\n    web:\n      hosts:\n${hosts}`,
    pw: `${PASSWORD}\n`,
    "pw-wrong": "not-the-password\n",
    // The secret is on the line with the syntax error: a parser's message would quote exactly that line.
    "broken.yml.vault": encryptVault(`db_password: "${SECRET}\nother: [\n`, key, FAST),
    "broken.toml.vault": encryptVault(`db_password = "${SECRET}\n`, key, FAST),
    "good.yml.vault": encryptVault(`db_password: ${SECRET}\n`, key, FAST),
  });
  const good = readFileSync(path.join(s.shared, "good.yml.vault"), "utf8");
  // One character of the ciphertext changed: the integrity check must fail, naming the file.
  const i = good.length - 20;
  writeFileSync(path.join(s.shared, "damaged.vault"), good.slice(0, i) + (good[i] === "A" ? "B" : "A") + good.slice(i + 1));
}

before(() => {
  suite = suiteRoot();
  writeShared(suite);
});
after(() => rmSync(suite.root, { recursive: true, force: true }));

/** Asserts everything a row promises; returns the message line. */
function check(row: BadInputRow, o: Awaited<ReturnType<typeof runRow>>): void {
  const all = `${o.stdout}\n${o.stderr}`;
  const where = `\n--- stdout\n${o.stdout}\n--- stderr\n${o.stderr}`;
  assert.equal(o.code, row.code, `exit code${where}`);
  assert.doesNotMatch(all, /^\s+at /m, `a stack trace${where}`);
  assert.doesNotMatch(all, /TypeError|ReferenceError|RangeError|SyntaxError:|unexpected error|ERR_[A-Z_]+/, `an internal error${where}`);
  assert.doesNotMatch(all, /\x1b|\x00/, `a raw control character${where}`);
  const lines = o.stderr.trimEnd().split("\n");
  assert.match(lines[0] ?? "", /^bosun: /, `the message starts with "bosun: "${where}`);
  if (!row.multiline) assert.equal(lines.length, 1, `one line on stderr${where}`);
  assert.match(row.multiline ? o.stderr.slice(7) : (lines[0] ?? "").slice(7), row.message, `the message${where}`);
  assert.equal(o.sshCalls, "", "ssh was started");
  assert.deepEqual(o.changed, [], "files changed");
  for (const secret of row.never ?? []) assert.ok(!all.includes(secret), `the secret ${secret} was printed${where}`);
}

describe("bad input: a clear error, before any host is touched", () => {
  const table = rows();

  it("covers at least 100 mistakes", () => {
    assert.ok(table.length >= 100, `only ${table.length} rows`);
    assert.equal(new Set(table.map((r) => r.name)).size, table.length, "row names are unique");
  });

  for (const row of table) {
    it(`${row.name}: exit ${row.code}`, async () => check(row, await runRow(suite, row)));
  }
});

describe("bad input: what must still work, and hangs that must end", () => {
  it("BOSUN_LOG=verbose does not break --version", async () => {
    const r = await runIsolated(["--version"], { cwd: suite.root, env: baseEnv(suite, { BOSUN_LOG: "verbose" }) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\d+\.\d+\.\d+/);
  });

  it("a site stuck in an endless loop at import is stopped with a message naming it", async () => {
    const row: BadInputRow = {
      name: "loop",
      args: ["plan", "{dir}/site.ts", "-i", "{shared}/inventory.yml", "--no-typecheck"],
      files: { "site.ts": 'import { deploy } from "bosun";\nwhile (true) {}\nexport default deploy("s", []);\n' },
      env: { BOSUN_LOAD_TIMEOUT: "2" },
      code: 1,
      message: /./,
    };
    const start = Date.now();
    const o = await runRow(suite, row);
    assert.ok(Date.now() - start < 20_000, "ended within the bound");
    assert.notEqual(o.code, 0);
    assert.match(o.stderr, /^bosun: .*site\.ts: still loading after 2s: an endless loop/);
    assert.equal(o.sshCalls, "");
    assert.deepEqual(o.changed, []);
  });

  it("a relative password script is run from the current directory, never looked up in $PATH", async () => {
    // A script of the same name first in $PATH prints a wrong password: it must not be the one run.
    const decoy = path.join(suite.fakeBin, "pw.sh");
    writeFileSync(decoy, "#!/bin/sh\necho decoy-wrong-password\n");
    chmodSync(decoy, 0o755);
    try {
      const row: BadInputRow = {
        name: "relative script",
        args: ["vault", "view", "{shared}/good.yml.vault", "--vault-password-file", "pw.sh"],
        files: { "pw.sh": { text: `#!/bin/sh\necho ${PASSWORD}\n`, mode: 0o755 } },
        code: 1,
        message: /./,
      };
      const o = await runRow(suite, row);
      assert.equal(o.code, 0, o.stderr);
      assert.equal(o.stdout, `db_password: ${SECRET}\n`);
    } finally {
      rmSync(decoy);
    }
  });

  it("no row left a run record or a state file behind", () => {
    assert.ok(!existsSync(path.join(suite.state, "runs.jl")));
    assert.ok(!existsSync(path.join(suite.state, "state.json")));
  });
});
