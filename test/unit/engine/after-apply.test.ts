import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { parse } from "yaml";
import { Collector, collectInto } from "../../../src/core/collector.js";
import type { Operation } from "../../../src/core/operation.js";
import { checkConnectionGuards, planVaultOutputs, storeVaultOutputs } from "../../../src/engine/after-apply.js";
import type { PlannedHost } from "../../../src/engine/host.js";
import { recordApply } from "../../../src/engine/outcome.js";
import { buildApplyScript, parseApplyOutput } from "../../../src/engine/script.js";
import { ConnectionError } from "../../../src/errors.js";
import { hostSecret } from "../../../src/ops/host-secret.js";
import type { TransportPool } from "../../../src/transport/pool.js";
import type { ExecResult, Transport } from "../../../src/transport/types.js";
import { openVaultFile } from "../../../src/vault/files.js";
import { VaultKey } from "../../../src/vault/keys.js";
import { VaultWriteBack } from "../../../src/vault/write-back.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-after-apply-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const key = VaultKey.fromBytes("default", Buffer.alloc(32, 7), "test");

const declare = <T>(fn: () => T): T => collectInto(new Collector(), fn);
const planned = (ops: Operation[], changed = ops.map(() => false)): PlannedHost => ({
  evaluated: { ops, handlers: [] },
  facts: {} as PlannedHost["facts"],
  plans: changed.map((c) => ({ changed: c, summary: c ? "run" : "kept" })),
  resume: [],
});

/** Runs ops in a real apply script here; returns the outcome and the script's whole stdout. */
function applyHere(ops: Operation[]) {
  const { script, token } = buildApplyScript(ops, []);
  const r = spawnSync("sh", ["-s"], { input: script, encoding: "utf8" });
  return { outcome: parseApplyOutput(r.stdout, token), stdout: r.stdout };
}

describe("a value an op sends back for the vault", () => {
  const tokenFile = path.join(dir, "key", "grafana", "ci.token");
  const op = () =>
    declare(() =>
      hostSecret("grafana token ci", {
        path: tokenFile,
        create: "echo made-on-host-7f3a >&2; echo glsa_made_on_host_7f3a",
        vault: { file: "secrets/grafana.yml.vault", key: "grafana_token_ci" },
      }),
    );

  it("is created once on the host (0600), comes back as a Secret, and never reaches the op's log", () => {
    const first = applyHere([op()]);
    assert.equal(first.outcome.steps[0]?.status, "changed");
    const secrets = first.outcome.secrets ?? [];
    assert.equal(secrets.length, 1);
    assert.equal(secrets[0]?.key, "grafana_token_ci");
    assert.equal(secrets[0]?.value.reveal(), "glsa_made_on_host_7f3a");
    assert.equal(String(secrets[0]?.value), "***");
    assert.equal(readFileSync(tokenFile, "utf8"), "glsa_made_on_host_7f3a");
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    // The value travels only base64-encoded on the marker line: not as text anywhere in the output.
    assert.doesNotMatch(first.stdout, /glsa_made_on_host_7f3a/);
    const again = applyHere([op()]);
    assert.equal(again.outcome.steps[0]?.status, "ok", "the host file exists: nothing is created again");
    assert.equal(again.outcome.secrets?.[0]?.value.reveal(), "glsa_made_on_host_7f3a", "but the value is sent back again");
  });

  it("fails the op with a clear error, leaving no file, when the create command prints nothing", () => {
    const bad = declare(() =>
      hostSecret("empty", { path: path.join(dir, "empty.token"), create: "true", vault: { file: "v.yml.vault", key: "empty" } }),
    );
    const r = applyHere([bad]);
    assert.equal(r.outcome.steps[0]?.status, "failed");
    assert.match(r.outcome.steps[0]?.output ?? "", /the create command printed no value/);
    assert.equal(r.outcome.secrets, undefined);
    assert.throws(() => statSync(path.join(dir, "empty.token")));
  });

  it("is stored in the vault file (relative to the site's dir) with an event that names only the file and key", async () => {
    const siteDir = path.join(dir, "site");
    const p = planned([op()]);
    const vault = new VaultWriteBack(async () => [key]);
    await planVaultOutputs(p, siteDir, vault);
    assert.deepEqual(p.plans[0], { changed: true, summary: "store grafana_token_ci in secrets/grafana.yml.vault" });
    const { outcome } = applyHere([op()]);
    const r = recordApply("p", "web1", p, outcome);
    await storeVaultOutputs("p", "web1", p, outcome, r, siteDir, vault);
    const file = path.join(siteDir, "secrets", "grafana.yml.vault");
    assert.deepEqual(r.events.at(-1), {
      type: "secret_stored",
      play: "p",
      host: "web1",
      op: "host_secret grafana token ci",
      file,
      key: "grafana_token_ci",
    });
    assert.doesNotMatch(JSON.stringify(r), /glsa_made_on_host_7f3a/);
    assert.deepEqual(parse((await openVaultFile(file, [key])).plaintext.toString("utf8")), { grafana_token_ci: "glsa_made_on_host_7f3a" });
    const replanned = planned([op()]);
    await planVaultOutputs(replanned, siteDir, vault);
    assert.equal(replanned.plans[0]?.changed, false, "stored: nothing left to do");
  });

  it("fails the host, naming the vault file and leaving it as it was, when the vault cannot take the value", async () => {
    const siteDir = path.join(dir, "site2");
    const p = planned([op()]);
    const { outcome } = applyHere([op()]);
    const r = recordApply("p", "web1", p, outcome);
    await storeVaultOutputs("p", "web1", p, outcome, r, siteDir, new VaultWriteBack(undefined));
    assert.equal(r.status, "failed");
    const failed = r.events.find((e) => e.type === "op_failed");
    assert.match(
      failed?.type === "op_failed" ? failed.error : "",
      /grafana_token_ci came back from the host but could not be stored: .*needs a vault key/,
    );
    assert.throws(() => statSync(path.join(siteDir, "secrets", "grafana.yml.vault")));
  });
});

