/**
 * The fleet's inventory for the Bosun lab: five lab hosts in the fleet's groups, addresses and SSH
 * settings read from the running lab. Lab-only values live here, not in the site: the vault password
 * of the secrets below is "fleet-lab-only" (never use such a password outside a lab), and the lab has
 * no Grafana apt repository (fleet_grafana: false).
 *
 *   BOSUN_VAULT_PASSWORD=fleet-lab-only bosun apply examples/fleet/site.ts -i examples/fleet/inventory.lab.ts --yes
 *
 * FLEET_LAB_HOSTS=mon,log,web1,web2,db picks other lab hosts (default web18,db9,web16,web17,db8).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { inventory } from "bosun";
import { parse } from "yaml";

const LAB = path.join(process.env.PREFIX ?? "/srv", "data/bosun/lab");
const lab = parse(readFileSync(path.join(LAB, "inventory.yml"), "utf8")) as {
  all: { children: Record<string, { hosts?: Record<string, { bosun_host: string }> }> };
};
const addresses = new Map(Object.values(lab.all.children).flatMap((g) => Object.entries(g.hosts ?? {}).map(([n, v]) => [n, v.bosun_host])));

/** Returns { name: { address } } for lab hosts, failing clearly when the lab does not run one. */
function hosts(...names: string[]) {
  return Object.fromEntries(
    names.map((n) => {
      const address = addresses.get(n);
      if (!address) throw new Error(`examples/fleet/inventory.lab.ts: lab host ${n} is not running (bosun lab status)`);
      return [n, { address }];
    }),
  );
}

const names = (process.env.FLEET_LAB_HOSTS ?? "web18,db9,web16,web17,db8").split(",").map((s) => s.trim());
if (names.length !== 5) throw new Error(`FLEET_LAB_HOSTS must name 5 lab hosts (mon,log,web1,web2,db), got ${names.join(",")}`);
const [mon, log, web1, web2, db] = names as [string, string, string, string, string];

export default inventory({
  vars: {
    environment: "lab",
    bosun_user: "root",
    bosun_ssh_key: path.join(LAB, "id_ed25519"),
    bosun_known_hosts: path.join(LAB, "known_hosts"),
    // The lab's network: what the firewall lets talk to the fleet's internal ports.
    fleet_network: "198.18.0.0/24",
    fleet_grafana: false,
    ticker_api_key:
      "$BOSUN_VAULT;1;default;scrypt;CIYhYSQGQrhSCfT0hGLCcBEIAaQroskxnpQk6QZkMru7wYJoJPd7l1nWbsl+HQW2Kq3elBk8Wcgqc/URinZSXRwSw2eofDE+W3rPkgQmukf2F8W/mmfPSXpoVXeRzwc86VftoxG2",
    shop_db_password:
      "$BOSUN_VAULT;1;default;scrypt;Yw8ya49WksNnWvuikufZahEIAfluHg5q0++wKRJEiisvNGh1qYjuHdbGWLgSWEM8MFPOz3chNj6t9g3ZWeioHFCVvoRF0GrB9T+AZrnc9RV20Gnudu7m5ptEZfqTxNRlfHU=",
    grafana_admin_password:
      "$BOSUN_VAULT;1;default;scrypt;DQrFYoe6IMucXATbLHh7yhEIAU56MzgLZg+vijQYJyWHb4fAi19zoqX/+GTsyZxcMnBxuDmRL/t86jwWlEXUNHFQTMCh9V9fD5McQqUIIYdvWJJmcLD7MHXV5mHiyqCYDVozDqM=",
  },
  groups: {
    monitoring: { hosts: hosts(mon) },
    logs: { hosts: hosts(log) },
    web: { hosts: hosts(web1, web2) },
    db: { hosts: hosts(db) },
  },
});
