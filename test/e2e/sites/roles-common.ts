/**
 * Site for test/e2e/roles-common.test.ts. Group "relay": a postfix that receives mail for relay.lab
 * from the lab network (the test's stand-in for a company mail host). Group "base": the common role,
 * with users and keys from inventory vars and postfix relaying to the relay host.
 */
import { apt, command, deploy, file, handler, role, service, user } from "bosun";
import { common } from "../../../src/roles/index.js";

const relayReceiver = role("relay-receiver", () => {
  apt(["postfix"], { installRecommends: false });
  user("probe", { shell: "/usr/sbin/nologin", comment: "mail probe" });
  file("/etc/postfix/main.cf", {
    content: [
      "myhostname = relay.lab",
      "mydestination = relay.lab, localhost",
      "inet_interfaces = all",
      "inet_protocols = ipv4",
      "mynetworks = 127.0.0.0/8 198.18.0.0/24",
      "alias_maps = hash:/etc/aliases",
      "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination",
      "compatibility_level = 3.6",
      "",
    ].join("\n"),
    notify: "restart postfix",
  });
  command("newaliases", { creates: "/etc/aliases.db" });
  service("postfix", { state: "started", enabled: true });
  handler("restart postfix", () => service("postfix", { state: "restarted" }));
});

const base = role("base", () => {}, {
  deps: (_p, ctx) => [
    common({
      timezone: "Europe/Paris",
      users: [
        { name: "alice", keys: [String(ctx.var("alice_key"))], sudo: true, shell: "/usr/bin/zsh" },
        { name: "bob", keys: [String(ctx.var("bob_key"))] },
      ],
      postfix: { relayHost: `[${String(ctx.hostVars(ctx.groupHosts("relay")[0] as string).bosun_host)}]` },
      prefix: "/srv",
      // -e bad_sshd=1: a keyword sshd does not know, which `sshd -t` must stop before it goes live.
      sshd: ctx.vars.bad_sshd ? { extra: { NoSuchKeyword: "yes" } } : {},
    }),
  ],
});

export default deploy("roles-common", [
  { hosts: "relay", roles: [relayReceiver()] },
  { hosts: "base", roles: [base()] },
]);
