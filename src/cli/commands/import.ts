import type { Command } from "commander";
import { importAnsible } from "../../import/ansible/index.js";

/** Registers `bosun import ansible PLAYBOOK [-i INVENTORY] --out DIR`. */
export function registerImport(p: Command): void {
  const imp = p.command("import").description("convert another tool's repository into a Bosun site");
  imp
    .command("ansible <playbook>")
    .description("convert an Ansible playbook, its roles and group_vars/host_vars into a Bosun site (TypeScript)")
    .option("-i, --inventory <file>", "the Ansible inventory (INI or YAML) whose groups and vars to carry over")
    .requiredOption("--out <dir>", "directory to write the site into")
    .action((playbook: string, o: { inventory?: string; out: string }) => {
      const r = importAnsible({ playbook, inventory: o.inventory, out: o.out });
      let converted = 0;
      let todo = 0;
      for (const e of r.tally.values()) {
        converted += e.converted;
        todo += e.todo;
      }
      process.stdout.write(
        `wrote ${r.files.length} files to ${o.out}: ${converted} tasks converted, ${todo} TODO (see ${o.out}/IMPORT-REPORT.md)\n`,
      );
    });
}
