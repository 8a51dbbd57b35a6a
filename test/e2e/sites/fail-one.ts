// A site whose middle operation fails on web2 only (e2e: the other hosts complete).
import { command, deploy, directory, file, role } from "bosun";

const r = role("fail-one", (_p: undefined, ctx) => {
  directory("/srv/e2e-fail");
  file("/srv/e2e-fail/before", { content: "before\n" });
  command(`[ "$(hostname)" != web2 ] || { echo "refusing on purpose on web2" >&2; exit 3; }`, { name: "fails on web2" });
  file("/srv/e2e-fail/after", { content: `after on ${ctx.host}\n` });
});

export default deploy("fail-one", [{ hosts: "all", roles: [r()] }]);
