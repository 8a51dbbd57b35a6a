import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/load.js";
import { type LabHost, tempDir } from "./helpers.js";
import { applyOk, assertIdempotent, type RoleRun, roleHosts, runSite, sh, vaulted, writeInventory } from "./roles-lab.js";

const SITE = "test/e2e/sites/roles-nginx.ts";
let web: LabHost;
let inv: string;
let ca: string;
let keyBody: string;
const outputs: string[] = [];

/** Makes a lab CA and a certificate for web.lab and the host's address, signed by it; returns the file paths. */
function labCa(dir: string, address: string) {
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=bosun lab CA", "-keyout", "ca.key", "-out", "ca.pem");
  run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=web.lab", "-keyout", "web.key", "-out", "web.csr");
  const ext = path.join(dir, "ext.cnf");
  execFileSync("sh", ["-c", `printf 'subjectAltName=DNS:web.lab,IP:${address}\\n' > ${ext}`]);
  run(
    "x509",
    "-req",
    "-in",
    "web.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    ext,
    "-out",
    "web.crt",
  );
  return { ca: path.join(dir, "ca.pem"), cert: path.join(dir, "web.crt"), key: path.join(dir, "web.key") };
}

/** curl from this machine (on the lab bridge) to web.lab at the host's address. */
function curl(args: string[]): string {
  return execFileSync(
    "curl",
    ["-sS", "--max-time", "10", "--resolve", `web.lab:443:${web.address}`, "--resolve", `web.lab:80:${web.address}`, ...args],
    {
      encoding: "utf8",
    },
  );
}

const keep = (r: RoleRun) => {
  outputs.push(r.stdout, r.stderr);
  return r;
};

before(async () => {
  web = (await roleHosts())[1] as LabHost;
  const files = labCa(tempDir(), web.address);
  ca = files.ca;
  const key = readFileSync(files.key, "utf8");
  keyBody = key.split("\n")[3] as string;
  inv = await writeInventory({ web: [web] }, { tls_cert: readFileSync(files.cert, "utf8"), tls_key: await vaulted(key) });
  await sh(web.name, "rm -rf /etc/nginx/conf.d/bosun-* /etc/nginx/tls; true");
});

describe("nginx role", () => {
  it("converges, and a second apply changes nothing", async () => {
    keep(await applyOk(SITE, inv));
    await assertIdempotent(SITE, inv);
  });

  it("proxies two routes to two upstreams over HTTPS, verified against the lab CA", () => {
    assert.equal(curl(["--cacert", ca, "https://web.lab/a/"]), "upstream a\n");
    assert.equal(curl(["--cacert", ca, "https://web.lab/b/"]), "upstream b saw /b/\n");
  });

  it("redirects HTTP to HTTPS", () => {
    const head = curl(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "http://web.lab/a/x?y=1"]);
    assert.equal(head, "301 https://web.lab/a/x?y=1");
  });

  it("a config nginx -t rejects fails the host naming the file; nginx keeps serving the working one", async () => {
    const r = keep(await runSite("apply", SITE, inv, ["-e", "broken=1"]));
    assert.equal(r.code, 1);
    assert.match(
      r.failed.join("\n"),
      /bosun-web\.conf: `nginx -t -q` rejected the new content;[\s\S]*host not found in upstream "no-such-upstream\.lab/,
    );
    assert.doesNotMatch(await sh(web.name, "cat /etc/nginx/conf.d/bosun-web.conf"), /no-such-upstream/);
    assert.equal(curl(["--cacert", ca, "https://web.lab/b/"]), "upstream b saw /b/\n");
  });

  it("a key changed by hand shows in plan without its content and is repaired; the key never appears in output", async () => {
    await sh(web.name, "openssl genpkey -algorithm ed25519 -out /etc/nginx/tls/web.key 2>/dev/null");
    const plan = keep(await runSite("plan", SITE, inv));
    assert.deepEqual(plan.changed, [`${web.name}: file /etc/nginx/tls/web.key`]);
    keep(await applyOk(SITE, inv));
    assert.equal(curl(["--cacert", ca, "https://web.lab/a/"]), "upstream a\n");
    const { config } = await loadConfig();
    outputs.push(readFileSync(path.join(config.state_dir, "runs.jl"), "utf8"));
    assert.ok(keyBody.length > 40);
    assert.equal(outputs.filter((o) => o.includes(keyBody)).length, 0, "the private key never shows");
  });
});
