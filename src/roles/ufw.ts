import { apt, role, type UfwRule, ufw as ufwRules } from "bosun";

export type { UfwRule };

/** Parameters of the ufw role. */
export interface UfwParams {
  /** The SSH port, allowed before anything else. Default 22. */
  sshPort?: number;
  /** Networks SSH is allowed from (default anywhere). The operator's own address must be in one of them. */
  sshFrom?: string[];
  /** Rate-limit SSH (ufw `limit`: 6 new connections per 30 s per source). Default false. */
  limitSsh?: boolean;
  /** The other rules, per port and source; a rule on the host that is not listed is deleted. */
  rules?: UfwRule[];
  /** Incoming traffic no rule allows. Default "deny". */
  defaultIncoming?: "deny" | "reject";
  /** Outgoing traffic. Default "allow". */
  defaultOutgoing?: "allow" | "deny" | "reject";
}

/**
 * The host firewall with ufw: default deny incoming, SSH allowed first, then rules per port and source.
 * Never locks the operator out: after any change, the live ruleset must still let the operator's
 * address reach the SSH port, or the firewall is disabled again and the host fails with a clear error.
 * `ufw({ sshFrom: ["10.0.0.0/8"], rules: [{ port: 443, proto: "tcp" }, { port: 9100, proto: "tcp", from: "10.0.5.10" }] })`
 */
export const ufw = role(
  "ufw",
  (p: UfwParams | undefined) => {
    const o = p ?? {};
    const port = o.sshPort ?? 22;
    const action = o.limitSsh ? "limit" : "allow";
    const ssh: UfwRule[] = (o.sshFrom?.length ? o.sshFrom : [undefined]).map((from) => ({ port, proto: "tcp", from, action }));
    apt(["ufw"], { installRecommends: false });
    ufwRules({
      rules: [...ssh, ...(o.rules ?? [])],
      defaultIncoming: o.defaultIncoming ?? "deny",
      defaultOutgoing: o.defaultOutgoing ?? "allow",
      sshPort: port,
    });
  },
  { tags: ["ufw", "firewall"] },
);
