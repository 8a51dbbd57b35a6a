import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import { loadConfig } from "../../src/config/load.js";
import { bosun, lab, labHosts, onHost, tempDir } from "./helpers.js";

const PLAINTEXT = `Sup3r-S3cret-${process.pid}-x9`;
const VAULT_ENV = { BOSUN_VAULT_PASSWORD: "e2e-vault-pass" };

describe("secrets never leak", () => {
  it("a vaulted var reaches the host's files but no output, log, event, diff, error, record or command line", async () => {
    const layout = await lab();
    const host = (await labHosts())[0]!;
    const enc = await bosun(["vault", "encrypt-string", "--oneline"], { env: VAULT_ENV, input: PLAINTEXT });
    assert.equal(enc.code, 0, enc.stderr);
    const dir = tempDir();
    const inv = path.join(dir, "inventory.yml");
    writeFileSync(
      inv,
      stringify({
        all: {
          vars: {
            bosun_user: "root",
            bosun_ssh_key: layout.keyFile,
            bosun_known_hosts: layout.knownHostsFile,
            db_password: enc.stdout.trim(),
          },
          hosts: { [host.name]: { bosun_host: host.address } },
        },
      }),
    );
    const site = "test/e2e/sites/secrets.ts";
    const env = { ...VAULT_ENV, BOSUN_LOG: "debug" };
    await onHost(host.name, "rm -rf /srv/e2e-secret");
    const outputs: string[] = [];
    const run = async (args: string[], extra: Record<string, string> = {}) => {
      const r = await bosun(args, { env: { ...env, ...extra } });
      outputs.push(r.stdout, r.stderr);
      return r;
    };

    await run(["plan", site, "-i", inv, "-vv"]);
    const apply = await run(["apply", site, "-i", inv, "--yes", "--json", "-vv"]);
    assert.equal(apply.code, 0, apply.stderr);
    const conf = await onHost(
      host.name,
      "cat /srv/e2e-secret/app.conf /srv/e2e-secret/from-template.conf; grep -c -- '" + PLAINTEXT + "' /srv/e2e-secret/ps.txt || true",
    );
    assert.equal(
      conf.stdout,
      `user=app\npassword=${PLAINTEXT}\npassword = "${PLAINTEXT}"\n0\n`,
      "the host got the plaintext; ps never showed it",
    );

    // Drift on the host: the diff must show the change with the secret masked.
    await onHost(host.name, "echo extra=1 >> /srv/e2e-secret/app.conf");
    const drift = await run(["plan", site, "-i", inv, "--json"]);
    const planned = drift.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === "op_planned" && e.changed && e.op.startsWith("file "));
    assert.deepEqual(
      planned.map((e) => e.op),
      ["file /srv/e2e-secret/app.conf"],
    );
    // The old side of a file that holds a secret is hidden line by line (it may hold a previous value).
    assert.match(planned[0].diff, /^-\*\*\* \(old line hidden: the file holds a secret\)$/m);
    assert.doesNotMatch(planned[0].diff, /^-extra=1$/m);
    assert.match(planned[0].diff, /password=\*\*\*/);
    await run(["plan", site, "-i", inv]);
    await run(["apply", site, "-i", inv, "--yes", "--diff"]);

    const failing = await run(["apply", site, "-i", inv, "--yes", "--json"], { SECRET_FAIL: "1" });
    assert.equal(failing.code, 1);
    assert.match(failing.stdout, /oops: \*\*\*/, "the failing command's stderr is shown, masked");
    await run(["inventory", "-i", inv, "--json"]);
    await run(["exec", host.name, "-i", inv, "--", `echo "${"$"}(cat /srv/e2e-secret/app.conf)"; exit 3`]);

    const { config } = await loadConfig();
    for (const f of ["runs.jl", "state.json", "facts.json"]) outputs.push(readFileSync(path.join(config.state_dir, f), "utf8"));
    const leaks = outputs.filter((o) => o.includes(PLAINTEXT));
    assert.equal(leaks.length, 0, `plaintext found in:\n${leaks.map((l) => l.slice(0, 400)).join("\n---\n")}`);
    assert.ok(outputs.join("").includes("***"), "masked values were shown");
  });
});
