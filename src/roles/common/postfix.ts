import { apt, command, file, handler, service, validatedFile } from "bosun";

/** Postfix as a send-only MTA: local mail (cron, sendmail) goes to one relay host, nothing is received from the network. */
export interface PostfixParams {
  /** Relay host every message goes to: "mail.example.com", "[198.18.0.5]" (brackets: no MX lookup), with ":port" when not 25. */
  relayHost: string;
  /** Name the host says in HELO and uses in its own addresses (default: the inventory host name). */
  myhostname?: string;
  /** Domain appended to bare local senders (default: myhostname). */
  myorigin?: string;
  /** Address mail to root is rewritten to, e.g. "ops@example.com" (default: root@myorigin, sent to the relay as is). */
  rootAlias?: string;
}

/** Returns main.cf for a send-only relay client. */
export function postfixMainCf(p: PostfixParams, host: string): string {
  const name = p.myhostname ?? host;
  const origin = p.myorigin ?? name;
  return [
    "# Managed by bosun (common): send-only MTA",
    `myhostname = ${name}`,
    `myorigin = ${origin}`,
    // Nothing is local: every address, root's included, goes to the relay.
    "mydestination =",
    "inet_interfaces = loopback-only",
    "inet_protocols = ipv4",
    "mynetworks = 127.0.0.0/8",
    `relayhost = ${p.relayHost}`,
    ...(p.rootAlias ? [`recipient_canonical_maps = inline:{ root@${origin}=${p.rootAlias} }`] : []),
    "alias_maps = hash:/etc/aliases",
    "alias_database = hash:/etc/aliases",
    "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination",
    "compatibility_level = 3.6",
    "",
  ].join("\n");
}

/** Declares postfix, its main.cf (checked with `postfix check`), /etc/mailname and the restart handler with a probe. */
export function sendOnlyPostfix(p: PostfixParams, host: string): void {
  if (p.rootAlias !== undefined && !/^[^\s{}=]+@[^\s{}=]+$/.test(p.rootAlias))
    throw new Error(`common: postfix.rootAlias "${p.rootAlias}" is not an address`);
  if (!/^[\w.[\]:-]+$/.test(p.relayHost)) throw new Error(`common: postfix.relayHost "${p.relayHost}" is not a host[:port]`);
  apt(["postfix"], { installRecommends: false });
  file("/etc/mailname", { content: `${p.myorigin ?? p.myhostname ?? host}\n`, mode: "0644", notify: "restart postfix" });
  validatedFile("/etc/postfix/main.cf", {
    content: postfixMainCf(p, host),
    mode: "0644",
    validate: "postfix check",
    notify: "restart postfix",
  });
  // The package leaves no aliases database when installed unattended; postfix warns on every message without it.
  command("newaliases", { creates: "/etc/aliases.db", name: "newaliases (first time)" });
  service("postfix", { state: "started", enabled: true });
  handler("restart postfix", () => {
    service("postfix", { state: "restarted" });
    command(
      "for i in 1 2 3 4 5 6 7 8 9 10; do postfix status >/dev/null 2>&1 && exit 0; sleep 0.5; done; echo 'postfix is not running after its restart' >&2; exit 1",
      {
        name: "postfix is running",
      },
    );
  });
}
