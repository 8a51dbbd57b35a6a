/**
 * group_vars/ and host_vars/ next to an inventory file, read as Ansible reads them: for a group or host
 * NAME, the file NAME (no extension, .yml, .yaml or .json) and every such file under the directory NAME/,
 * in name order. Their vars sit above the inventory file's own vars of that group or host. A wholly
 * vaulted file is decrypted with the keys (each of its vars becomes a Secret); inline `!vault` values are
 * left for the loader's decryption of the whole inventory.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { InventoryError } from "../errors.js";
import { isAnyVault, openVault } from "../vault/open.js";
import { type KeyProvider, secretLeaves } from "../vault/vars.js";
import type { Vars } from "./model.js";

const EXTS = ["", ".yml", ".yaml", ".json"];
const VAULT_TAG = { tag: "!vault", resolve: (s: string) => s };

/** Returns the var files of NAME under dir (dir/NAME{,.yml,.yaml,.json}, then dir/NAME/**), in Ansible's order. */
export function varFilesOf(dir: string, name: string): string[] {
  const out: string[] = [];
  for (const ext of EXTS) {
    const f = path.join(dir, name + ext);
    if (existsSync(f) && statSync(f).isFile()) out.push(f);
  }
  const sub = path.join(dir, name);
  if (existsSync(sub) && statSync(sub).isDirectory()) {
    const walk = (d: string): string[] =>
      readdirSync(d)
        .sort()
        .flatMap((e) => {
          const f = path.join(d, e);
          if (e.startsWith(".")) return [];
          if (statSync(f).isDirectory()) return walk(f);
          return EXTS.includes(path.extname(e)) ? [f] : [];
        });
    out.push(...walk(sub));
  }
  return out;
}

/** Returns the vars of one file; keys are asked for only when it is wholly vaulted. */
export async function readVarFile(file: string, keys: KeyProvider): Promise<Vars> {
  const raw = readFileSync(file, "utf8");
  const whole = isAnyVault(raw.slice(0, 64));
  const text = whole ? openVault(raw, await keys(), file).plaintext.toString("utf8") : raw;
  const doc = parseDocument(text, { customTags: [VAULT_TAG], prettyErrors: false });
  // A vaulted file's text is never quoted back: only the position of the error.
  const err = doc.errors[0];
  if (err)
    throw new InventoryError(
      { file, line: err.linePos?.[0].line },
      whole ? "bad YAML in the decrypted vars file" : `bad YAML: ${err.message.split("\n")[0]}`,
    );
  const data = doc.toJS() ?? {};
  if (typeof data !== "object" || Array.isArray(data))
    throw new InventoryError({ file }, "a vars file must hold a mapping of names to values");
  return (whole ? secretLeaves(data) : data) as Vars;
}

/** Returns the merged vars of group_vars/NAME (kind "group_vars") or host_vars/NAME next to the inventory. */
export async function adjacentVars(
  inventoryDir: string,
  kind: "group_vars" | "host_vars",
  name: string,
  keys: KeyProvider,
): Promise<Vars | undefined> {
  const files = varFilesOf(path.join(inventoryDir, kind), name);
  if (files.length === 0) return undefined;
  const vars: Vars = {};
  for (const f of files) Object.assign(vars, await readVarFile(f, keys));
  return vars;
}
