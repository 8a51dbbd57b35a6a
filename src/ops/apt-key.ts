import { declareOp } from "../core/collector.js";
import type { CommonOptions, Operation } from "../core/operation.js";
import { aptConfigAbsentOp, aptConfigFileOp, requireAptName } from "./apt-repository.js";

export interface AptKeyOptions extends CommonOptions {
  /** The repository's OpenPGP public key: ASCII-armored text or binary bytes. Required unless state is "absent". */
  key?: string | Uint8Array;
  state?: "present" | "absent";
}

const ARMOR = /-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]+-----END PGP PUBLIC KEY BLOCK-----/;

/** Returns where aptKey puts a key: NAME.asc when ASCII-armored, NAME.gpg when binary (apt reads keys by extension). */
export function aptKeyPath(name: string, key: string | Uint8Array): string {
  return `/etc/apt/keyrings/${name}.${typeof key === "string" ? "asc" : "gpg"}`;
}

/**
 * Ensures a repository signing key in /etc/apt/keyrings (NAME.asc, or NAME.gpg for a binary key), for an
 * aptRepository's signedBy (the op's name is the key's path). When it changes, apt's lists are refreshed next.
 */
export function aptKey(name: string, o: AptKeyOptions): Operation {
  requireAptName("apt_key", name);
  const state = o.state ?? "present";
  if (state === "absent") {
    return declareOp(aptConfigAbsentOp("apt_key", [aptKeyPath(name, ""), aptKeyPath(name, new Uint8Array())], o));
  }
  if (state !== "present") throw new Error(`apt_key ${name}: bad state "${state}" (expected present or absent)`);
  const key = o.key;
  if (typeof key === "string") {
    if (!ARMOR.test(key))
      throw new Error(`apt_key ${name}: key text is not an ASCII-armored OpenPGP public key (no BEGIN/END PGP PUBLIC KEY BLOCK)`);
  } else if (key instanceof Uint8Array) {
    // An OpenPGP public-key packet: old-format tag 6 (0x98–0x9b) or new-format tag 6 (0xc6).
    if (key.length < 8 || !((key[0] as number) >> 2 === 0x26 || key[0] === 0xc6))
      throw new Error(`apt_key ${name}: key bytes are not a binary OpenPGP public key`);
  } else throw new Error(`apt_key ${name}: key is required (ASCII-armored text or binary bytes)`);
  return declareOp(aptConfigFileOp("apt_key", aptKeyPath(name, key), key, o));
}
