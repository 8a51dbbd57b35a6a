/**
 * Reading ansible-vault files (formats 1.1 and 1.2, cipher AES256), for `bosun vault import` and for
 * inline `!vault` values carried over from Ansible. Never writes this format.
 *
 *   $ANSIBLE_VAULT;1.1;AES256            or   $ANSIBLE_VAULT;1.2;AES256;<vault-id>
 *   hex( hex(salt) "\n" hex(hmac) "\n" hex(ciphertext) ), wrapped at 80 columns
 *
 * Keys: PBKDF2-HMAC-SHA256(password, salt, 10000 iterations, 80 bytes) = AES key (32) | HMAC key (32) | CTR IV (16).
 * The HMAC-SHA256 covers the ciphertext only; the plaintext is PKCS#7-padded to 16 bytes before AES-256-CTR.
 */
import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from "node:crypto";
import type { Opened } from "./crypto.js";
import { VaultError } from "./errors.js";
import type { VaultKey } from "./keys.js";

export const ANSIBLE_MAGIC = "$ANSIBLE_VAULT";

/** Returns true when text is an ansible-vault file or inline value, judged by its first characters. */
export function isAnsibleVault(text: string): boolean {
  return text.trimStart().startsWith(`${ANSIBLE_MAGIC};`);
}

interface AnsibleEnvelope {
  version: "1.1" | "1.2";
  id?: string;
  salt: Buffer;
  hmac: Buffer;
  ciphertext: Buffer;
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

function parseAnsible(text: string, where: string): AnsibleEnvelope {
  const lines = text
    .trim()
    .split("\n")
    .map((l) => l.trim());
  const header = (lines[0] as string).split(";");
  const [magic, version, cipher, id] = header;
  if (magic !== ANSIBLE_MAGIC)
    throw new VaultError(`${where}: not an ansible vault (expected a first line starting with "${ANSIBLE_MAGIC};")`);
  if (version !== "1.1" && version !== "1.2") {
    throw new VaultError(`${where}: ansible vault format ${version} is not supported (expected 1.1 or 1.2)`);
  }
  if (cipher !== "AES256") throw new VaultError(`${where}: ansible vault cipher ${cipher} is not supported (expected AES256)`);
  const body = lines.slice(1).join("");
  const damaged = new VaultError(`${where}: integrity check failed: the ansible vault body is not what ansible-vault writes`);
  if (!HEX.test(body)) throw damaged;
  const parts = Buffer.from(body, "hex").toString("latin1").split("\n");
  if (parts.length !== 3 || !parts.every((p) => HEX.test(p))) throw damaged;
  const [salt, hmac, ciphertext] = parts.map((p) => Buffer.from(p, "hex")) as [Buffer, Buffer, Buffer];
  if (hmac.length !== 32 || ciphertext.length === 0 || ciphertext.length % 16 !== 0) throw damaged;
  return { version, id: version === "1.2" ? id : undefined, salt, hmac, ciphertext };
}

/**
 * Returns the plaintext of an ansible vault and the password that opened it. Keys whose id matches a 1.2
 * header are tried first. Only passphrase keys apply. Ansible's HMAC cannot tell a wrong password from a
 * modified file, so the error says both.
 */
export function decryptAnsible(text: string, keys: readonly VaultKey[], where: string): Opened {
  const env = parseAnsible(text, where);
  const usable = keys.filter((k) => k.kind === "passphrase");
  if (usable.length === 0) throw new VaultError(`${where}: an ansible vault needs a password; only key files were given`);
  const ordered = [...usable.filter((k) => k.id === env.id), ...usable.filter((k) => k.id !== env.id)];
  for (const key of ordered) {
    const derived = pbkdf2Sync(key.material(), env.salt, 10000, 80, "sha256");
    const mac = createHmac("sha256", derived.subarray(32, 64)).update(env.ciphertext).digest();
    if (!timingSafeEqual(mac, env.hmac)) continue;
    const decipher = createDecipheriv("aes-256-ctr", derived.subarray(0, 32), derived.subarray(64, 80));
    const padded = Buffer.concat([decipher.update(env.ciphertext), decipher.final()]);
    const pad = padded[padded.length - 1] as number;
    if (pad < 1 || pad > 16 || !padded.subarray(padded.length - pad).every((b) => b === pad)) {
      throw new VaultError(`${where}: integrity check failed: bad padding after decryption`);
    }
    const id = env.id ?? key.id;
    return { plaintext: padded.subarray(0, padded.length - pad), key, id, format: env.version === "1.1" ? "ansible-1.1" : "ansible-1.2" };
  }
  throw new VaultError(
    `${where}: wrong password for ansible vault${env.id ? ` id "${env.id}"` : ""}, or the file was modified (tried ${ordered.map((k) => `${k.id} from ${k.source}`).join(", ")})`,
  );
}
