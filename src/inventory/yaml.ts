import { isMap, isScalar, LineCounter, type Node, parseDocument, type YAMLMap } from "yaml";
import { InventoryError, type SourceLocation } from "../errors.js";
import type { GroupDecl, HostDecl, InventoryDecl, Vars } from "./model.js";
import { expandHostRange } from "./ranges.js";

/**
 * Returns the declarations of a YAML inventory in Ansible's layout:
 * `all: {vars, hosts: {name: {vars…}}, children: {group: {hosts, vars, children}}}`.
 * Top-level keys other than `all` are groups too. Host names may use ranges (`web[01:03]`).
 */
export function parseYamlInventory(text: string, file: string): InventoryDecl {
  const lc = new LineCounter();
  // Ansible's `!vault |` tag: the value is the vaulted text; the loader decrypts it.
  const vaultTag = { tag: "!vault", resolve: (str: string) => str };
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, customTags: [vaultTag] });
  const at = (node: Node | null | undefined): SourceLocation => {
    const offset = node?.range?.[0];
    if (offset === undefined) return { file };
    const pos = lc.linePos(offset);
    return { file, line: pos.line, column: pos.col };
  };
  const firstError = doc.errors[0];
  if (firstError) {
    const pos = lc.linePos(firstError.pos[0]);
    throw new InventoryError({ file, line: pos.line, column: pos.col }, `bad YAML: ${firstError.message.split("\n")[0]}`);
  }
  const decl: InventoryDecl = { source: file, vars: {}, hosts: [], groups: [] };
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return decl;
  if (!isMap(root)) throw new InventoryError(at(root as Node), "expected a mapping of groups at the top (e.g. all: {hosts: …})");

  const mapOf = (node: unknown, where: string, loc: SourceLocation): YAMLMap | undefined => {
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) return undefined;
    if (!isMap(node)) throw new InventoryError(loc, `${where} must be a mapping`);
    return node;
  };

  const visitGroup = (name: string, node: unknown, loc: SourceLocation, parent?: GroupDecl) => {
    const group: GroupDecl = { name, hosts: [], children: [], vars: {}, location: loc };
    decl.groups.push(group);
    if (parent) parent.children.push(name);
    const body = mapOf(node, `group "${name}"`, loc);
    if (!body) return;
    for (const pair of body.items) {
      const key = String((pair.key as { value?: unknown })?.value ?? pair.key);
      const keyLoc = at(pair.key as Node);
      if (key === "vars") {
        const vars = mapOf(pair.value, `vars of group "${name}"`, keyLoc);
        Object.assign(name === "all" ? decl.vars : group.vars, vars ? (vars.toJSON() as Vars) : {});
      } else if (key === "hosts") {
        const hosts = mapOf(pair.value, `hosts of group "${name}"`, keyLoc);
        for (const h of hosts?.items ?? []) {
          const hostLoc = at(h.key as Node);
          const pattern = String((h.key as { value?: unknown })?.value ?? h.key);
          const vars = mapOf(h.value, `host "${pattern}"`, hostLoc);
          let names: string[];
          try {
            names = expandHostRange(pattern);
          } catch (err) {
            throw new InventoryError(hostLoc, (err as Error).message);
          }
          for (const hostName of names) {
            const host: HostDecl = { name: hostName, vars: vars ? (vars.toJSON() as Vars) : {}, location: hostLoc };
            decl.hosts.push(host);
            group.hosts.push(hostName);
          }
        }
      } else if (key === "children") {
        const children = mapOf(pair.value, `children of group "${name}"`, keyLoc);
        for (const c of children?.items ?? []) {
          const childName = String((c.key as { value?: unknown })?.value ?? c.key);
          visitGroup(childName, c.value, at(c.key as Node), name === "all" ? undefined : group);
        }
      } else {
        throw new InventoryError(keyLoc, `unknown key "${key}" in group "${name}" (expected hosts, vars or children)`);
      }
    }
  };

  for (const pair of root.items) {
    const name = String((pair.key as { value?: unknown })?.value ?? pair.key);
    visitGroup(name, pair.value, at(pair.key as Node));
  }
  return decl;
}
