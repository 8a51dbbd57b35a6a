/**
 * Site for test/e2e/accounts.test.ts: group, user and authorizedKeys on one host.
 * `-e phase=…`: present (the account with two keys), exclusive (only the first key), absent (remove it all).
 */
import { authorizedKeys, deploy, group, role, user } from "bosun";

export const NAME = "bosune2e";
export const ID = 2901;
export const KEYS = [
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC1FG+UvoGwFqzayjTceRhQ/QIWutTv8XBmmcZ0cGomv alice@laptop",
  "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPdnFLHZ6Qo3qPhfJdeoPDcY2/B0UtRFmPlbGPZay4GliwlI/jTZFq6ZfE9sdyMCKCD82xTMx/lF0SWm6kBxA5U= bob@ci",
] as const;

const accounts = role("accounts", (_p: undefined, ctx) => {
  const phase = String(ctx.vars.phase ?? "present");
  if (phase === "absent") {
    user(NAME, { state: "absent", remove: true });
    group(NAME, { state: "absent" });
    return;
  }
  group(NAME, { gid: ID });
  user(NAME, { uid: ID, group: NAME, groups: ["adm"], shell: "/bin/sh", home: `/srv/${NAME}-home`, comment: "Bosun e2e" });
  authorizedKeys(NAME, phase === "exclusive" ? { keys: [KEYS[0]], exclusive: true } : { keys: [...KEYS] });
});

export default deploy("accounts", [{ hosts: "all", roles: [accounts()] }]);
