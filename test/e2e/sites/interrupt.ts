// A site that writes big files around a slow step, for the SIGINT test. BIG_VERSION picks the content.
import { command, deploy, directory, file, role } from "bosun";

const version = process.env.BIG_VERSION ?? "a";
// The interrupted run makes the slow step long (SLOW_S), so the signal lands inside it even on a loaded machine.
const slow = Number(process.env.SLOW_S ?? 2);
const big = (name: string) => `${name}:${version}\n`.repeat(200_000); // ~2.4 MB each

const r = role("interrupt", () => {
  directory("/srv/e2e-int");
  file("/srv/e2e-int/one", { content: big("one") });
  command(`sleep ${slow}`, { name: "slow step", unless: `grep -q '^one:${version}$' /srv/e2e-int/done 2>/dev/null` });
  file("/srv/e2e-int/two", { content: big("two") });
  file("/srv/e2e-int/done", { content: `one:${version}\n` });
});

export default deploy("interrupt", [{ hosts: "all", serial: 1, roles: [r()] }]);
