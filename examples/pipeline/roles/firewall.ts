import { apt, command, file, role } from "bosun";

export interface FirewallParams {
  /** TCP ports open to everyone (SSH is always open). */
  allow: number[];
}

/** ufw: deny incoming by default, SSH and the given ports allowed. Rules live in one file, applied when it changes. */
export const firewall = role(
  "firewall",
  (p: FirewallParams) => {
    apt(["ufw"], { installRecommends: false });
    const ports = [22, ...p.allow.filter((x) => x !== 22)].sort((a, b) => a - b);
    // The wanted rules as a file: ufw is reset and re-applied from it only when it changes.
    file("/etc/bosun-firewall.rules", { content: `${ports.map((x) => `allow ${x}/tcp`).join("\n")}\n`, mode: "0644" });
    command(
      "ufw --force reset >/dev/null && ufw default deny incoming && ufw default allow outgoing && while read -r a port; do ufw $a $port; done < /etc/bosun-firewall.rules && ufw --force enable && cp /etc/bosun-firewall.rules /etc/bosun-firewall.applied",
      {
        name: "apply firewall rules",
        unless: "cmp -s /etc/bosun-firewall.rules /etc/bosun-firewall.applied && ufw status | grep -q 'Status: active'",
      },
    );
  },
  { tags: ["firewall"] },
);
