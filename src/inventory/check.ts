import { InventoryError, type SourceLocation } from "../errors.js";
import { CONNECTION_FIELD, connectionValueProblem, hostNameProblem } from "../transport/spec.js";
import { quoted } from "./escape.js";
import type { InventoryDecl, VarLines, Vars } from "./model.js";

/**
 * Throws InventoryError at the first bad connection value of a loaded inventory, naming the file,
 * the line and the var as written (`ansible_port`, not Bosun's name for it): a port that is not a
 * number, an unknown connection type, an address, user or host name that ssh could read as an
 * option. Every scope is checked, so an error never waits for the host to be contacted.
 */
export function checkConnectionVars(decl: InventoryDecl): void {
  const allGroup = decl.groups.find((g) => g.name === "all");
  const scopes: { vars: Vars; lines?: VarLines; where: string; location: SourceLocation }[] = [
    { vars: decl.vars, lines: decl.varLines, where: "all", location: allGroup?.location ?? { file: decl.source } },
    ...decl.groups.map((g) => ({ vars: g.vars, lines: g.varLines, where: `group ${quoted(g.name)}`, location: g.location })),
    ...decl.hosts.map((h) => ({ vars: h.vars, lines: h.varLines, where: `host ${quoted(h.name)}`, location: h.location })),
  ];
  for (const h of decl.hosts) {
    const problem = hostNameProblem(h.name);
    if (problem && h.vars.ansible_host === undefined && h.vars.bosun_host === undefined)
      throw new InventoryError(h.location, `host name ${quoted(h.name)} ${problem}`);
  }
  for (const s of scopes) {
    for (const [key, value] of Object.entries(s.vars)) {
      const field = CONNECTION_FIELD.get(key);
      if (!field) continue;
      const problem = connectionValueProblem(field, value);
      if (!problem) continue;
      const line = s.lines?.[key];
      const at = line !== undefined ? { file: s.location.file, line } : s.location;
      const shown = isSecret(value)
        ? "a vaulted value"
        : quoted(typeof value === "string" ? value : (JSON.stringify(value) ?? String(value)));
      throw new InventoryError(at, `${key} of ${s.where} ${problem}, found ${shown}`);
    }
  }
}

function isSecret(v: unknown): boolean {
  return typeof v === "object" && v !== null && typeof (v as { reveal?: unknown }).reveal === "function";
}
