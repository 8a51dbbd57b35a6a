import { command, handler, service, validatedFile } from "bosun";

/** sshd settings of the common role; each maps to one sshd_config keyword. */
export interface SshdParams {
  /** Allow password logins (default false: keys only). */
  passwordAuthentication?: boolean;
  /** Root login: "prohibit-password" (default: keys only), "no" or "yes". */
  permitRootLogin?: "yes" | "no" | "prohibit-password";
  /** Only these users may log in (default: any user). Keep the account you deploy with in the list. */
  allowUsers?: string[];
  /** Failed authentications per connection before sshd disconnects (default 3). */
  maxAuthTries?: number;
  /** More keywords, verbatim: `{ ClientAliveInterval: "300" }`. */
  extra?: Record<string, string>;
}

export const SSHD_DROP_IN = "/etc/ssh/sshd_config.d/10-bosun.conf";

/** Returns the hardening drop-in. */
export function sshdConfig(p: SshdParams): string {
  const lines = [
    "# Managed by bosun (common): sshd hardening",
    `PasswordAuthentication ${p.passwordAuthentication ? "yes" : "no"}`,
    "KbdInteractiveAuthentication no",
    "PermitEmptyPasswords no",
    `PermitRootLogin ${p.permitRootLogin ?? "prohibit-password"}`,
    `MaxAuthTries ${p.maxAuthTries ?? 3}`,
    "X11Forwarding no",
    ...(p.allowUsers?.length ? [`AllowUsers ${p.allowUsers.join(" ")}`] : []),
    ...Object.entries(p.extra ?? {}).map(([k, v]) => `${k} ${v}`),
  ];
  return `${lines.join("\n")}\n`;
}

/** Declares the validated drop-in and the reload handler (with a probe that sshd is running after it). */
export function sshdHardening(p: SshdParams): void {
  // `sshd -t` reads the main config with its Include of sshd_config.d: it checks the drop-in in context.
  validatedFile(SSHD_DROP_IN, {
    content: sshdConfig(p),
    mode: "0644",
    owner: "root",
    group: "root",
    validate: "/usr/sbin/sshd -t",
    notify: "reload sshd",
  });
  handler("reload sshd", () => {
    service("ssh", { state: "reloaded" });
    command("systemctl is-active --quiet ssh || { echo 'sshd is not running after its reload' >&2; exit 1; }", { name: "sshd is running" });
  });
}

/** Throws when the sshd settings would refuse the account Bosun itself connects with (a lockout after the reload). */
export function refuseLockout(s: SshdParams, user: string): void {
  if (s.allowUsers?.length && !s.allowUsers.includes(user)) {
    throw new Error(`common: sshd.allowUsers leaves out "${user}", the account Bosun connects with (bosun_user): add it`);
  }
  if (user === "root" && s.permitRootLogin === "no") {
    throw new Error(
      'common: sshd.permitRootLogin "no" refuses root, the account Bosun connects with (bosun_user): connect as another user with sudo first',
    );
  }
}
