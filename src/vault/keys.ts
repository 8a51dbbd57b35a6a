/**
 * Vault keys and where they come from: passphrases (files, password scripts, BOSUN_VAULT_PASSWORD,
 * a prompt) and raw 32-byte key files made by `bosun vault init`. Reading a source is a side effect;
 * the prompt is passed in, so this layer never touches the terminal itself.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { constants, existsSync } from "node:fs";
import { access, readFile } from "node:fs/promises";
import path from "node:path";
import { inspect } from "node:util";
import { systemErrorText } from "../errors.js";
import { VaultError } from "./errors.js";
import { checkVaultId } from "./format.js";
import { registerSecret } from "./redact.js";

export const DEFAULT_VAULT_ID = "default";
export const KEY_BYTES = 32;
/** First characters of a key file: `$BOSUN_VAULT_KEY;1;<base64 of 32 bytes>`. */
export const KEY_FILE_MAGIC = "$BOSUN_VAULT_KEY;1;";

export type KeyKind = "passphrase" | "key";

/** One vault key: an id, a passphrase or raw key, and where it came from. Printing one never shows the material. */
export class VaultKey {
  readonly id: string;
  readonly kind: KeyKind;
  /** Where the key came from, for messages: "--vault-id dev@pw.txt", "BOSUN_VAULT_PASSWORD", "prompt". */
  readonly source: string;
  readonly #material: Buffer;

  private constructor(id: string, kind: KeyKind, material: Buffer, source: string) {
    this.id = checkVaultId(id);
    this.kind = kind;
    this.#material = material;
    this.source = source;
  }

  /** Returns a key derived (with scrypt) from passphrase; the passphrase is registered for redaction. */
  static fromPassphrase(id: string, passphrase: string, source: string): VaultKey {
    if (passphrase.length === 0) throw new VaultError(`${source}: the vault password is empty`);
    registerSecret(passphrase, { pieces: false });
    return new VaultKey(id, "passphrase", Buffer.from(passphrase, "utf8"), source);
  }

  /** Returns a key that is used as is: exactly 32 random bytes. */
  static fromBytes(id: string, bytes: Uint8Array, source: string): VaultKey {
    if (bytes.length !== KEY_BYTES) throw new VaultError(`${source}: a vault key must be ${KEY_BYTES} bytes, found ${bytes.length}`);
    return new VaultKey(id, "key", Buffer.from(bytes), source);
  }

