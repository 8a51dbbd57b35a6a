/**
 * The Debian packages the lab mirror holds (with their dependencies), in one place:
 * the role library extends this list when a role needs a package on lab hosts.
 * python3 is there only so the benchmark can give Ansible what it needs on targets.
 */
export const MIRROR_PACKAGES: readonly string[] = [
  "nginx",
  "rsyslog",
  "ufw",
  "zsh",
  "curl",
  "postfix",
  "cron",
  "git",
  "postgresql",
  "prometheus",
  "prometheus-node-exporter",
  "docker.io",
  "python3",
  "unzip",
  // The role library (issue 11) and its probes.
  "unattended-upgrades",
  "logrotate",
  "openssl",
  "ssl-cert",
  "bsd-mailx",
  "netcat-openbsd",
  "acl",
  "sqlite3",
  "jq",
  // The example workload (examples/workload) runs on Debian's Node.js.
  "nodejs",
  // Containers inside lab hosts (shared/LAB-NOTES.md): Docker with crun, a registry, an image base.
  "containerd",
  "runc",
  "crun",
  "iptables",
  "docker-registry",
  "busybox-static",
];

/** Packages every lab host has from the base rootfs (debootstrap --include). */
export const BASE_PACKAGES: readonly string[] = [
  "systemd",
  "systemd-sysv",
  "openssh-server",
  "iproute2",
  "sudo",
  "dbus",
  "ca-certificates",
];

/** Timers that would wake up on every host and compete for the machine's cores. */
export const MASKED_UNITS: readonly string[] = [
  "apt-daily.timer",
  "apt-daily-upgrade.timer",
  "dpkg-db-backup.timer",
  "e2scrub_all.timer",
  "fstrim.timer",
  "systemd-tmpfiles-clean.timer",
];
