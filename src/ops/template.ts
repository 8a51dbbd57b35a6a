import { readFileSync } from "node:fs";
import path from "node:path";
import { declareOp } from "../core/collector.js";
import type { CommonOptions, Operation } from "../core/operation.js";
import { isSecret } from "../vault/secret.js";
import type { Attrs } from "./attrs.js";
import type { Content } from "./content.js";
import { fileOp } from "./file.js";
import { renderJinja, templateScope } from "./jinja.js";
import type { TemplateHost } from "./jinja-vars.js";

export interface TemplateOptions extends CommonOptions, Attrs {
  /**
   * A template file on the control machine: a Jinja2 template as Ansible renders it when it ends in `.j2`
   * (or with `engine: "jinja2"`), else a file with `{{ name }}` / `{{ a.b }}` placeholders…
   */
  src?: string;
  /** …rendered with these vars; */
  vars?: Record<string, unknown>;
  /**
   * The role's context (`ctx`): a Jinja2 template then also sees the host's vars, `inventory_hostname`,
   * `group_names`, `groups`, `hostvars` and `ansible_facts` / `ansible_*` (from Bosun's host facts), under `vars`.
   */
  context?: TemplateHost;
  /** How src is rendered; default: "jinja2" for a `.j2` file, else "simple". */
  engine?: "jinja2" | "simple";
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
    const jinja = (o.engine ?? (src.endsWith(".j2") ? "jinja2" : "simple")) === "jinja2";
    const render = (reveal: boolean) => {
      if (!jinja) return renderTemplate(text, o.vars ?? {}, src, reveal);
      const scope = templateScope(o.vars ?? {}, o.context);
      return renderJinja(text, scope.vars, { file: src, reveal, lazy: scope.lazy });
    };
    const masked = render(false);
    const real = render(true);
    // Vars from the vault render as *** in plans and diffs; the host gets the plaintext.
    content = real === masked ? real : { masked, reveal: () => real };
  } else throw new Error(`template ${dest}: give src (a template file) or render (a function)`);
  return declareOp(fileOp(dest, { ...o, content }, "template"));
}
