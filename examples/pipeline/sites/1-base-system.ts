import { deploy } from "bosun";
import { common } from "../../roles/common.js";

// The example admins' public keys (public: safe to commit).
const ALICE_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHfT/uLXF78jH/gYi6pJxkETa6HscbBjWadRwbHAkqHb alice@example.com";

export default deploy("1-base-system", [
  {
    name: "base system",
    hosts: "all",
    roles: [common({ timezone: "UTC", contact: "ops@example.com", users: [{ name: "alice", sudo: true, keys: [ALICE_KEY] }] })],
  },
]);
