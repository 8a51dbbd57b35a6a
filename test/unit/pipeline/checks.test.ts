import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { type Check, type CheckContext, check, prometheusVerdict } from "../../../src/pipeline/checks.js";
import type { ExecResult } from "../../../src/transport/types.js";

const ctx: CheckContext = {
  host: "web1",
  address: "198.18.0.10",
  vars: {},
  inputs: { version: "1.2.0" },
  env: "dev",
  spec: { name: "web1", connection: "ssh", address: "198.18.0.10", become: { enabled: false, user: "root" } },
  selection: ["web1"],
  groupHosts: () => [],
  hostVars: () => ({}),
};
const res = (code: number, stdout: string, stderr = ""): ExecResult => ({ code, stdout, stderr, truncated: false, durationMs: 1 });
type CommandCheck = Extract<Check, { command: unknown }>;
const cmd = (c: Check) => c as CommandCheck;
/** Runs a check's command in a local sh (what the transport does on a host) and evaluates it. */
const runLocally = (c: Check) => {
  let r: ExecResult;
  try {
    r = res(0, execFileSync("sh", ["-c", cmd(c).command(ctx)], { stdio: ["ignore", "pipe", "pipe"] }).toString());
  } catch (err) {
    const e = err as { status: number; stdout: Buffer; stderr: Buffer };
    r = res(e.status, e.stdout.toString(), e.stderr.toString());
  }
  return cmd(c).evaluate(r, ctx);
};

describe("check helpers", () => {
  it("http passes on the expected status and body, whatever the body's last line", () => {
    const c = cmd(check.http({ url: "http://127.0.0.1:9200/version", body: (x) => `${x.inputs.version}\n` }));
    assert.equal(c.evaluate(res(0, "1.2.0\n\n200"), ctx), undefined);
    assert.match(c.evaluate(res(0, "1.1.0\n\n200"), ctx) ?? "", /expected body containing "1.2.0/);
    assert.match(c.evaluate(res(0, "nope\n404"), ctx) ?? "", /expected status 200, found 404/);
    assert.match(c.evaluate(res(7, "", "Failed to connect"), ctx) ?? "", /curl exit 7/);
  });
  it("http's command quotes the URL: a value with shell characters stays one word", () => {
    const c = cmd(check.http({ url: "http://x/?a=1&b=$(id)" }));
    assert.match(c.command(ctx), /'http:\/\/x\/\?a=1&b=\$\(id\)'$/);
  });
  it("freeDisk reads df's available column and compares in MB", () => {
    const c = cmd(check.freeDisk({ path: "/", minMb: 100 }));
    const line = "overlay 41152736 30000000 204800 90% /\n";
    assert.equal(c.evaluate(res(0, line), ctx), undefined);
    assert.match(
      cmd(check.freeDisk({ path: "/", minMb: 300 })).evaluate(res(0, line), ctx) ?? "",
      /expected ≥ 300 MB free on \/, found 200 MB/,
    );
  });
  it("freeDisk runs for real on this machine", () => assert.equal(runLocally(check.freeDisk({ path: "/", minMb: 1 })), undefined));
  it("command passes on exit 0 and fails with the exit code and stderr otherwise", () => {
    assert.equal(runLocally(check.command(["true"])), undefined);
    assert.match(runLocally(check.command(["sh", "-c", "echo broken >&2; exit 3"])) ?? "", /exit code 3 \(broken\)/);
  });
  it("unitActive wants systemctl's word active", () => {
    const c = cmd(check.unitActive("webapp"));
    assert.equal(c.evaluate(res(0, "active\n"), ctx), undefined);
    assert.match(c.evaluate(res(3, "failed\n"), ctx) ?? "", /expected unit webapp active, found failed/);
  });
  it("tcp from the controller connects for real: refused is a failure", async () => {
    const c = check.tcp({ port: 1, host: "127.0.0.1", timeoutMs: 1000 }) as Extract<Check, { probe: unknown }>;
    assert.match((await c.probe(ctx, { vault: async () => undefined })) ?? "", /port 1 on 127.0.0.1 is not open/);
  });
  it("secretsPresent names the missing ones", async () => {
    const c = check.secretsPresent(["BOSUN_TEST_SURELY_UNSET_1", "PATH"]) as Extract<Check, { probe: unknown }>;
    assert.equal(await c.probe(ctx, { vault: async () => undefined }), "missing secret: BOSUN_TEST_SURELY_UNSET_1");
  });
});

describe("prometheusVerdict", () => {
  // Answers of Prometheus 2.42 (Debian 12) to /api/v1/query.
  const sample = (v: string) =>
    JSON.stringify({
      status: "success",
      data: {
        resultType: "vector",
        result: [{ metric: { __name__: "up", instance: "198.18.0.10:9100", job: "node" }, value: [1764523200.123, v] }],
      },
    });
  const empty = JSON.stringify({ status: "success", data: { resultType: "vector", result: [] } });
  it("passes when a sample is present", () => assert.equal(prometheusVerdict(res(0, sample("1")), "up", {}), undefined));
  it("fails when the metric is absent", () =>
    assert.match(prometheusVerdict(res(0, empty), "up", {}) ?? "", /no sample \(metric absent\)/));
  it("compares against a threshold", () => {
    assert.equal(prometheusVerdict(res(0, sample("0.2")), "load", { below: 0.5 }), undefined);
    assert.match(prometheusVerdict(res(0, sample("0.7")), "load", { below: 0.5 }) ?? "", /value 0.7 is not below 0.5/);
  });
  it("reports an error answer", () =>
    assert.match(prometheusVerdict(res(0, '{"status":"error","error":"bad"}'), "x", {}) ?? "", /status error/));
});
