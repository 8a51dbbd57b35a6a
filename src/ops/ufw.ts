/**
 * The host firewall through ufw: exactly these rules (in `ufw show added` form, so planning compares
 * text), default policies, and enabled — without locking the operator out: the rule for SSH goes in
 * before the firewall is enabled, and right after enabling, the live ruleset must let the operator's
 * address (from SSH_CONNECTION) reach the SSH port again, or the firewall is disabled and the op fails.
 * Then, when the op changed, the engine opens a NEW SSH connection to the host (its connectionGuard);
 * if that fails, it disables ufw through the connection still open and fails the host.
 */
import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation, type OpPlan } from "../core/operation.js";
import { ufwFact } from "../facts/ufw.js";
import { quote } from "../util/shell.js";
import { contentDiff } from "./diff.js";

/** One firewall rule. */
export interface UfwRule {
  /** Port (22), or a range ("8000:8100", needs proto). */
  port: number | string;
  /** Protocol; default both tcp and udp. */
  proto?: "tcp" | "udp";
  /** Source address or network ("10.0.0.0/8"); default anywhere. */
  from?: string;
  /** Default "allow". "limit" allows with rate limiting (6 connections in 30 s per source). */
  action?: "allow" | "deny" | "reject" | "limit";
}

export interface UfwOptions extends CommonOptions {
  /** The rules, in order; rules on the host not listed are deleted. */
  rules: UfwRule[];
  /** Policy for incoming traffic no rule matches. Default "deny". */
  defaultIncoming?: "deny" | "reject" | "allow";
  /** Policy for outgoing traffic. Default "allow". */
  defaultOutgoing?: "deny" | "reject" | "allow";
  /** The SSH port whose reachability is checked after enabling. Default 22. */
  sshPort?: number;
  /** Default "enabled". */
  state?: "enabled" | "disabled";
}

const POLICY = { deny: "DROP", reject: "REJECT", allow: "ACCEPT" } as const;
const ADDRESS = /^[0-9a-fA-F.:]+(\/\d{1,3})?$/;

/** Returns the rule as `ufw show added` prints it (the text ufw's own commands take). */
export function ufwRuleText(r: UfwRule): string {
  const port = String(r.port);
  if (!/^\d{1,5}(:\d{1,5})?$/.test(port)) throw new Error(`ufw: bad port "${port}" (a number or a range "from:to")`);
  if (port.includes(":") && !r.proto) throw new Error(`ufw: port range ${port} needs proto "tcp" or "udp"`);
  if (r.proto !== undefined && r.proto !== "tcp" && r.proto !== "udp") throw new Error(`ufw: bad proto "${r.proto}"`);
  const action = r.action ?? "allow";
  if (!["allow", "deny", "reject", "limit"].includes(action)) throw new Error(`ufw: bad action "${action}"`);
  if (r.from === undefined || r.from === "any") return `ufw ${action} ${port}${r.proto ? `/${r.proto}` : ""}`;
  if (!ADDRESS.test(r.from)) throw new Error(`ufw: bad source "${r.from}" (an address or network, like 10.0.0.0/8)`);
  return `ufw ${action} from ${r.from} to any port ${port}${r.proto ? ` proto ${r.proto}` : ""}`;
}

/**
 * Returns the sh that fails unless the live ruleset lets the operator's address reach the SSH port:
 * the first rule of `ufw status` for that port (or for any port) from a source holding the address decides.
 */
export function sshReachableCheck(port: number, defaultAllows = false): string {
  const program = String.raw`
function ip(s,  a) { split(s, a, "."); return ((a[1] * 256 + a[2]) * 256 + a[3]) * 256 + a[4] }
function holds(net, addr,  p, bits, size) {
  if (net == "Anywhere") return 1
  if (addr == "") return 0
  split(net, p, "/"); bits = (p[2] == "" ? 32 : p[2]); size = 2 ^ (32 - bits)
  return int(ip(p[1]) / size) == int(ip(addr) / size)
}
BEGIN { ok = dflt }
/\(v6\)/ || !/^[0-9A]/ { next }
{
  to = $1; sub(/\/(tcp|udp)$/, "", to); split(to, r, ":")
  if (to != "Anywhere" && to != port && !(r[2] != "" && port + 0 >= r[1] + 0 && port + 0 <= r[2] + 0)) next
  if (!holds($3, addr)) next
  ok = ($2 == "ALLOW" || $2 == "LIMIT") ? 0 : 1; exit
}
END { exit ok }`;
  return [
    // The operator's address as sshd saw it (empty under sudo, which drops SSH_CONNECTION: then only rules from anywhere count).
    `__ufw_addr=$(printf '%s' "\${SSH_CONNECTION:-}" | cut -d' ' -f1 | grep -E '^[0-9.]+$' || true)`,
    `if ! ufw status | awk -v port=${port} -v addr="$__ufw_addr" -v dflt=${defaultAllows ? 0 : 1} ${quote(program)}; then`,
    "  ufw --force disable >/dev/null",
    `  echo "ufw: after enabling, the live firewall refuses new SSH connections to port ${port} from \${__ufw_addr:-anywhere}; it was disabled again (allow SSH from the operator's network first)" >&2`,
    "  exit 1",
    "fi",
  ].join("\n");
}

