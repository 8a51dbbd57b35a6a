/**
 * Ansible's reading of a host identifier with an optional port (parse_address with ranges):
 * `host:22`, `[::1]:22`, `10.0.0.[1:3]`, `web[01:10].example.com`. Used where Ansible uses it: to
 * split a port off an inventory host name, and to decide whether a host pattern is one term.
 */

const numericRange = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const hexRange = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const alnumRange = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const i6 = `(?:[0-9a-f]{1,4}|${hexRange})`;
const i4 = `(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${numericRange})`;
const word = String.raw`[\p{L}\p{N}_]`;
const label = `(?:${word}|${alnumRange})(?:${word}|[_-]|${alnumRange})*(?<![_-])`;

const BRACKETED_HOSTPORT = /^\[(.+)\]:([0-9]+)$/s;
const HOSTPORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/s;
const IPV4 = new RegExp(`^(?:${i4}\\.){3}${i4}$`, "i");
const IPV6 = new RegExp(
  `^(?:(?:${i6}:){7}${i6}|(?:${i6}:){1,6}:|(?:${i6}:)(?::${i6}){1,6}|(?:${i6}:){2}(?::${i6}){1,5}|` +
    `(?:${i6}:){3}(?::${i6}){1,4}|(?:${i6}:){4}(?::${i6}){1,3}|(?:${i6}:){5}(?::${i6}){1,2}|(?:${i6}:){6}(?::${i6})|` +
    `:(?::${i6}){1,6}|${i6}?::|(?:0:){6}(?:${i6}\\.){3}${i6}|::(?:ffff:)?(?:${i6}\\.){3}${i6}|(?:0:){5}ffff:(?:${i6}\\.){3}${i6})$`,
  "i",
);
const HOSTNAME = new RegExp(`^${label}(?:\\.${label})*$`, "iu");

/** Returns host and port of address, or undefined when it is not a host identifier Ansible accepts. */
export function parseAddress(address: string): { host: string; port?: number } | undefined {
  let rest = address;
  let port: number | undefined;
  // Both forms are tried in turn on what is left, as Ansible does.
  for (const re of [BRACKETED_HOSTPORT, HOSTPORT]) {
    const m = re.exec(rest);
    if (m) {
      rest = m[1] as string;
      port = Number(m[2]);
    }
  }
  if (!(IPV4.test(rest) || IPV6.test(rest) || HOSTNAME.test(rest))) return undefined;
  return { host: rest, port };
}
