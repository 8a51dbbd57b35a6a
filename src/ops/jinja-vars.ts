/**
 * The variables an Ansible template sees, built from what a Bosun role knows about its host:
 * the host's vars (inventory_hostname and group_names included), `groups`, `hostvars`, and
 * `ansible_facts` / `ansible_*` mapped from Bosun's HostFacts. Facts are read only when a template
 * uses them, so a template without facts costs no facts exec.
 */
import type { HostFacts } from "../facts/host.js";

/** What a template needs from a role's context (RoleContext has all of it). */
export interface TemplateHost {
  host: string;
  vars: Record<string, unknown>;
  facts: HostFacts;
  groupHosts(group: string): string[];
  hostVars(host: string): Record<string, unknown>;
}

const DISTRIBUTIONS: Record<string, string> = {
  debian: "Debian",
  ubuntu: "Ubuntu",
  centos: "CentOS",
  rhel: "RedHat",
  fedora: "Fedora",
  rocky: "Rocky",
  almalinux: "AlmaLinux",
  alpine: "Alpine",
  arch: "Archlinux",
  opensuse: "openSUSE",
};
const FAMILIES: Record<string, string> = { debian: "Debian", rhel: "RedHat", fedora: "RedHat", suse: "Suse", arch: "Archlinux" };

/** Returns the `ansible_facts` dict Ansible's setup module would give for the same host (the common keys). */
export function ansibleFacts(f: HostFacts): Record<string, unknown> {
  const d = f.distribution;
  const distribution = DISTRIBUTIONS[d.id] ?? d.id.charAt(0).toUpperCase() + d.id.slice(1);
  const family = FAMILIES[d.id] ?? d.like.map((l) => FAMILIES[l]).find(Boolean) ?? distribution;
  const v4 = f.addresses.filter((a) => a.family === "inet");
  const v6 = f.addresses.filter((a) => a.family === "inet6");
  const first = v4[0];
  return {
    hostname: f.hostname.split(".")[0],
    nodename: f.hostname,
    fqdn: f.fqdn,
    domain: f.fqdn.includes(".") ? f.fqdn.slice(f.fqdn.indexOf(".") + 1) : "",
    system: f.os,
    kernel: f.kernel,
    architecture: f.architecture,
    machine: f.architecture,
    distribution,
    distribution_version: d.version,
    distribution_major_version: d.version.split(".")[0] ?? "",
    distribution_release: d.codename,
    os_family: family,
    processor_vcpus: f.cpus,
    processor_count: f.cpus,
    memtotal_mb: f.memory.totalMiB,
    memfree_mb: f.memory.availableMiB,
    swaptotal_mb: f.memory.swapMiB,
    all_ipv4_addresses: v4.map((a) => a.address),
    all_ipv6_addresses: v6.map((a) => a.address),
    default_ipv4: first ? { address: first.address, interface: first.interface, prefix: String(first.prefix) } : {},
    interfaces: [...new Set(f.addresses.map((a) => a.interface))],
    service_mgr: f.initSystem,
    pkg_mgr: f.packageManager === "apt-get" ? "apt" : (f.packageManager ?? "unknown"),
    user_id: f.user.name,
    user_uid: f.user.uid,
    uptime_seconds: f.uptimeSeconds,
  };
}

/** The names of the facts, known without reading any host (for `ansible_<name>` lookups). */
export const FACT_NAMES = Object.keys(
  ansibleFacts({
    os: "",
    distribution: { id: "", name: "", version: "", codename: "", like: [] },
    kernel: "",
    architecture: "",
    hostname: "",
    fqdn: "",
    cpus: 0,
    memory: { totalMiB: 0, availableMiB: 0, swapMiB: 0 },
    addresses: [],
    initSystem: "",
    packageManager: undefined,
    uptimeSeconds: 0,
    user: { name: "", uid: 0 },
  }),
);

/**
 * Returns the template variables of a host: its vars, `inventory_hostname(_short)`, `group_names`,
 * `groups` and `hostvars` (looked up on use), then `extra` (role vars) on top.
 */
export function hostTemplateVars(h: TemplateHost, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const groups = new Proxy({} as Record<string, string[]>, {
    get: (_t, g) => (typeof g === "string" ? h.groupHosts(g) : undefined),
    has: (_t, g) => typeof g === "string" && h.groupHosts(g).length > 0,
  });
  const hostvars = new Proxy({} as Record<string, unknown>, {
    get: (_t, name) => (typeof name === "string" ? h.hostVars(name) : undefined),
  });
  return {
    ansible_managed: "Ansible managed",
    ...h.vars,
    inventory_hostname: h.host,
    inventory_hostname_short: h.host.split(".")[0],
    groups,
    hostvars,
    ...extra,
  };
}

/** Returns lazy getters for `ansible_facts` and each `ansible_<fact>`: the host's facts are read on first use. */
export function factGlobals(h: Pick<TemplateHost, "facts">): Record<string, () => unknown> {
  let cached: Record<string, unknown> | undefined;
  const facts = () => (cached ??= ansibleFacts(h.facts));
  const out: Record<string, () => unknown> = { ansible_facts: facts };
  for (const name of FACT_NAMES) out[`ansible_${name}`] = () => facts()[name];
  return out;
}

/**
 * Returns a role's variables with Ansible's precedence — role defaults < the host's vars (inventory, play,
 * -e) < role vars < role params — where a string holding Jinja2 (`"http://{{ inventory_hostname }}"`) is
 * rendered when read, as Ansible templates vars lazily. For roles converted by `bosun import ansible`.
 */
export function ansibleVars<D extends object>(
  ctx: TemplateHost,
  defaults: D,
  roleVars: object = {},
  params: object = {},
  // biome-ignore lint/suspicious/noExplicitAny: vars from inventories and vars files are untyped YAML
): D & Record<string, any> {
  const merged: Record<string, unknown> = { ...defaults, ...ctx.vars, ...roleVars, ...params };
  const view = (x: unknown, depth: number): unknown => {
    if (typeof x === "string" && /\{\{|\{%/.test(x) && depth < 20) return renderVar(x, proxy, ctx);
    if (Array.isArray(x)) return x.map((i) => view(i, depth + 1));
    if (x && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype)
      return new Proxy(x as Record<string, unknown>, { get: (t, k) => view(t[k as string], depth + 1) });
    return x;
  };
  const proxy = new Proxy(merged, { get: (t, k) => view(t[k as string], 0) });
  return proxy as D & Record<string, unknown>;
}

let renderVar: (text: string, vars: Record<string, unknown>, ctx: TemplateHost) => unknown = () => {
  throw new Error("jinja renderer not registered");
};
/** Registers the renderer ansibleVars uses (jinja.ts imports this file, not the other way round). */
export function setVarRenderer(r: typeof renderVar): void {
  renderVar = r;
}
