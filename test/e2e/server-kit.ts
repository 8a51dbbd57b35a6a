/**
 * What test/e2e/server.test.ts drives: a tracked bare repository with commits pushed to it, the
 * `bosun serve` process (started, stopped with a signal, killed), its API, and a webhook receiver.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { BIN, ROOT } from "./helpers.js";

/** A bare repository and a clone that commits and pushes versions of the test site to it. */
export class TrackedRepo {
  readonly bare: string;
  private readonly work: string;

  constructor(dir: string) {
    this.bare = path.join(dir, "infra.git");
    this.work = path.join(dir, "work");
    execFileSync("git", ["init", "-q", "--bare", "-b", "main", this.bare]);
    execFileSync("git", ["init", "-q", "-b", "main", this.work]);
  }

  private git(...args: string[]): string {
    return execFileSync("git", ["-C", this.work, "-c", "user.name=Ann Ops", "-c", "user.email=ann@example.com", ...args], {
      encoding: "utf8",
    }).trim();
  }

  /** Writes a file of the work tree (committed with the next push). */
  write(name: string, content: string): void {
    writeFileSync(path.join(this.work, name), content);
  }

  /** Returns the path of a file in the work tree. */
  file(name: string): string {
    return path.join(this.work, name);
  }

  /** Commits a site writing `version` to the hosts (after a slow step of `slowS` seconds when > 0), pushes it, returns its SHA. */
  push(version: string, slowS = 0): string {
    writeFileSync(
      path.join(this.work, "site.ts"),
      `import { command, deploy, directory, file, role } from "bosun";

const app = role("app", () => {
  directory("${SITE_DIR}");
  ${slowS > 0 ? `command("sleep ${slowS}", { name: "slow step", creates: "${SITE_DIR}/slow-${version}" });\n  file("${SITE_DIR}/slow-${version}", { content: "done\\n" });` : ""}
  file("${SITE_DIR}/version", { content: "${version}\\n" });
});

export default deploy("server-e2e", [{ hosts: "all", roles: [app()] }]);
`,
    );
    this.git("add", "-A");
    this.git("commit", "-qm", `deploy ${version}`);
    this.git("push", "-q", this.bare, "main");
    return this.git("rev-parse", "HEAD");
  }
}

export const SITE_DIR = "/etc/bosun-e2e-server";
export const STAGE_DIR = "/etc/bosun-e2e-stage";

/**
 * Writes the repository's pipeline: one site stage "6-app" with typed inputs of every kind the
 * dashboard draws (hosts, semver, choice, boolean, number), verified on the hosts; environments dev
 * and prod (prod requires confirmation), both on the lab.
 */
export function writeStagePipeline(repo: TrackedRepo, defaultHost: string): void {
  repo.write(
    "app-site.ts",
    `import { command, deploy, directory, file, role } from "bosun";

const app = role("app", (_p: Record<string, never>, ctx) => {
  const slow = Number(ctx.var("app_slow", 0));
  directory("${STAGE_DIR}");
  if (slow > 0) command(\`sleep \${slow}\`, { name: "slow step" });
  file("${STAGE_DIR}/version", { content: \`\${String(ctx.var("app_version", "0.0.0"))}\\n\` });
  file("${STAGE_DIR}/channel", { content: \`\${String(ctx.var("app_channel", "stable"))} maintenance=\${String(ctx.var("app_maintenance", false))}\\n\` });
});

export default deploy("app", [{ hosts: "all", roles: [app({})] }]);
`,
  );
  repo.write(
    "pipeline.ts",
    `import { check, input, pipeline, stage } from "bosun";

export default pipeline(
  "shop",
  [
    stage({
      id: "6-app",
      description: "the versioned app",
      site: "app-site.ts",
      inputs: {
        host: input.hosts({ description: "hosts to deploy to", default: "${defaultHost}" }),
        version: input.semver({ description: "release to deploy", required: true }),
        channel: input.choice(["stable", "beta"], { default: "stable" }),
        maintenance: input.boolean({ default: false }),
        slow: input.number({ description: "seconds of a slow step", default: 0, min: 0, max: 60 }),
      },
      vars: (i) => ({ app_version: i.version, app_channel: i.channel, app_maintenance: i.maintenance, app_slow: i.slow }),
      verify: [check.command((c) => ["grep", "-qx", String(c.inputs.version), "${STAGE_DIR}/version"], { name: "app version" })],
    }),
  ],
  { environments: { dev: { inventory: "lab" }, prod: { inventory: "lab", confirm: true } } },
);
`,
  );
}

/** The `bosun serve` process. */
export class ServerProcess {
  url = "";
  output = "";
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;

  constructor(
    private readonly configFile: string,
    private readonly port: number,
  ) {}

  /** Starts the server; resolves once it listens. */
  async start(): Promise<void> {
    this.output = "";
    const child = spawn(process.execPath, [BIN, "serve", "-c", this.configFile], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1", BOSUN_LOG: "server=info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    const collect = (d: Buffer) => (this.output += d.toString());
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const deadline = Date.now() + 30_000;
    while (!/listening on (\S+)/.test(this.output)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`bosun serve did not start:\n${this.output}`);
      await sleep(100);
    }
    this.url = (/listening on (\S+)/.exec(this.output) as RegExpExecArray)[1] as string;
  }

  /** Sends signal and returns the exit code once the process is gone. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    this.child?.kill(signal);
    const code = (await this.exited) ?? null;
    // The server's log is a test artifact: one file per start.
    appendFileSync(
      path.join(artifactsDir(), "server.log"),
      `--- bosun serve on port ${this.port}, ended by ${signal} (exit ${code})\n${this.output}`,
    );
    return code;
  }
}

/** A webhook receiver on 127.0.0.1: every JSON body POSTed to it. */
export class WebhookReceiver {
  readonly received: Record<string, unknown>[] = [];
  private readonly server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      this.received.push(JSON.parse(body) as Record<string, unknown>);
      res.end("ok");
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    const addr = this.server.address() as { port: number };
    return `http://127.0.0.1:${addr.port}/hook`;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** Returns a TCP port free on host (default 127.0.0.1) right now. */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, host, r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns a truthy value; fails naming `what` after timeoutMs. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await sleep(250);
  }
}

/** Returns the directory for this test's screenshots (test-artifacts/server, gitignored). */
export function artifactsDir(): string {
  const dir = path.join(ROOT, "test-artifacts", "server");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Makes a test CA and a server certificate it signs for ip (subjectAltName IP), with openssl.
 * Returns the files: ca (the CA certificate clients trust), cert and key (the server's).
 */
export function makeTestCa(dir: string, ip: string): { ca: string; cert: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const f = (n: string) => path.join(dir, n);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  ssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.pem"),
    "-days",
    "2",
    "-subj",
    "/CN=Bosun test CA",
  );
  ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", `/CN=${ip}`);
  writeFileSync(f("ext.cnf"), `subjectAltName=IP:${ip}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  ssl(
    "x509",
    "-req",
    "-in",
    f("server.csr"),
    "-CA",
    f("ca.pem"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-out",
    f("server.pem"),
    "-days",
    "2",
    "-extfile",
    f("ext.cnf"),
  );
  return { ca: f("ca.pem"), cert: f("server.pem"), key: f("server.key") };
}
