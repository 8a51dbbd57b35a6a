import { apt, directory, file, hostname, role, timezone } from "bosun";
import { type PostfixParams, sendOnlyPostfix } from "./postfix.js";
import { refuseLockout, type SshdParams, sshdHardening } from "./sshd.js";
import { type CommonGroup, type CommonUser, usersAndGroups } from "./users.js";

export type { CommonGroup, CommonUser, PostfixParams, SshdParams };

/** Parameters of the common role: the base every host of a fleet gets. */
export interface CommonParams {
  /** Time zone (a name under /usr/share/zoneinfo). Default "UTC". */
  timezone?: string;
  /** Host name to set; default the inventory name; `false` leaves it alone. */
  hostname?: string | false;
  /** Packages every host gets (default curl, ca-certificates, logrotate, less). */
  packages?: string[];
  /** Packages added to the default list. */
  extraPackages?: string[];
  /** Groups to create (before users, so users can be members). */
  groups?: CommonGroup[];
  /** Login users with their SSH keys. */
  users?: CommonUser[];
  /** The group whose members get passwordless sudo (drop-in validated with `visudo -cf`). Default "ops". */
  sudoGroup?: string;
  /** sshd hardening (a drop-in checked with `sshd -t` before it goes live; reload through a handler). */
  sshd?: SshdParams;
  /** Postfix as a send-only MTA relaying to a mail host; omitted: no MTA is installed. */
  postfix?: PostfixParams;
  /** Install unattended-upgrades for security updates. Default false. */
  unattendedUpgrades?: boolean;
  /** Root of the data layout: PREFIX/data (0755) and PREFIX/key (0700, root only). Default "/srv". */
  prefix?: string;
}

const DEFAULT_PACKAGES = ["curl", "ca-certificates", "logrotate", "less"];

/**
 * The common base of every host: time zone, host name, base packages, groups, users with their SSH
 * keys (exclusive by default), sudo through a validated drop-in, sshd hardening, optionally postfix
 * as a send-only MTA and unattended-upgrades, and the PREFIX/data + PREFIX/key layout.
 * `common({ users: [{ name: "ops", keys: [key], sudo: true }], postfix: { relayHost: "[10.0.0.5]" } })`
 */
export const common = role(
  "common",
  (p: CommonParams, ctx) => {
    const prefix = p.prefix ?? "/srv";
    if (!/^\/[\w./-]*$/.test(prefix) || prefix.includes("..")) throw new Error(`common: prefix "${prefix}" must be an absolute path`);
    apt([...(p.packages ?? DEFAULT_PACKAGES), ...(p.extraPackages ?? []), "tzdata"], { installRecommends: false });
    timezone(p.timezone ?? "UTC");
    const name = p.hostname === undefined ? ctx.host : p.hostname;
    if (name !== false) hostname(name);
    usersAndGroups(p.groups ?? [], p.users ?? [], p.sudoGroup ?? "ops");
    refuseLockout(p.sshd ?? {}, String(ctx.vars.bosun_user ?? "root"));
    sshdHardening(p.sshd ?? {});
    if (p.postfix) sendOnlyPostfix(p.postfix, typeof name === "string" ? name : ctx.host);
    if (p.unattendedUpgrades) {
      apt(["unattended-upgrades"], { installRecommends: false });
      file("/etc/apt/apt.conf.d/20auto-upgrades", {
        content: 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n',
        mode: "0644",
      });
    }
    directory(prefix, { mode: "0755", owner: "root", group: "root" });
    directory(`${prefix}/data`, { mode: "0755", owner: "root", group: "root" });
    directory(`${prefix}/key`, { mode: "0700", owner: "root", group: "root" });
  },
  { tags: ["common"] },
);
