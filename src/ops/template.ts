import { readFileSync } from "node:fs";
import path from "node:path";
import { declareOp } from "../core/collector.js";
import type { CommonOptions, Operation } from "../core/operation.js";
import { isSecret } from "../vault/secret.js";
import type { Attrs } from "./attrs.js";
import type { Content } from "./content.js";
import { fileOp } from "./file.js";

export interface TemplateOptions extends CommonOptions, Attrs {
  /** A template file on the control machine with `{{ name }}` / `{{ a.b }}` placeholders… */
  src?: string;
  /** …rendered with these vars; */
  vars?: Record<string, unknown>;
  /** …or a TypeScript function returning the content (a template literal over typed vars and facts; sensitive`` for secrets). */
  render?: () => Content;
}

/**
 * Renders a `{{ a.b }}` template with vars. Throws "file:line: unknown variable" for a placeholder
 * whose value is undefined: a typo never renders as an empty string on a server.
 */
export function renderTemplate(text: string, vars: Record<string, unknown>, file = "<template>", reveal = false): string {
  return text.replace(/\{\{\s*([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s*\}\}/g, (_all, expr: string, offset: number) => {
    let v: unknown = vars;
    for (const part of expr.split(".")) v = v === null || v === undefined ? undefined : (v as Record<string, unknown>)[part];
    if (v === undefined || v === null) {
      const line = text.slice(0, offset).split("\n").length;
      throw new Error(`${file}:${line}: unknown variable "${expr}" in template`);
    }
    if (reveal && isSecret(v)) return v.reveal();
    return typeof v === "object" && !isSecret(v) ? JSON.stringify(v) : String(v);
  });
}

/** Ensures path has the content of a rendered template (a `{{ }}` file, or a TypeScript render function). */
export function template(dest: string, o: TemplateOptions): Operation {
  let content: Content;
  if (o.render) content = o.render();
  else if (o.src) {
    const src = path.resolve(o.src);
    let text: string;
    try {
      text = readFileSync(src, "utf8");
    } catch {
      throw new Error(`template ${dest}: template file not found: ${src}`);
    }
    const masked = renderTemplate(text, o.vars ?? {}, src);
    const real = renderTemplate(text, o.vars ?? {}, src, true);
    // Vars from the vault render as *** in plans and diffs; the host gets the plaintext.
    content = real === masked ? real : { masked, reveal: () => real };
  } else throw new Error(`template ${dest}: give src (a template file) or render (a function)`);
  return declareOp(fileOp(dest, { ...o, content }, "template"));
}
