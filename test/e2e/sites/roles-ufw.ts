/**
 * Site for test/e2e/roles-ufw.test.ts: two listeners (busybox httpd) on the "fw" host behind ufw: 8081
 * allowed from nowhere, 8082 allowed from the "friend" host only, node exporter's 9100 from the lab.
 * -e lockout=1: SSH allowed only from a network the operator is not in.
 * -e wrong_ssh_port=1: the role is told SSH is on 2222 (sshd listens on 22): the ruleset check inside
 * the apply passes, and only the engine's fresh SSH connection finds the lockout.
 */
import { apt, deploy, directory, file, role, service, systemdUnit } from "bosun";
import { ufw } from "../../../src/roles/index.js";

const listeners = role("listeners", () => {
  apt(["busybox-static"], { installRecommends: false });
  directory("/srv/www", { mode: "0755" });
  file("/srv/www/index.html", { content: "open\n" });
  for (const port of [8081, 8082]) {
    systemdUnit(`listen-${port}`, {
      content: `[Service]\nExecStart=/bin/busybox httpd -f -p ${port} -h /srv/www\n\n[Install]\nWantedBy=multi-user.target\n`,
    });
    service(`listen-${port}`, { state: "started", enabled: true });
  }
});

const firewall = role("firewall", () => {}, {
  deps: (_p, ctx) => [
    ufw({
      sshFrom: ctx.vars.lockout ? ["10.9.9.0/24"] : undefined,
      sshPort: ctx.vars.wrong_ssh_port ? 2222 : undefined,
      rules: [
        { port: 8082, proto: "tcp", from: String(ctx.hostVars(ctx.groupHosts("friend")[0] as string).bosun_host) },
        { port: 9100, proto: "tcp", from: "198.18.0.0/24" },
      ],
    }),
  ],
});

export default deploy("roles-ufw", [{ hosts: "fw", roles: [listeners(), firewall()] }]);
