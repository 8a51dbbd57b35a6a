/**
 * The files `bosun init` writes: a working starting point for a user's own infrastructure repository.
 * The site imports "bosun", which the CLI resolves to itself; tsconfig.json only gives editors the
 * installed Bosun's types (the CLI's type-check maps "bosun" the same way on its own).
 */

/** Returns file name → content; typeEntries maps "bosun" specifiers to this Bosun's type files. */
export function scaffold(typeEntries: Record<string, string>): Record<string, string> {
  const paths = Object.fromEntries(Object.entries(typeEntries).map(([k, f]) => [k, [f]]));
  return {
    "site.ts": SITE,
    "inventory.yml": INVENTORY,
    "bosun.toml": CONFIG,
    "tsconfig.json": `${JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: true,
          noEmit: true,
          // Written by `bosun init`: the installed Bosun's types, for editors. Run `bosun init` again elsewhere after moving Bosun.
          paths,
        },
        include: ["**/*.ts"],
      },
      null,
      2,
    )}\n`,
    ".gitignore": "node_modules/\n*.decrypted\n.bosun/\n",
  };
}

const SITE = `/**
 * The site: which hosts get what. \`bosun plan site.ts\` shows what would change; \`bosun apply site.ts\` does it.
 */
import { deploy, file, role } from "bosun";

/** A role is a typed function that declares operations. */
const motd = role("motd", (p: { text: string }) => {
  file("/etc/motd", { content: \`\${p.text}\\n\`, mode: "0644" });
});

export default deploy("site", [{ name: "base", hosts: "all", roles: [motd({ text: "Managed by Bosun" })] }]);
`;

const INVENTORY = `# Hosts and groups (Ansible's YAML inventory format). \`bosun inventory\` shows what Bosun reads.
all:
  children:
    web:
      hosts:
        web1:
          ansible_host: 192.0.2.10
  vars:
    ansible_user: root
`;

const CONFIG = `# Bosun's settings for this repository (see docs/configuration.md).
inventory = "inventory.yml"
`;
