import { decryptAnsible, isAnsibleVault } from "./ansible.js";
import { decryptVault, type Opened } from "./crypto.js";
import { VaultError } from "./errors.js";
import { isVaulted } from "./format.js";
import type { VaultKey } from "./keys.js";

/** Returns true when text is a vault Bosun can open: its own format or ansible-vault 1.1/1.2. */
export function isAnyVault(text: string): boolean {
  return isVaulted(text) || isAnsibleVault(text);
}

/** Returns the plaintext of a Bosun or ansible vault (told apart by the header) and the key that opened it. */
export function openVault(text: string, keys: readonly VaultKey[], where: string): Opened {
  if (isAnsibleVault(text)) return decryptAnsible(text, keys, where);
  if (isVaulted(text)) return decryptVault(text, keys, where);
  throw new VaultError(`${where}: not encrypted (expected a first line starting with "$BOSUN_VAULT;" or "$ANSIBLE_VAULT;")`);
}
