/**
 * Site for the grafana part of test/e2e/roles-monitoring.test.ts. Grafana's apt repository is not
 * reachable from the lab: the test plans this site (it never applies it) to check what would be done.
 */
import { readFileSync } from "node:fs";
import { deploy, role } from "bosun";
import { grafana } from "../../../src/roles/index.js";

const site = role("grafana-site", () => {}, {
  deps: (_p, ctx) => [
    grafana({
      repository: {
        uri: "https://mirror.example/grafana/deb",
        key: readFileSync(new URL("../../fixtures/apt/test-repo.asc", import.meta.url), "utf8"),
      },
      adminPassword: ctx.var("grafana_admin"),
      rootUrl: "https://ops.lab/grafana/",
      users: [{ login: "alice", password: ctx.var("grafana_alice"), role: "Editor" }],
      tokens: [{ name: "ci", role: "Viewer" }],
      // Only planned: the plan says the token would be stored here, and writes nothing.
      tokenVault: "secrets/grafana.yml.vault",
    }),
  ],
});

export default deploy("roles-grafana", [{ hosts: "monitoring", roles: [site()] }]);
