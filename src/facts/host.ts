/** What `bosun facts` reports about a host, gathered in one remote exec. */
export interface HostFacts {
  os: string;
  distribution: { id: string; name: string; version: string; codename: string; like: string[] };
  kernel: string;
  architecture: string;
  hostname: string;
  fqdn: string;
  cpus: number;
  memory: { totalMiB: number; availableMiB: number; swapMiB: number };
  addresses: { interface: string; family: "inet" | "inet6"; address: string; prefix: number }[];
  initSystem: string;
  packageManager: string | undefined;
  uptimeSeconds: number;
  user: { name: string; uid: number };
}

/**
 * The per-fact shell commands (POSIX sh, coreutils only; ip is used when present), by section name.
 * The engine frames them into one script with the op facts (engine/fact-script.ts) and hands the
 * output back split into these sections.
 */
export const HOST_FACT_COMMANDS: Record<string, string> = {
  // Shell builtins (read, case) where they do: every run gathers these on every host, and each
  // process a host starts costs it a millisecond or more of CPU.
  uname: 'set -- $(uname -srm); echo "$1"; echo "$2"; echo "$3"',
  hostname: 'read -r h < /proc/sys/kernel/hostname && echo "$h" || uname -n',
  fqdn: 'hostname -f || { read -r h < /proc/sys/kernel/hostname && echo "$h"; }',
  os_release: `for f in /etc/os-release /usr/lib/os-release; do [ -r "$f" ] || continue; while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done < "$f"; break; done`,
  // What getconf reads (/sys/devices/system/cpu/online: "0-3,8"), counted by the shell.
  cpus: [
    "__hc=; read -r __hc < /sys/devices/system/cpu/online; __hn=0; IFS=,",
    "for __hr in $__hc; do case $__hr in *-*) __hn=$((__hn + ${__hr#*-} - ${__hr%-*} + 1)) ;; ?*) __hn=$((__hn + 1)) ;; esac; done; unset IFS",
    '[ "$__hn" -gt 0 ] && echo "$__hn" || getconf _NPROCESSORS_ONLN || nproc || grep -c ^processor /proc/cpuinfo',
  ].join("\n"),
  meminfo: 'while read -r k v _; do case $k in MemTotal:|MemAvailable:|SwapTotal:) echo "$k $v kB" ;; esac; done < /proc/meminfo',
  addresses: "ip -o addr show",
  init: 'read -r c < /proc/1/comm; echo "$c"; [ -d /run/systemd/system ] && echo systemd-booted; true',
  package_manager: "for p in apt-get dnf yum apk pacman zypper; do command -v $p >/dev/null 2>&1 && echo $p; done; true",
  uptime: 'read -r u < /proc/uptime; echo "$u"',
  // One `id` ("uid=0(root) gid=…"): the name and uid cut from its first word; a uid without a name asks id -un.
  user: [
    '__hu=$(id); __hu=${__hu%% *}; __hi=${__hu#uid=}; __hi=${__hi%%"("*}; __hn=${__hu#*"("}; __hn=${__hn%")"}',
    '[ "$__hn" != "$__hu" ] || __hn=$(id -un); echo "$__hn"; echo "$__hi"',
  ].join("\n"),
};

/** Every host fact section is safe to run in the facts script's own shell (no exit, no cd): no fork each. */
export const HOST_FACT_INLINE: ReadonlySet<string> = new Set(Object.keys(HOST_FACT_COMMANDS));

/** Returns the key=value pairs of an os-release file (quotes removed). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2] as string;
    if (/^".*"$|^'.*'$/.test(v)) v = v.slice(1, -1).replace(/\\(["$`\\])/g, "$1");
    out[m[1] as string] = v;
  }
  return out;
}

/** Returns the addresses in `ip -o addr show` output, loopback excluded. */
export function parseIpAddr(text: string): HostFacts["addresses"] {
  const out: HostFacts["addresses"] = [];
  for (const line of text.split("\n")) {
    const m = /^\d+:\s+(\S+?)(?:@\S+)?\s+(inet6?)\s+([0-9a-fA-F.:]+)\/(\d+)/.exec(line);
    if (!m || m[1] === "lo") continue;
    out.push({ interface: m[1] as string, family: m[2] as "inet" | "inet6", address: m[3] as string, prefix: Number(m[4]) });
  }
  return out;
}

function kib(meminfo: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, "m").exec(meminfo);
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

/** Returns HostFacts from the output of each HOST_FACT_COMMANDS section; missing pieces become empty values. */
export function parseHostFacts(sections: Record<string, { output: string }>): HostFacts {
  const text = (k: string) => sections[k]?.output.trim() ?? "";
  const lines = (k: string) => text(k).split("\n").filter(Boolean);
  const [os = "", kernel = "", architecture = ""] = lines("uname");
  const rel = parseOsRelease(text("os_release"));
  const init = lines("init");
  const [userName = "", uid = "-1"] = lines("user");
  return {
    os,
    distribution: {
      id: rel.ID ?? "",
      name: rel.NAME ?? "",
      version: rel.VERSION_ID ?? "",
      codename: rel.VERSION_CODENAME ?? "",
      like: (rel.ID_LIKE ?? "").split(/\s+/).filter(Boolean),
    },
    kernel,
    architecture,
    hostname: text("hostname"),
    fqdn: text("fqdn"),
    cpus: Number(lines("cpus")[0] ?? 0),
    memory: {
      totalMiB: kib(text("meminfo"), "MemTotal"),
      availableMiB: kib(text("meminfo"), "MemAvailable"),
      swapMiB: kib(text("meminfo"), "SwapTotal"),
    },
    addresses: parseIpAddr(text("addresses")),
    initSystem: init.includes("systemd-booted") || init[0] === "systemd" ? "systemd" : (init[0] ?? "unknown"),
    packageManager: lines("package_manager")[0],
    uptimeSeconds: Number(text("uptime").split(/\s+/)[0] ?? "0"),
    user: { name: userName, uid: Number(uid) },
  };
}
