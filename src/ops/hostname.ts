import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation, type OpPlan } from "../core/operation.js";
import { liveHostnameFact } from "../facts/hostname.js";
import { quote } from "../util/shell.js";
import { applyEditedFile, type EditedFile, editedFileFact, planEditedFile } from "./edit-file.js";
import { fileOp } from "./file.js";
import { lineEdit } from "./line-in-file.js";

export interface HostnameOptions extends CommonOptions {
  /** Manage the 127.0.1.1 line of /etc/hosts (Debian's convention for the host's own name). Default true. */
  hosts?: boolean;
}

/** What a new /etc/hosts starts from, so localhost still resolves. */
const HOSTS_SEED = "127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n";

/** Returns the /etc/hosts line naming the host: "127.0.1.1\tweb1.example.com web1" (or just the name when short). */
export function hostsLine(name: string): string {
  const short = name.split(".")[0] as string;
  return `127.0.1.1\t${name}${short !== name ? ` ${short}` : ""}`;
}

/**
 * Ensures the host's name: /etc/hostname, the live (kernel) hostname, and the 127.0.1.1 line of /etc/hosts.
 * `hostname("web1.example.com")`
 */
export function hostname(name: string, o: HostnameOptions = {}): Operation {
  if (name.length > 64 || !/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(name)) {
    throw new Error(`hostname: bad host name "${name}" (letters, digits and inner hyphens, dot-separated labels, at most 64 chars)`);
  }
  const etcHostname = fileOp("/etc/hostname", { content: `${name}\n`, mode: "0644", owner: "root", group: "root" }, "hostname");
  const hosts: EditedFile | undefined =
    o.hosts === false
      ? undefined
      : {
          kind: "hostname",
          path: "/etc/hosts",
          edit: lineEdit("hostname", { state: "present", regexp: "^127\\.0\\.1\\.1\\s", line: hostsLine(name) }),
          missing: "create",
          seed: HOSTS_SEED,
        };
  const live = liveHostnameFact();
  return declareOp({
    kind: "hostname",
    name,
    ...commonFields(o),
    facts: () => [...etcHostname.facts(), live, ...(hosts ? [editedFileFact(hosts)] : [])],
    plan(facts): OpPlan {
      const parts: string[] = [];
      const diffs: string[] = [];
      const f = etcHostname.plan(facts);
      if (f.changed) parts.push(`/etc/hostname: ${f.summary}`);
      if (f.diff) diffs.push(f.diff);
      const cur = facts.get(live);
      if (cur !== name) parts.push(`live ${cur} → ${name}`);
      if (hosts) {
        const h = planEditedFile(hosts, facts.get(editedFileFact(hosts)));
        if (h.changed) parts.push(`/etc/hosts: ${h.summary}`);
        if (h.diff) diffs.push(h.diff);
      }
      return parts.length === 0
        ? { changed: false, summary: name }
        : { changed: true, summary: parts.join(", "), diff: diffs.length ? diffs.join("") : undefined };
    },
    apply: () =>
      [
        etcHostname.apply(),
        `[ "$(cat /proc/sys/kernel/hostname)" = ${quote(name)} ] || { hostname ${quote(name)}; __changed; }`,
        hosts ? applyEditedFile(hosts) : "",
      ]
        .filter(Boolean)
        .join("\n"),
  });
}
