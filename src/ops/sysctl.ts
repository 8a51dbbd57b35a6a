import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation, type OpPlan } from "../core/operation.js";
import { normalizeSysctlValue, sysctlFact } from "../facts/sysctl.js";
import { quote } from "../util/shell.js";
import { requireAbsolute } from "./attrs.js";
import { fileOp } from "./file.js";

export interface SysctlOptions extends CommonOptions {
  /** The drop-in holding this key (one key per file). Default /etc/sysctl.d/99-bosun-<key>.conf. */
  file?: string;
  /** Also set the live value when it differs (`sysctl -w`). Default true. */
  apply?: boolean;
}

const KEY = /^[A-Za-z0-9_-]+([./][A-Za-z0-9_:@+-]+)+$/;

/** Returns the default drop-in path of a key. */
export function sysctlFile(key: string): string {
  return `/etc/sysctl.d/99-bosun-${key.replaceAll("/", "_")}.conf`;
}

/**
 * Ensures a kernel parameter persists (a drop-in in /etc/sysctl.d, read at boot) and, unless
 * apply is false, has this live value now. The live value is written only when it differs, so
 * an already-right key works even where /proc/sys is read-only (containers).
 * `sysctl("net.ipv4.ip_forward", 1)`
 */
export function sysctl(key: string, value: string | number, o: SysctlOptions = {}): Operation {
  if (!KEY.test(key)) throw new Error(`sysctl: bad key "${key}" (expected dotted like net.ipv4.ip_forward)`);
  const want = normalizeSysctlValue(value);
  if (want === "") throw new Error(`sysctl ${key}: empty value`);
  if (/[\n\0]/.test(String(value).trim())) throw new Error(`sysctl ${key}: value must be one line`);
  const file = o.file ?? sysctlFile(key);
  requireAbsolute("sysctl", file);
  if (!file.endsWith(".conf")) throw new Error(`sysctl ${key}: file must end in .conf (sysctl.d reads nothing else), got "${file}"`);
  const live = o.apply ?? true;
  const dropIn = fileOp(file, { content: `# Managed by Bosun\n${key} = ${want}\n`, mode: "0644", owner: "root", group: "root" }, "sysctl");
  const fact = sysctlFact(key);
  return declareOp({
    kind: "sysctl",
    name: key,
    ...commonFields(o),
    facts: () => [...dropIn.facts(), ...(live ? [fact] : [])],
    plan(facts): OpPlan {
      const f = dropIn.plan(facts);
      const parts = f.changed ? [`${file}: ${f.summary}`] : [];
      if (live) {
        const cur = facts.get(fact);
        if (!cur.exists) parts.push(`set ${want} (key not present on the host yet)`);
        else if (cur.value !== want) parts.push(`live ${cur.value} → ${want}`);
      }
      return parts.length > 0 ? { changed: true, summary: parts.join(", "), diff: f.diff } : { changed: false, summary: `= ${want}` };
    },
    apply() {
      const sh = [dropIn.apply()];
      if (live) {
        const k = quote(key);
        const read = `__v=$(sysctl -n ${k} 2>/dev/null | tr -s '\\t ' '  ')`;
        // sysctl -w exits 0 on some refusals (EINVAL): what the kernel reads back is the verdict.
        sh.push(
          read,
          `if [ "$__v" != ${quote(want)} ]; then`,
          `  sysctl -q -w ${quote(`${key}=${want}`)} || true`,
          `  ${read}`,
          `  [ "$__v" = ${quote(want)} ] || { printf '%s"%s"%s\\n' ${quote(`sysctl ${key}: could not set the live value (it reads `)} "$__v" ${quote(`; ${file} is in place; read-only /proc/sys?)`)} >&2; exit 1; }`,
          "  __changed",
          "fi",
        );
      }
      return sh.join("\n");
    },
  });
}
