/**
 * Secret values in memory, and the two ways vaulted data enters a run: inline values (one var) and wholly
 * encrypted vars files. A Secret prints as `***` everywhere (String, template literals, JSON, util.inspect,
 * console.log); only reveal() gives the plaintext, and only code building what is sent to a host calls it.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { inspect } from "node:util";
import { parse as parseToml, TomlError } from "smol-toml";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { VaultError } from "./errors.js";
import type { VaultKey } from "./keys.js";
import { openVault } from "./open.js";
import { REDACTED, registerSecret } from "./redact.js";

const BRAND: unique symbol = Symbol.for("bosun.vault.secret");

/** A plaintext that never prints. Created from a decrypted value; registered for redact() at once. */
export class Secret {
  readonly #plaintext: string;
  declare readonly [BRAND]: true;

  constructor(plaintext: string) {
    this.#plaintext = plaintext;
    registerSecret(plaintext);
  }

  /** Returns the plaintext. Call only where the value leaves for a host (a command line, a file's content). */
  reveal(): string {
    return this.#plaintext;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
Object.defineProperty(Secret.prototype, BRAND, { value: true });

/** Returns true when x is a Secret (also one made by another copy of this module). */
export function isSecret(x: unknown): x is Secret {
  return typeof x === "object" && x !== null && (x as { [BRAND]?: unknown })[BRAND] === true;
}

/**
 * Returns the Secret held by an inline vaulted value: `$BOSUN_VAULT;...` text (from `bosun vault encrypt-string`,
 * a YAML `|` block or one line) or an ansible `$ANSIBLE_VAULT;...` value. Surrounding whitespace is ignored.
 */
export function decryptInline(value: string, keys: readonly VaultKey[], where = "inline vault value"): Secret {
  return new Secret(openVault(value.trim(), keys, where).plaintext.toString("utf8"));
}

/**
 * Returns the data of a wholly encrypted YAML, TOML or JSON file, parsed by its extension once a final `.vault`
 * is removed (`group_vars/prod.yml.vault` is YAML). String leaves stay plain strings: wrapping them in Secret
 * is the caller's choice. Parse errors give a line and column, never a piece of the plaintext.
 */
export async function decryptFileToObject(file: string, keys: readonly VaultKey[]): Promise<unknown> {
  const text = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
    throw new VaultError(`${file}: cannot read: ${err.code ?? err.message}`);
  });
  const plain = openVault(text, keys, file).plaintext.toString("utf8");
  const ext = path.extname(file.endsWith(".vault") ? file.slice(0, -".vault".length) : file).toLowerCase();
  const kind = FORMATS[ext];
  if (!kind) {
    throw new VaultError(
      `${file}: cannot tell the format of the decrypted data (expected .yml, .yaml, .toml or .json, optionally + .vault)`,
    );
  }
  try {
    if (kind === "YAML") return parseYaml(plain) ?? {};
    if (kind === "TOML") return parseToml(plain);
    return JSON.parse(plain);
  } catch (err) {
    throw new VaultError(`${file}: decrypted content is not valid ${kind}${position(err)}`);
  }
}

const FORMATS: Record<string, "YAML" | "TOML" | "JSON"> = { ".yml": "YAML", ".yaml": "YAML", ".toml": "TOML", ".json": "JSON" };

/** Returns " (line L, column C)" of a parse error; its message is not used because it quotes the text. */
function position(err: unknown): string {
  if (err instanceof YAMLParseError && err.linePos) return ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})`;
  if (err instanceof TomlError) return ` (line ${err.line}, column ${err.column})`;
  return "";
}
