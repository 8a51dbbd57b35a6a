import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { before, describe, it } from "node:test";
import { buildWorkload } from "../../../examples/workload/build.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "workload-proc-"));
const bundle = path.join(dir, "workload.js");

/** Returns a free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [bundle, ...args], { cwd: dir, env: { PATH: process.env.PATH, ...env } });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exit = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  return { child, exit, stderr: () => stderr };
}

async function waitFor(url: string, child: ChildProcess): Promise<Response> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error("the workload exited");
    try {
      return await fetch(url);
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${url} never answered`);
}

describe("the workload process (bundled as it is deployed)", () => {
  let port = 0;
  let config = "";
  before(async () => {
    await buildWorkload(bundle, "9.9.9");
    port = await freePort();
    config = path.join(dir, "config.toml");
    writeFileSync(
      config,
      `[service]\nport = ${port}\npid_file = "${dir}/w.pid"\nshutdown_timeout_ms = 500\n[strategy]\nsymbols = ["BTC-USD"]\ninterval_ms = 20\nmax_position = 3\n`,
    );
  });

  it("serves /health and /metrics in dry-run, keeps a PID file and stops cleanly on SIGTERM", async () => {
    const p = run(["--config", config], { WORKLOAD_LOG: "debug" });
    const health = await (await waitFor(`http://127.0.0.1:${port}/health`, p.child)).json();
    assert.deepEqual({ ...health, ticks: 0 }, { status: "ok", name: "workload", version: "9.9.9", production: false, ticks: 0 });
    assert.equal(readFileSync(path.join(dir, "w.pid"), "utf8"), `${p.child.pid}\n`);
    await new Promise((r) => setTimeout(r, 200));
    const m = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(m, /^workload_info\{version="9\.9\.9",mode="dry_run"\} 1$/m);
    assert.match(m, /^workload_ticks_total [1-9]\d*$/m);
    p.child.kill("SIGTERM");
    assert.equal(await p.exit, 0, p.stderr());
    assert.equal(existsSync(path.join(dir, "w.pid")), false, "PID file removed");
    assert.match(p.stderr(), /^\S+ INFO started version=9\.9\.9 mode=dry-run bind=127\.0\.0\.1 port=\d+$/m);
    assert.match(p.stderr(), /^\S+ DEBUG order not placed \(dry run\) symbol=BTC-USD/m);
    assert.match(p.stderr(), /^\S+ INFO stopped ticks=\d+$/m);
  });

  it("--production needs its API key and then reports production mode; WORKLOAD_LOG=warn hides info lines", async () => {
    const refused = run(["--config", config, "--production"]);
    assert.equal(await refused.exit, 78);
    assert.match(refused.stderr(), /ERROR --production needs WORKLOAD_API_KEY/);
    const p = run(["--config", config, "--production"], { WORKLOAD_API_KEY: "k-123", WORKLOAD_LOG: "warn" });
    const health = await (await waitFor(`http://127.0.0.1:${port}/health`, p.child)).json();
    assert.equal(health.production, true);
    p.child.kill("SIGTERM");
    assert.equal(await p.exit, 0);
    assert.equal(p.stderr(), "", "no info lines at level warn");
  });

  it("exits 78 on bad config naming the key, and --check-config validates without starting", async () => {
    const bad = run(["--config", config], { WORKLOAD_STRATEGY_INTERVAL_MS: "1" });
    assert.equal(await bad.exit, 78);
    assert.match(bad.stderr(), /strategy\.interval_ms: .*10/);
    const check = run(["--config", config, "--check-config"]);
    assert.equal(await check.exit, 0);
    assert.match(check.stderr(), /INFO config ok/);
  });

  it("refuses to start while its PID file names a live process", async () => {
    writeFileSync(path.join(dir, "w.pid"), `${process.pid}\n`);
    const p = run(["--config", config]);
    assert.equal(await p.exit, 1);
    assert.match(p.stderr(), /already running: .*w\.pid names live process/);
  });
});
