/**
 * The example site: a common base on every host, and on the web hosts a versioned app under
 * systemd behind an nginx reverse proxy. Apply it to the lab:
 *
 *   bosun lab up 3
 *   bosun plan examples/site.ts -i lab
 *   bosun apply examples/site.ts -i lab
 *   bosun apply examples/site.ts -i lab -e app_version=1.1.0   # a new release, 50% of the web hosts at a time
 */
import { deploy } from "bosun";
import { app } from "./roles/app.js";
import { common } from "./roles/common.js";
import { nginx } from "./roles/nginx.js";

export default deploy("example", [
  {
    name: "base",
    hosts: "all",
    roles: [common({ contact: "ops@example.com" })],
  },
  {
    name: "web",
    hosts: "web",
    serial: "50%",
    maxFailPercentage: 0,
    roles: [
      app({ version: "1.0.0", port: 9100 }),
      nginx({ sites: [{ name: "app", upstream: "127.0.0.1:9100" }] }),
    ],
  },
]);
