/**
 * Site for test/e2e/text-system-ops.test.ts: lineInFile, blockInFile, sysctl, timezone, hostname,
 * cron and sudoers on one host. `-e phase=…` picks what to declare: main (the desired state),
 * bad-sudoers / bad-timezone / sysctl-live (ops that must fail), restore (put the host back).
 */
import { absent, blockInFile, cron, deploy, hostname, lineInFile, role, sudoers, sysctl, timezone } from "bosun";

export const DIR = "/etc/bosun-e2e-textops";
export const CONF = `${DIR}/app.conf`;
export const NAME = "bosun-e2e-textops";
export const SUDOERS = "Cmnd_Alias BOSUN_E2E_TEXTOPS = /usr/bin/true\n";

const ops = role("text-system-ops", (_p: undefined, ctx) => {
  const phase = String(ctx.vars.phase ?? "main");
  if (phase === "main") {
    lineInFile(CONF, { regexp: "^#?\\s*port\\s*=", line: "port = 8080", mode: "0640" });
    lineInFile(CONF, { line: "debug = false", insertAfter: "^port\\s" });
    lineInFile(CONF, { regexp: "^obsolete", state: "absent" });
    blockInFile(CONF, { name: "limits", block: "max_conn = 100\ntimeout = 30\n" });
    sysctl("net.ipv4.ip_forward", 0, { file: `/etc/sysctl.d/99-${NAME}.conf` });
    timezone("Europe/Paris");
    hostname("bosun-e2e-db1");
    cron(NAME, { schedule: "*/5 * * * *", command: "/usr/bin/true" });
    sudoers(NAME, { content: SUDOERS });
  } else if (phase === "bad-sudoers") {
    sudoers(NAME, { content: "root ALL=(ALL) NOPASSWD BOSUN_E2E_TEXTOPS\n" });
  } else if (phase === "bad-timezone") {
    timezone("Nowhere/Atlantis");
  } else if (phase === "sysctl-live") {
    // Not a network sysctl: those are writable in a lab host booted --containers (own netns, all capabilities).
    sysctl("vm.swappiness", 1, { file: `/etc/sysctl.d/99-${NAME}.conf` });
  } else if (phase === "restore") {
    timezone(String(ctx.vars.tz ?? "Etc/UTC"));
    hostname(String(ctx.vars.name ?? "db1"));
    cron(NAME, { schedule: "@daily", command: "true", state: "absent" });
    sudoers(NAME, { state: "absent" });
    absent(`/etc/sysctl.d/99-${NAME}.conf`);
    absent(DIR);
  } else throw new Error(`unknown phase ${phase}`);
});

export default deploy("text-system-ops", [{ hosts: "all", roles: [ops()] }]);
