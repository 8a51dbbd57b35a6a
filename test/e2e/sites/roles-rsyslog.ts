/** Site for test/e2e/roles-rsyslog.test.ts: the "log" host collects, the "clients" forward to it. */
import { deploy, role } from "bosun";
import { rsyslogClient, rsyslogServer } from "../../../src/roles/index.js";

const client = role("log-client", () => {}, {
  deps: (_p, ctx) => [rsyslogClient({ server: ctx.groupHosts("log")[0] as string, retryInterval: 1 })],
});

export default deploy("roles-rsyslog", [
  { hosts: "log", roles: [rsyslogServer({ retentionDays: 2 })] },
  { hosts: "clients", roles: [client()] },
]);