/** A transport whose exec answers with fn (connect and close do nothing). */
const fakeTransport = (host: string, fn: (cmd: string) => Promise<ExecResult>): Transport => ({
  host,
  execCount: 0,
  connect: async () => {},
  exec: fn,
  close: async () => {},
});
const poolOf = (t: Transport, closed: string[] = []) =>
  ({ get: () => t, closeAll: async () => void closed.push(t.host), execCounts: () => ({}) }) as unknown as TransportPool;
const ok = (code = 0): ExecResult => ({ code, stdout: "", stderr: "", truncated: false, durationMs: 1 });

describe("the fresh-connection check of a guarded op", () => {
  const guarded: Operation = {
    kind: "ufw",
    name: "firewall",
    tags: [],
    notify: [],
    facts: () => [],
    plan: () => ({ changed: true, summary: "enable" }),
    apply: () => "__changed",
    connectionGuard: { rollback: "ufw --force disable", undone: "ufw was disabled again" },
  };
  const spec = { name: "web27", connection: "ssh" } as Parameters<typeof checkConnectionGuards>[5]["spec"];
  const changedOutcome = { steps: [{ op: 0, status: "changed" as const }], handlerRuns: [], finished: true };

  it("rolls back through the open connection and fails the op naming the host when a new connection fails", async () => {
    const p = planned([guarded], [true]);
    const r = recordApply("p", "web27", p, changedOutcome);
    const ran: string[] = [];
    const closed: string[] = [];
    const fresh = fakeTransport("web27", async () => {
      throw new ConnectionError("web27", "ssh: connect to host 198.18.0.27 port 22: Connection timed out", true);
    });
    const open = fakeTransport("web27", async (cmd) => {
      ran.push(cmd);
      return ok();
    });
    await checkConnectionGuards("p", "web27", p, changedOutcome, r, {
      spec,
      freshPool: async () => poolOf(fresh, closed),
      open: poolOf(open),
    });
    assert.deepEqual(ran, ["ufw --force disable"]);
    assert.deepEqual(closed, ["web27"], "the fresh pool is closed");
    assert.equal(r.status, "failed");
    assert.deepEqual([r.counts.changed, r.counts.failed], [0, 1]);
    const e = r.events[0];
    assert.equal(e?.type, "op_failed");
    assert.match(
      e?.type === "op_failed" ? e.error : "",
      /^web27: a new SSH connection failed after this change \(ssh: connect to host .* timed out\); ufw was disabled again$/,
    );
  });

  it("leaves the outcome alone when the new connection works, and opens none when the op did not change", async () => {
    const p = planned([guarded], [true]);
    const r = recordApply("p", "web27", p, changedOutcome);
    let opened = 0;
    const io = {
      spec,
      freshPool: async () => {
        opened++;
        return poolOf(fakeTransport("web27", async () => ok()));
      },
      open: poolOf(fakeTransport("web27", async () => assert.fail("no rollback expected"))),
    };
    await checkConnectionGuards("p", "web27", p, changedOutcome, r, io);
    assert.equal(r.status, "changed");
    assert.equal(opened, 1);
    const unchanged = { steps: [{ op: 0, status: "ok" as const }], handlerRuns: [], finished: true };
    await checkConnectionGuards("p", "web27", p, unchanged, recordApply("p", "web27", p, unchanged), io);
    assert.equal(opened, 1);
  });
});
