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

// Public keys of the example's admins (public: safe to commit).
const ALICE_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHfT/uLXF78jH/gYi6pJxkETa6HscbBjWadRwbHAkqHb alice@example.com";
const BOB_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC6TbosAiYWiYj4FK2dyTjcTdZb9E97rZmeUOsPIKxwl bob@example.com";

export default deploy("example", [
  {
    name: "base",
    hosts: "all",
    roles: [
      common({
        timezone: "UTC",
        contact: "ops@example.com",
        users: [
          { name: "alice", sudo: true, keys: [ALICE_KEY] },
          { name: "bob", keys: [BOB_KEY] },
        ],
        sysctl: { "net.core.somaxconn": 1024, "net.ipv4.tcp_syncookies": 1 },
      }),
    ],
  },
  {
    name: "web",
    hosts: "web",
    serial: "50%",
    maxFailPercentage: 0,
    roles: [app({ version: "1.0.0", port: 9100 }), nginx({ sites: [{ name: "app", upstream: "127.0.0.1:9100" }] })],
  },
]);
