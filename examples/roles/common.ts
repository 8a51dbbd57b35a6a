import { apt, directory, file, handler, command, role, service, template } from "bosun";

export interface CommonParams {
  /** Unix users to create, each with its authorized SSH keys. */
  users?: { name: string; keys: string[]; shell?: string; sudo?: boolean }[];
  contact?: string;
  /** sysctl settings written to one drop-in. */
  sysctl?: Record<string, string | number>;
}

/** sshd settings every host gets (root keeps key-only access: the lab and bootstrap use it). */
export const SSHD_HARDENING = `# Managed by bosun
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
PermitEmptyPasswords no
X11Forwarding no
MaxAuthTries 3
ClientAliveInterval 300
`;

/** The common base: packages, shell, motd, sshd hardening with a validated reload, data dirs. */
export const common = role("common", (p: CommonParams, ctx) => {
  apt(["zsh", "curl", "ca-certificates"], { installRecommends: false });
  template("/etc/motd", {
    src: new URL("../templates/motd.tpl", import.meta.url).pathname,
    vars: { host: ctx.host, environment: ctx.var("environment", "production"), deployment: "example", contact: p.contact ?? "ops@example.com" },
  });
  file("/etc/ssh/sshd_config.d/10-bosun-hardening.conf", { content: SSHD_HARDENING, mode: "0644", notify: "reload sshd" });
  directory("/srv/data", { mode: "0755" });
  directory("/srv/data/example", { mode: "0750" });
  directory("/srv/backup", { mode: "0700" });
  handler("reload sshd", () => {
    command("/usr/sbin/sshd -t", { name: "sshd -t" });
    service("ssh", { state: "reloaded" });
  });
}, { tags: ["common"] });
