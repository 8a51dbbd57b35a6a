// A site whose middle operation fails on one host only, $E2E_FAIL_HOST (e2e: the other hosts complete).
import { command, deploy, directory, file, role } from "bosun";

const FAIL = process.env.E2E_FAIL_HOST ?? "web2";

const r = role("fail-one", (_p: undefined, ctx) => {
  directory("/srv/e2e-fail");
  file("/srv/e2e-fail/before", { content: "before\n" });
  if (ctx.host === FAIL) command(`echo "refusing on purpose on ${FAIL}" >&2; exit 3`, { name: "fails on one host" });
  else command("true", { name: "fails on one host" });
  file("/srv/e2e-fail/after", { content: `after on ${ctx.host}\n` });
});

export default deploy("fail-one", [{ hosts: "all", roles: [r()] }]);
