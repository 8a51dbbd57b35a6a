import { apt, authorizedKeys, group, sudoers, user } from "bosun";

/** A login account the common role manages. */
export interface CommonUser {
  /** Login name. */
  name: string;
  /** Public SSH keys (one `ssh-ed25519 AAAA… comment` line each) for `~/.ssh/authorized_keys`. */
  keys: string[];
  /** Remove every key not listed here (default true): a key removed from the list loses access. */
  exclusive?: boolean;
  /** Fixed uid; default: the next free one. */
  uid?: number;
  /** Login shell (default `/bin/bash`); `/usr/bin/zsh` installs zsh. */
  shell?: string;
  /** Supplementary groups (created by the role when listed in `groups` of CommonParams, or existing). */
  groups?: string[];
  /** Full sudo without password through the `sudoGroup` (validated with `visudo -cf`). Default false. */
  sudo?: boolean;
  /** GECOS comment. */
  comment?: string;
  /** "absent" removes the account (its home stays). Default "present". */
  state?: "present" | "absent";
}

/** A group the common role manages. */
export interface CommonGroup {
  /** Group name. */
  name: string;
  /** Fixed gid. */
  gid?: number;
  /** A system group (gid below 1000). Default false. */
  system?: boolean;
}

/** Packages that provide login shells users may ask for. */
const SHELL_PACKAGES: Record<string, string> = { "/usr/bin/zsh": "zsh", "/bin/zsh": "zsh", "/usr/bin/fish": "fish" };

/** Declares groups, users, their keys and the sudo group's drop-in. */
export function usersAndGroups(groups: CommonGroup[], users: CommonUser[], sudoGroup: string): void {
  const shells = [...new Set(users.map((u) => SHELL_PACKAGES[u.shell ?? ""]).filter((p): p is string => p !== undefined))];
  if (shells.length > 0) apt(shells, { installRecommends: false });
  for (const g of groups) group(g.name, { gid: g.gid, system: g.system });
  const sudo = users.some((u) => u.sudo && u.state !== "absent");
  if (sudo) {
    group(sudoGroup, { system: true });
    sudoers(sudoGroup, { content: `# Managed by bosun (common)\n%${sudoGroup} ALL=(ALL:ALL) NOPASSWD: ALL\n` });
  }
  for (const u of users) {
    if (u.state === "absent") {
      user(u.name, { state: "absent" });
      continue;
    }
    const extra = [...(u.groups ?? []), ...(u.sudo ? [sudoGroup] : [])];
    user(u.name, { uid: u.uid, shell: u.shell ?? "/bin/bash", groups: extra, comment: u.comment ?? `${u.name} (bosun)` });
    authorizedKeys(u.name, { keys: u.keys, exclusive: u.exclusive ?? true });
  }
}
