import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { onHost } from "./helpers.js";
import { applyOk, hostsFromEnv, labHostsNamed, runSite, shOn, vaultInventory } from "./roles-service-kit.js";

const [APP, REGISTRY] = hostsFromEnv("BOSUN_E2E_ROLES_DOCKER_HOSTS", "web12,web13") as [string, string];
const SITE = "test/e2e/roles-docker-site.ts";
const TOKEN = `tok-${process.pid}-secret`;

/** Builds a busybox httpd image on the registry host and pushes it; `health: false` leaves out /health. */
function buildAndPush(registry: string, tag: string, health: boolean): string {
  return [
    "set -e",
    `d=$(mktemp -d); mkdir -p $d/bin $d/www`,
    "cp /bin/busybox $d/bin/busybox",
    "for a in sh httpd wget cat env; do ln -s busybox $d/bin/$a; done",
    `echo 'hello v${tag}' > $d/www/index.html`,
    health ? "echo ok > $d/www/health" : "true",
    `tar -C $d -c . | docker import -c 'CMD ["/bin/httpd","-f","-p","80","-h","/www"]' - ${registry}/hello:${tag} >/dev/null`,
    `docker push -q ${registry}/hello:${tag} >/dev/null`,
    "rm -rf $d",
  ].join("\n");
}

describe("role dockerService (a registry on the lab, a service pulled from it)", () => {
  let inv = "";
  let app = { name: "", address: "" };
  let registry = "";
  const fromRegistryHost = (path = "/") => onHost(REGISTRY, `curl -fsS --max-time 3 http://${app.address}:8080${path}`);

  before(async () => {
    const [a, r] = await labHostsNamed([APP, REGISTRY]);
    app = a as typeof app;
    registry = `${(r as { address: string }).address}:5000`;
    // The lab's engine differences (LAB-NOTES): vfs storage, crun without cgroups, the plain-HTTP registry.
    const docker_engine = {
      storageDriver: "vfs",
      defaultRuntime: "crun-nocg",
      runtimes: { "crun-nocg": { path: "/usr/bin/crun", runtimeArgs: ["--cgroup-manager=disabled"] } },
      insecureRegistries: [registry],
      packages: ["crun"],
    };
    inv = await vaultInventory({ app: [app], registry: [r as typeof app] }, { docker_engine, registry }, { api_token: TOKEN });
    await shOn(
      APP,
      "systemctl disable --now docker-hello 2>/dev/null; docker rm -f hello hello-candidate 2>/dev/null; rm -rf /etc/bosun-docker; mkdir -p /srv/data/hello; true",
    );
  });

  it("runs the registry and pushes three images built on the lab", async () => {
    await applyOk(SITE, inv, {}, ["-l", REGISTRY]);
    for (const [tag, health] of [
      ["1", true],
      ["2", true],
      ["3", false],
    ] as const)
      await shOn(REGISTRY, buildAndPush(registry, tag, health));
    const tags = JSON.parse(await shOn(REGISTRY, "curl -fsS http://127.0.0.1:5000/v2/hello/tags/list")).tags as string[];
    assert.deepEqual(tags.sort(), ["1", "2", "3"]);
  });

  it("deploys tag 1: the container answers on its port from another host, with the vaulted env; apply twice = 0 changes", async () => {
    await shOn(APP, "systemctl disable --now docker-hello 2>/dev/null; docker rm -f hello 2>/dev/null; rm -rf /etc/bosun-docker; true");
    const first = await applyOk(SITE, inv, { tag: "1" });
    assert.ok(first.changed.includes(`${APP}: command deploy hello ${registry}/hello:1`), first.changed.join("\n"));
    assert.equal((await fromRegistryHost()).stdout, "hello v1\n");
    assert.equal(await shOn(APP, "docker exec hello env | grep -E '^(GREETING|API_TOKEN)=' | sort"), `API_TOKEN=${TOKEN}\nGREETING=hi\n`);
    assert.equal(
      await shOn(APP, `stat -c %a /etc/bosun-docker/hello.env; ps -eo args | grep -c '[t]ok-${process.pid}-secret' || true`),
      "600\n0\n",
    );
    assert.ok(!first.stdout.includes(TOKEN) && !first.stderr.includes(TOKEN));
    const again = await applyOk(SITE, inv, { tag: "1" });
    assert.deepEqual(again.changed, []);
  });

  it("deploys tag 2 beside the old container, then removes the old one", async () => {
    await applyOk(SITE, inv, { tag: "2" });
    assert.equal((await fromRegistryHost()).stdout, "hello v2\n");
    assert.equal(await shOn(APP, "docker ps -a --format '{{.Names}} {{.Image}}'"), `hello ${registry}/hello:2\n`);
  });

  it("a tag that fails its health check fails the host and leaves tag 2 running", async () => {
    const bad = await runSite("apply", SITE, inv, { tag: "3" });
    assert.equal(bad.code, 1);
    assert.match(bad.failed.join("\n"), /hello:3 failed its health check \(unhealthy\); the running container was left alone/);
    assert.equal((await fromRegistryHost()).stdout, "hello v2\n");
    assert.equal(await shOn(APP, "docker ps -a --format '{{.Names}} {{.Image}}'"), `hello ${registry}/hello:2\n`);
  });

  it("repairs a hand-edited env file (diff with the secret masked) and rolls back to tag 1", async () => {
    await shOn(APP, "echo DEBUG=1 >> /etc/bosun-docker/hello.env");
    const plan = await runSite("plan", SITE, inv, { tag: "2" });
    assert.deepEqual(plan.changed, [`${APP}: file /etc/bosun-docker/hello.env`]);
    const diff = plan.events.find((e) => e.changed)?.diff ?? "";
    // The file holds a secret: a removed line is never shown (it may be an old secret), only that one went.
    assert.match(diff, /^-\*\*\* \(old line hidden: the file holds a secret\)$/m);
    assert.doesNotMatch(diff, /DEBUG/);
    assert.ok(diff.includes("API_TOKEN=***") && !diff.includes(TOKEN));
    await applyOk(SITE, inv, { tag: "2" });
    assert.equal(await shOn(APP, "docker exec hello env | grep -c DEBUG || true"), "0\n");
    await applyOk(SITE, inv, { tag: "1" });
    assert.equal((await fromRegistryHost()).stdout, "hello v1\n");
  });
});
