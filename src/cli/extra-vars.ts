/**
 * `-e` vars: key=value pairs, an inline JSON/YAML mapping, or @FILE (YAML or TOML, whole-file or inline
 * vaulted values). Every mistake ends in one line naming the argument or FILE:LINE; the text of a
 * decrypted file is never quoted back, not even one line of it (it is the secret).
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { parse as parseToml, TomlError } from "smol-toml";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { UsageError, VarsError } from "../errors.js";
import type { Vars } from "../inventory/model.js";
import { quoteValue } from "../util/text.js";
import { isAnyVault, openVault } from "../vault/open.js";
import { decryptTree, type KeyProvider, secretLeaves } from "../vault/vars.js";

/** Larger than any vars file a person writes; `-e @/dev/zero`-like input stops here. */
export const MAX_VARS_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Returns the vars of -e options: key=value pairs (value as YAML scalar), JSON/YAML objects, or @file
 * (a wholly encrypted file's values become Secrets; inline vaulted values too).
 */
export async function parseExtraVars(items: string[] = [], keys?: KeyProvider): Promise<Vars> {
  const out: Vars = {};
  for (const item of items) {
    if (item.startsWith("@")) Object.assign(out, await varsFile(item.slice(1), keys));
    else if (item.trim().startsWith("{")) Object.assign(out, inlineMapping(item));
    else Object.assign(out, pairs(item));
  }
  return out;
}

async function varsFile(file: string, keys?: KeyProvider): Promise<Vars> {
  const arg = `-e @${file}`;
  if (file === "") throw new UsageError("-e @: expected a file name after @");
  const raw = await readVarsFile(file, arg);
  const whole = isAnyVault(raw);
  if ((whole || raw.includes("$BOSUN_VAULT;") || raw.includes("$ANSIBLE_VAULT;")) && !keys)
    throw new UsageError(`${arg}: vaulted data needs a vault key`);
  const text = whole && keys ? openVault(raw, await keys(), file).plaintext.toString("utf8") : raw;
  const data = parseVarsText(text, file, /\.toml(\.vault)?$/.test(file), whole);
  if (!data || typeof data !== "object" || Array.isArray(data))
    throw new VarsError(
      { file },
      `expected a mapping of vars, found ${Array.isArray(data) ? "a list" : data === null ? "nothing" : typeof data}`,
    );
  return (whole ? secretLeaves(data) : keys ? decryptTree(data, await keys(), file) : data) as Vars;
}

/** Returns the text of a vars file: a regular file of at most MAX_VARS_FILE_BYTES, else a one-line error. */
async function readVarsFile(file: string, arg: string): Promise<string> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    // Non-blocking: opening a named pipe nobody writes to must not wait forever (it is refused below).
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError(`${arg}: file not found`);
    if (code === "EACCES") throw new UsageError(`${arg}: permission denied`);
    if (code === "EISDIR") throw new UsageError(`${arg}: is a directory, expected a vars file`);
    throw err;
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new UsageError(`${arg}: is a directory, expected a vars file`);
    if (!st.isFile()) throw new UsageError(`${arg}: not a regular file (a device, pipe or socket is not read)`);
    if (st.size > MAX_VARS_FILE_BYTES)
      throw new UsageError(`${arg}: ${st.size} bytes, more than the ${MAX_VARS_FILE_BYTES}-byte limit for a vars file`);
    const buf = await fh.readFile();
    if (buf.subarray(0, 8000).includes(0)) throw new VarsError({ file }, "binary data, expected YAML or TOML text");
    return buf.toString("utf8");
  } finally {
    await fh.close();
  }
}

/** Returns the parsed YAML or TOML; a syntax error names file:line:col, with the library's reason only when the text is not secret. */
export function parseVarsText(text: string, file: string, toml: boolean, secret: boolean): unknown {
  const format = toml ? "TOML" : "YAML";
  try {
    return toml ? parseToml(text) : parseYaml(text, { customTags: [{ tag: "!vault", resolve: (v: string) => v }] });
  } catch (err) {
    const pos =
      err instanceof YAMLParseError
        ? { line: err.linePos?.[0].line, column: err.linePos?.[0].col }
        : err instanceof TomlError
          ? { line: err.line, column: err.column }
          : {};
    if (secret)
      throw new VarsError(
        { file, ...pos },
        `bad ${format} in the decrypted content (not shown: it is vaulted; \`bosun vault edit\` to fix it)`,
      );
    // yaml also throws plain errors while building values (an alias to no anchor): still the file's fault.
    const reason = ((err as Error).message?.split("\n")[0] ?? "")
      .replace(/ at line \d+, column \d+:?$/, "")
      .replace(/^Invalid TOML document: /, "");
    throw new VarsError({ file, ...pos }, `bad ${format}: ${reason}`);
  }
}

function inlineMapping(item: string): Vars {
  let data: unknown;
  try {
    data = parseYaml(item);
  } catch (err) {
    const reason = err instanceof YAMLParseError ? (err.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "") : "";
    throw new UsageError(`-e ${quoteValue(item)}: not a valid JSON/YAML mapping${reason ? `: ${reason}` : ""}`);
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new UsageError(`-e ${quoteValue(item)}: expected a mapping of vars`);
  return data as Vars;
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function pairs(item: string): Vars {
  const out: Vars = {};
  const words = item.split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new UsageError("-e '': expected key=value, @file or a JSON object");
  for (const pair of words) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`-e ${quoteValue(pair)}: expected key=value, @file or a JSON object`);
    const key = pair.slice(0, eq);
    if (!VAR_NAME.test(key)) throw new UsageError(`-e ${quoteValue(pair)}: ${quoteValue(key)} is not a var name (letters, digits, _)`);
    const raw = pair.slice(eq + 1);
    out[key] = raw === "" ? "" : scalar(raw);
  }
  return out;
}

/** A value is read as a YAML scalar (1 → number, true → boolean); text YAML cannot read stays text. */
function scalar(raw: string): unknown {
  try {
    return parseYaml(raw);
  } catch {
    return raw;
  }
}
