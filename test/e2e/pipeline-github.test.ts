/**
 * Runs a generated GitHub Actions workflow locally: the `run:` steps of the app stage's workflow, in
 * order, with the environment variables and files GitHub Actions provides (GITHUB_*, RUNNER_TEMP,
 * GITHUB_STEP_SUMMARY, secrets and inputs substituted), in a checkout-like copy of the repository,
 * against lab hosts. `uses:` steps are stood in for: checkout (the copy), setup-node (this node),
 * upload-artifact (the file must exist). So the commands in the YAML are proven, not only well-formed.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { bosun, lab, onHost, ROOT, tempDir } from "./helpers.js";

const HOSTS = (process.env.BOSUN_E2E_PIPELINE_GITHUB_HOSTS ?? "web14,web15").split(",");

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

/** Substitutes ${{ a.b }} expressions from the contexts; any other expression fails the test. */
function expand(text: string, ctx: Record<string, Record<string, string>>): string {
  return text.replace(/\$\{\{\s*([a-z_]+)\.([A-Za-z0-9_]+)\s*\}\}/g, (m, scope: string, name: string) => {
    const v = ctx[scope]?.[name];
    assert.notEqual(v, undefined, `the local runner cannot evaluate ${m}`);
    return v as string;
  });
}

describe("a generated workflow's steps, run locally against the lab", { timeout: 900_000 }, () => {
  it("checks out, installs, writes the SSH key, known_hosts and vault password, runs the stage, writes the summary and the record", async () => {
    const layout = await lab();
    const work = tempDir("bosun-gha-");
    const workspace = path.join(work, "workspace");
    const runnerTemp = path.join(work, "runner-temp");
    mkdirSync(runnerTemp, { recursive: true });
    // actions/checkout: the repository's files (tracked and new, as committed on a branch).
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: ROOT })
      .toString()
      .trim()
      .split("\n");
    for (const f of files) if (existsSync(path.join(ROOT, f))) cpSync(path.join(ROOT, f), path.join(workspace, f), { recursive: true });

    // Generated from this checkout (the copy has no build yet: building it is one of the workflow's steps).
    const gen = await bosun([
      "ci",
      "github",
      "-p",
      "examples/pipeline.ts",
      "--out",
      path.join(work, "workflows"),
      "--bosun",
      "node bin/bosun.js",
      "--setup",
      "npm ci --no-fund --no-audit",
      "--setup",
      "npm run build",
    ]);
    assert.equal(gen.code, 0, gen.stderr);
    const wf = parse(readFileSync(path.join(work, "workflows/bosun-example-6-app.yml"), "utf8")) as {
      jobs: { run: { env: Record<string, string>; steps: Step[] } };
    };

    const summary = path.join(runnerTemp, "step-summary.md");
    writeFileSync(summary, "");
    const stateDir = path.join(work, "state");
    const ctx: Record<string, Record<string, string>> = {
      inputs: { environment: "dev", promote_from: "", host: HOSTS.join(","), version: "1.2.0" },
      secrets: {
        BOSUN_SSH_KEY: readFileSync(layout.keyFile, "utf8").trim(),
        BOSUN_KNOWN_HOSTS: readFileSync(layout.knownHostsFile, "utf8"),
        BOSUN_VAULT_PASSWORD: "e2e vault password",
      },
      runner: { temp: runnerTemp, os: "Linux" },
      env: {},
      github: { workspace },
    };
    const githubEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_WORKSPACE: workspace,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_ENV: path.join(runnerTemp, "github-env"),
      GITHUB_OUTPUT: path.join(runnerTemp, "github-output"),
      GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
      GITHUB_ACTOR: "octo-deployer",
      GITHUB_REPOSITORY: "example/infra",
      GITHUB_RUN_ID: "4242",
      RUNNER_TEMP: runnerTemp,
      RUNNER_OS: "Linux",
      // The self-hosted runner's own setting: a private state dir (versions, locks) for this test.
      BOSUN_STATE_DIR: stateDir,
    };
    const jobEnv = Object.fromEntries(Object.entries(wf.jobs.run.env).map(([k, v]) => [k, expand(v, ctx)]));
    ctx.env = jobEnv as Record<string, string>;

    let failed = false;
    const ran: string[] = [];
    for (const step of wf.jobs.run.steps) {
      if (failed && step.if !== "always()") continue;
      if (step.uses) {
        if (step.uses.startsWith("actions/upload-artifact")) {
          const artifact = expand(step.with?.path ?? "", ctx);
          assert.ok(existsSync(artifact) && statSync(artifact).size > 0, `artifact ${artifact} exists`);
        }
        ran.push(step.uses);
        continue;
      }
      const script = path.join(runnerTemp, `step-${ran.length}.sh`);
      writeFileSync(script, expand(step.run ?? "", ctx));
      const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v, ctx)]));
      // GitHub's default shell on Linux runners.
      const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
        cwd: workspace,
        env: { ...githubEnv, ...jobEnv, ...stepEnv },
        encoding: "utf8",
        maxBuffer: 64 << 20,
      });
      ran.push(step.name ?? step.run?.split("\n")[0] ?? "");
      if (r.status !== 0) {
        failed = true;
        assert.fail(`step "${step.name ?? step.run}" exited ${r.status}:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-3000)}`);
      }
    }
    assert.deepEqual(ran.slice(0, 4), ["actions/checkout@v4", "actions/setup-node@v4", "npm ci --no-fund --no-audit", "npm run build"]);

    assert.equal(statSync(path.join(runnerTemp, "vault-password")).mode & 0o777, 0o600);
    assert.equal(readFileSync(path.join(runnerTemp, "vault-password"), "utf8"), "e2e vault password");
    assert.equal(statSync(path.join(runnerTemp, "bosun-ssh/id")).mode & 0o777, 0o600);
    const record = readFileSync(path.join(runnerTemp, "bosun-run.ndjson"), "utf8");
    const finished = record
      .split("\n")
      .filter((l) => l.includes('"stage_finished"'))
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      finished.map((e) => [e.stage, e.env, e.result]),
      [["6-app", "dev", "ok"]],
    );
    const md = readFileSync(summary, "utf8");
    assert.match(md, /## Bosun pipeline ✅ passed/);
    for (const h of HOSTS) assert.match(md, new RegExp(`\\| ${h} \\| 6-app \\| 1\\.2\\.0 \\|`));
    // The run is recorded as GitHub's: by the actor, via github, at the workflow's commit.
    const hist = readFileSync(path.join(stateDir, "pipelines/example/dev/6-app.json"), "utf8");
    const last = JSON.parse(hist).history.at(-1);
    assert.equal(last.by, "octo-deployer");
    assert.equal(last.via, "ci");
    assert.equal(last.commit, githubEnv.GITHUB_SHA);
    for (const h of HOSTS) assert.equal((await onHost(h, "curl -fsS http://127.0.0.1:9200/version")).stdout.trim(), "1.2.0");
  });
});
