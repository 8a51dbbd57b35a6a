// A site whose first op notifies a handler, then takes a while: for interruption and lost-connection tests.
// E2E_VERSION picks the content; E2E_STEPS short steps follow the slow one.
import { command, deploy, directory, file, handler, role } from "bosun";

const version = process.env.E2E_VERSION ?? "1";
const steps = Number(process.env.E2E_STEPS ?? "0");
const slow = process.env.E2E_SLOW ?? "2";

const r = role("pending", () => {
  directory("/srv/e2e-pend");
  file("/srv/e2e-pend/conf", { content: `v${version}\n`, notify: "reload" });
  command(`sleep ${slow}`, { name: "slow step" });
  for (let i = 1; i <= steps; i++) command("sleep 0.3", { name: `step ${i}` });
  file("/srv/e2e-pend/after", { content: `v${version}\n` });
  handler("reload", () => void command("echo reloaded >> /srv/e2e-pend/reloads", { name: "reload" }));
});

export default deploy("pending", [{ name: "pending", hosts: "all", roles: [r()] }]);