/** Ensures ufw's rules, default policies and state; enabling is checked against locking the operator out. */
export function ufw(o: UfwOptions): Operation {
  const want = o.rules.map(ufwRuleText);
  const dup = want.find((r, i) => want.indexOf(r) !== i);
  if (dup) throw new Error(`ufw: rule "${dup}" is listed twice`);
  const incoming = POLICY[o.defaultIncoming ?? "deny"];
  const outgoing = POLICY[o.defaultOutgoing ?? "allow"];
  if (!incoming || !outgoing) throw new Error(`ufw: bad default policy (deny, reject or allow)`);
  const enabled = (o.state ?? "enabled") === "enabled";
  const sshPort = o.sshPort ?? 22;
  const fact = ufwFact();
  const wantText = Buffer.from(want.map((r) => `${r}\n`).join(""));
  return declareOp({
    kind: "ufw",
    name: "firewall",
    ...commonFields(o),
    // The check inside the script reads the ruleset; only a real new connection proves sshd is reachable
    // (a wrong sshPort, a rule ufw orders first, a NAT in between): the engine opens one after the apply.
    ...(enabled
      ? { connectionGuard: { rollback: "ufw --force disable >/dev/null", undone: "ufw was disabled again through the open connection" } }
      : {}),
    facts: () => [fact],
    plan(facts): OpPlan {
      const cur = facts.get(fact);
      if (!cur.installed) return { changed: true, summary: `FAILS unless installed first: ufw is not installed (package ufw)` };
      const parts: string[] = [];
      const added = want.filter((r) => !cur.rules.includes(r));
      const removed = cur.rules.filter((r) => !want.includes(r));
      if (added.length) parts.push(`rules +${added.length}`);
      if (removed.length) parts.push(`rules -${removed.length}`);
      if (cur.input !== incoming) parts.push(`incoming ${cur.input ?? "?"} → ${incoming}`);
      if (cur.output !== outgoing) parts.push(`outgoing ${cur.output ?? "?"} → ${outgoing}`);
      if (cur.active !== enabled) parts.push(enabled ? "enable" : "disable");
      if (parts.length === 0) return { changed: false, summary: `${enabled ? "active" : "inactive"}, ${want.length} rules` };
      const before = Buffer.from(cur.rules.map((r) => `${r}\n`).join(""));
      return {
        changed: true,
        summary: parts.join(", "),
        diff: added.length || removed.length ? contentDiff("ufw rules", before, wantText) : undefined,
      };
    },
    apply: () =>
      [
        "command -v ufw >/dev/null || { echo 'ufw: not installed (install the ufw package first)' >&2; exit 1; }",
        `__ufw_want=${quote(wantText.toString())}`,
        `__ufw_have=$(ufw show added | grep '^ufw ' || true)`,
        // Listed rules first (SSH is the role's first rule), then the ones no longer listed go.
        ...want.map((r) => `printf '%s\\n' "$__ufw_have" | grep -qxF -- ${quote(r)} || { ${r} >/dev/null; __changed; }`),
        `printf '%s\\n' "$__ufw_have" | while IFS= read -r __r; do`,
        `  [ -n "$__r" ] || continue`,
        `  printf '%s' "$__ufw_want" | grep -qxF -- "$__r" || { eval "ufw delete \${__r#ufw }" >/dev/null; __changed; }`,
        "done",
        `grep -Eqx 'DEFAULT_INPUT_POLICY="?${incoming}"?' /etc/default/ufw || { ufw default ${o.defaultIncoming ?? "deny"} incoming >/dev/null; __changed; }`,
        `grep -Eqx 'DEFAULT_OUTPUT_POLICY="?${outgoing}"?' /etc/default/ufw || { ufw default ${o.defaultOutgoing ?? "allow"} outgoing >/dev/null; __changed; }`,
        enabled
          ? [
              `if ! ufw status | grep -qx 'Status: active'; then ufw --force enable >/dev/null; __changed; fi`,
              // Whatever changed (enabling, a rule, a policy), the operator must still get in.
              `if [ -e "$__cf" ]; then`,
              sshReachableCheck(sshPort, incoming === "ACCEPT"),
              "fi",
            ].join("\n")
          : `if ufw status | grep -qx 'Status: active'; then ufw --force disable >/dev/null; __changed; fi`,
      ].join("\n"),
  });
}
