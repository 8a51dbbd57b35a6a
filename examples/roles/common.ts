import {
  apt,
  authorizedKeys,
  command,
  directory,
  file,
  group,
  handler,
  role,
  service,
  sudoers,
  sysctl,
  template,
  timezone,
  user,
} from "bosun";

export interface Person {
  name: string;
  /** Public SSH keys: the user's authorized_keys holds exactly these. */
  keys: string[];
  sudo?: boolean;
}

export interface CommonParams {
  timezone?: string;
  users?: Person[];
  contact?: string;
  /** Kernel settings, one drop-in each in /etc/sysctl.d. */
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

/**
 * The common base: UTC, admin users with their SSH keys and zsh, sudo for the ops group, sshd
 * hardening with a validated reload, a motd, kernel settings, the /srv/data layout.
 */
export const common = role(
  "common",
  (p: CommonParams, ctx) => {
    apt(["zsh", "curl", "ca-certificates"], { installRecommends: false });
    timezone(p.timezone ?? "UTC");
    group("ops", { system: true });
    sudoers("ops", { content: "%ops ALL=(ALL:ALL) NOPASSWD: ALL\n" });
    for (const person of p.users ?? []) {
      user(person.name, { shell: "/usr/bin/zsh", groups: person.sudo ? ["ops"] : [], comment: `${person.name} (bosun)` });
      authorizedKeys(person.name, { keys: person.keys, exclusive: true });
    }
    template("/etc/motd", {
      src: new URL("../templates/motd.tpl", import.meta.url).pathname,
      vars: {
        host: ctx.host,
        environment: ctx.var("environment", "production"),
        deployment: "example",
        contact: p.contact ?? "ops@example.com",
      },
    });
    file("/etc/ssh/sshd_config.d/10-bosun-hardening.conf", { content: SSHD_HARDENING, mode: "0644", notify: "reload sshd" });
    for (const [key, value] of Object.entries(p.sysctl ?? {})) sysctl(key, value);
    directory("/srv/data", { mode: "0755" });
    directory("/srv/data/example", { mode: "0750" });
    directory("/srv/backup", { mode: "0700" });
    handler("reload sshd", () => {
      command("/usr/sbin/sshd -t", { name: "sshd -t" });
      service("ssh", { state: "reloaded" });
    });
  },
  { tags: ["common"] },
);
