import { access, readFile } from "node:fs/promises";
import type { AnyAuthMethod, ParsedKey } from "ssh2";
import ssh2 from "ssh2";
import { limiter } from "../util/limiter.js";
import { promptHidden } from "../util/prompt.js";

/**
 * How ssh2 authenticates like OpenSSH does: the agent's keys first (SSH_AUTH_SOCK), then each
 * identity file in ssh_config order. An encrypted identity file's passphrase is asked once per
 * file and run on a terminal; without one the key is skipped and the auth error says why.
 */
export interface AuthPlan {
  methods: AnyAuthMethod[];
  /** Why identity files were left out ("key X is encrypted and there is no terminal …"). */
  skipped: string[];
}

/** Returns a key's type as an OpenSSH public key file next to it names it ("sk-ssh-ed25519@openssh.com"), if any. */
export async function publicKeyType(file: string): Promise<string | undefined> {
  const text = await readFile(`${file}.pub`, "utf8").catch(() => "");
  return text.split(/\s+/)[0] || undefined;
}

/** Returns whether a key type needs a FIDO authenticator (ssh2 cannot use those). */
export const isSecurityKeyType = (t: string | undefined): boolean => Boolean(t?.startsWith("sk-"));

export const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

const passphrases = new Map<string, Promise<string | undefined>>();
// One question on the terminal at a time, however many hosts are connecting.
const askSlot = limiter(1);

function askPassphrase(file: string): Promise<string | undefined> {
  let p = passphrases.get(file);
  if (!p) {
    p = askSlot(() => promptHidden(`Enter passphrase for key '${file}': `)).catch(() => undefined);
    passphrases.set(file, p);
  }
  return p;
}

/** Returns the auth methods for user from the agent and the identity files (missing files are skipped silently, like ssh). */
export async function authPlan(user: string, identityFiles: readonly string[], identitiesOnly: boolean): Promise<AuthPlan> {
  const methods: AnyAuthMethod[] = [];
  const skipped: string[] = [];
  const agent = process.env.SSH_AUTH_SOCK;
  // IdentitiesOnly: only the listed files (OpenSSH would also take the agent's copy of them).
  if (agent && !(identitiesOnly && identityFiles.length > 0)) methods.push({ type: "agent", username: user, agent });
  for (const file of identityFiles) {
    if (!(await exists(file))) continue;
    const data = await readFile(file);
    let parsed = ssh2.utils.parseKey(data);
    if (parsed instanceof Error && /encrypted/i.test(parsed.message)) {
      if (!process.stdin.isTTY) {
        skipped.push(`key ${file} is encrypted and there is no terminal to ask for its passphrase`);
        continue;
      }
      const pass = await askPassphrase(file);
      parsed = pass === undefined ? new Error("no passphrase") : ssh2.utils.parseKey(data, pass);
    }
    if (parsed instanceof Error) {
      skipped.push(`key ${file} cannot be used (${parsed.message})`);
      continue;
    }
    const key = (Array.isArray(parsed) ? parsed[0] : parsed) as ParsedKey;
    methods.push({ type: "publickey", username: user, key });
  }
  return { methods, skipped };
}
