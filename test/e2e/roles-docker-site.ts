// e2e sites of roles-docker.test.ts. Play "registry" (group registry): Debian's docker-registry without auth
// and a Docker engine to build and push images. Play "app" (group app): the hello service at var tag,
// with a vaulted env var. The lab's engine settings come from the inventory var docker_engine.
import { apt, command, deploy, file, handler, role, service } from "bosun";
import { dockerService } from "bosun/roles";

const registry = role("registry", () => {
  apt(["docker-registry", "busybox-static"], { installRecommends: false });
  file("/etc/docker/registry/config.yml", {
    content: "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/docker-registry\nhttp:\n  addr: :5000\n",
    mode: "0644",
    notify: "restart registry",
  });
  service("docker-registry", { state: "started", enabled: true });
  handler("restart registry", () => {
    service("docker-registry", { state: "restarted" });
    command("for i in $(seq 50); do curl -fsS http://127.0.0.1:5000/v2/ >/dev/null && exit 0; sleep 0.2; done; exit 1", {
      name: "registry answers",
    });
  });
});

const app = role("hello", () => {}, {
  deps: (_p: undefined, ctx) => [
    dockerService({
      services: [
        {
          name: "hello",
          image: `${ctx.var("registry")}/hello`,
          tag: String(ctx.var("tag", "1")),
          ports: ["8080:80"],
          volumes: ["/srv/data/hello:/data:ro"],
          env: { GREETING: "hi", API_TOKEN: ctx.var("api_token") },
          healthcheck: { cmd: "wget -q -O /dev/null http://127.0.0.1/health", intervalSeconds: 1, retries: 2 },
          probe: { url: "http://127.0.0.1:8080/health" },
          healthTimeoutSeconds: 20,
        },
      ],
    }),
  ],
});

export default deploy("roles-docker", [
  { name: "registry", hosts: "registry", roles: [dockerService({}), registry()] },
  { name: "app", hosts: "app", roles: [app()] },
]);