  /** Returns the same material under another vault id. */
  withId(id: string): VaultKey {
    return new VaultKey(id, this.kind, this.#material, this.source);
  }

  /** Returns the passphrase bytes or the raw key. Only the vault's crypto calls this. */
  material(): Buffer {
    return this.#material;
  }

  toString(): string {
    return `VaultKey(${this.id}, ${this.kind} from ${this.source})`;
  }

  toJSON(): { id: string; kind: KeyKind; source: string } {
    return { id: this.id, kind: this.kind, source: this.source };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Returns the text of a new key file holding 32 random bytes. */
export function newKeyFileText(): string {
  return `${KEY_FILE_MAGIC}${randomBytes(KEY_BYTES).toString("base64")}\n`;
}

/**
 * Returns the key a file holds, for vault id `id`:
 * - a key file (starts with `$BOSUN_VAULT_KEY;1;`): its 32 bytes, used without a KDF;
 * - an executable file: a password script (as in ansible-vault); its stdout, trailing whitespace removed;
 * - any other file: a passphrase, trailing whitespace (the final newline) removed.
 */
export async function readKeySource(id: string, file: string, source = file): Promise<VaultKey> {
  let text: string;
  try {
    text = (await readFile(file)).toString("utf8");
  } catch (err) {
    throw new VaultError(`${source}: cannot read vault password file: ${systemErrorText(err)}`);
  }
  if (text.startsWith(KEY_FILE_MAGIC)) {
    const b64 = text.slice(KEY_FILE_MAGIC.length).trim();
    const bytes = Buffer.from(b64, "base64");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || bytes.length !== KEY_BYTES) {
      throw new VaultError(`${source}: damaged key file: expected ${KEY_BYTES} bytes of base64 after "${KEY_FILE_MAGIC}"`);
    }
    return VaultKey.fromBytes(id, bytes, source);
  }
  if (await isExecutable(file)) text = await runPasswordScript(path.resolve(file), id, source);
  return VaultKey.fromPassphrase(id, text.replace(/\s+$/, ""), source);
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Default bound on a password script: one that waits for input nobody gives must not hang the command. */
export const DEFAULT_PASSWORD_SCRIPT_TIMEOUT_S = 30;

function scriptTimeoutS(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.BOSUN_PASSWORD_SCRIPT_TIMEOUT);
  return env.BOSUN_PASSWORD_SCRIPT_TIMEOUT && Number.isFinite(n) && n > 0 ? n : DEFAULT_PASSWORD_SCRIPT_TIMEOUT_S;
}

/** Runs an executable password file; file is absolute (a relative name must not be looked up in $PATH). */
function runPasswordScript(file: string, id: string, source: string): Promise<string> {
  const timeoutS = scriptTimeoutS();
  return new Promise((resolve, reject) => {
    // ansible-vault's client-script convention: the vault id is passed as --vault-id.
    const args = id === DEFAULT_VAULT_ID ? [] : ["--vault-id", id];
    execFile(file, args, { encoding: "utf8", maxBuffer: 1 << 20, timeout: timeoutS * 1000, killSignal: "SIGKILL" }, (err, stdout) => {
      if (!err) return resolve(stdout);
      const e = err as Error & { killed?: boolean; code?: number | string };
      // Its stderr and stdout are not quoted: a script may have printed the password before failing.
      const why = e.killed
        ? `did not finish within ${timeoutS}s (BOSUN_PASSWORD_SCRIPT_TIMEOUT sets the limit)`
        : typeof e.code === "number"
          ? `exited with code ${e.code}`
          : `could not run (${e.code ?? "unknown error"})`;
      reject(new VaultError(`${source}: password script ${why}`));
    });
  });
}

/** A `--vault-id` argument: `dev@path/to/file`, `dev@prompt`, or just a path (id "default"). */
export interface VaultIdArg {
  id: string;
  /** A file path, or "prompt". */
  from: string;
}

/** Returns the id and source named by a --vault-id argument; throws on a bad id. */
export function parseVaultIdArg(arg: string, flag = "--vault-id"): VaultIdArg {
  const at = arg.indexOf("@");
  if (at < 0) return { id: DEFAULT_VAULT_ID, from: arg };
  const id = arg.slice(0, at);
  const from = arg.slice(at + 1);
  if (!from) throw new VaultError(`${flag} ${arg}: expected ID@FILE or ID@prompt`);
  return { id: checkVaultId(id), from };
}

/** Asks for a line without echo; the CLI passes its terminal prompt. */
export type Prompt = (question: string) => Promise<string>;

export interface KeySources {
  /** --vault-id arguments, in the order given. */
  vaultIds?: readonly string[];
  /** --vault-password-file. */
  passwordFile?: string;
  /** [vault.ids] of bosun.toml: id → password or key file. An id also given by --vault-id is skipped. */
  configIds?: Readonly<Record<string, string>>;
  env?: NodeJS.ProcessEnv;
  prompt?: Prompt;
  /** Ask twice and compare when prompting (a password being set rather than used). */
  confirm?: boolean;
}

/**
 * Returns every key the sources give, in order: --vault-id arguments, then the default key from the first of
 * --vault-password-file, $BOSUN_VAULT_PASSWORD_FILE, $BOSUN_VAULT_PASSWORD, then bosun.toml's [vault.ids].
 * When none gives a key, the prompt is asked for the default key. Throws when there is no key and no prompt.
 */
export async function resolveKeys(src: KeySources): Promise<VaultKey[]> {
  const env = src.env ?? process.env;
  const keys: VaultKey[] = [];
  for (const arg of src.vaultIds ?? []) {
    const { id, from } = parseVaultIdArg(arg);
    keys.push(from === "prompt" ? await promptKey(id, src) : await readKeySource(id, from, `--vault-id ${arg}`));
  }
  if (src.passwordFile) keys.push(await readKeySource(DEFAULT_VAULT_ID, src.passwordFile, `--vault-password-file ${src.passwordFile}`));
  else if (env.BOSUN_VAULT_PASSWORD_FILE) {
    keys.push(await readKeySource(DEFAULT_VAULT_ID, env.BOSUN_VAULT_PASSWORD_FILE, "BOSUN_VAULT_PASSWORD_FILE"));
  } else if (env.BOSUN_VAULT_PASSWORD)
    keys.push(VaultKey.fromPassphrase(DEFAULT_VAULT_ID, env.BOSUN_VAULT_PASSWORD, "BOSUN_VAULT_PASSWORD"));
  for (const [id, file] of Object.entries(src.configIds ?? {})) {
    // A key file listed in bosun.toml but absent here (prod keys on a laptop) is not an error until it is needed.
    if (keys.some((k) => k.id === id) || !existsSync(file)) continue;
    keys.push(await readKeySource(id, file, `bosun.toml vault.ids.${id}`));
  }
  if (keys.length === 0) keys.push(await promptKey(DEFAULT_VAULT_ID, src));
  return keys;
}

async function promptKey(id: string, src: KeySources): Promise<VaultKey> {
  if (!src.prompt) {
    throw new VaultError(
      "no vault password: pass --vault-id ID@FILE or --vault-password-file FILE, or set BOSUN_VAULT_PASSWORD_FILE or BOSUN_VAULT_PASSWORD",
    );
  }
  const label = id === DEFAULT_VAULT_ID ? "" : ` (${id})`;
  const word = src.confirm ? "New vault password" : "Vault password";
  const pass = await src.prompt(`${word}${label}: `);
  if (src.confirm && (await src.prompt(`Confirm ${word.toLowerCase()}${label}: `)) !== pass) {
    throw new VaultError("the passwords do not match");
  }
  return VaultKey.fromPassphrase(id, pass, id === DEFAULT_VAULT_ID ? "prompt" : `--vault-id ${id}@prompt`);
}

/** Returns the key to encrypt with: the one with id encryptId when given, else the first. */
export function encryptionKey(keys: readonly VaultKey[], encryptId?: string): VaultKey {
  if (encryptId !== undefined) {
    const key = keys.find((k) => k.id === encryptId);
    if (!key)
      throw new VaultError(`--encrypt-vault-id ${encryptId}: no such vault id among ${keys.map((k) => k.id).join(", ") || "(none)"}`);
    return key;
  }
  const first = keys[0];
  if (!first) throw new VaultError("no vault key to encrypt with");
  return first;
}
