// The bosunServer role on a lab host (e2e: server-role.test.ts). Vars: archive and runtime (the packs of
// scripts/pack-server.ts), repo, listen, tokens (JSON), tls_cert (PEM) with tls_key (vaulted) for HTTPS.
import { type Content, deploy, role } from "bosun";
import { type BosunServerParams, bosunServer } from "bosun/roles";

const server = role("servedFleet", () => {}, {
  deps: (_p: undefined, ctx) => {
    const cert = ctx.var("tls_cert", "");
    return [
      bosunServer({
        repo: String(ctx.var("repo")),
        environments: { local: { site: "site.ts", inventory: "inventory.yml", policy: "auto" } },
        listen: String(ctx.var("listen", "127.0.0.1:8700")),
        tokens: JSON.parse(String(ctx.var("tokens", "[]"))) as BosunServerParams["tokens"],
        ...(cert ? { tls: { cert: String(cert), key: ctx.var<Content>("tls_key") } } : {}),
        pollInterval: 2,
        gracePeriod: 5,
        archive: String(ctx.var("archive")),
        runtime: String(ctx.var("runtime")),
      }),
    ];
  },
});

export default deploy("server-role", [{ hosts: "all", roles: [server()] }]);
