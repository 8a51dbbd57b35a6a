import type { FactRequest } from "../core/operation.js";

/** What ufw holds on a host: installed, active, default policies, and the user rules as `ufw show added` prints them. */
export interface UfwFact {
  installed: boolean;
  active: boolean;
  /** DEFAULT_INPUT_POLICY / DEFAULT_OUTPUT_POLICY of /etc/default/ufw: "DROP", "REJECT" or "ACCEPT". */
  input?: string;
  output?: string;
  /** Rules as commands: "ufw allow 22/tcp", "ufw allow from 10.0.0.0/8 to any port 9100 proto tcp". */
  rules: string[];
}

/** Returns the fact of ufw's state (needs root: ufw reads its rule files). */
export function ufwFact(): FactRequest<UfwFact> {
  return {
    key: "ufw",
    command: [
      "command -v ufw >/dev/null 2>&1 || { echo installed=no; exit 0; }",
      "echo installed=yes",
      "grep -E '^DEFAULT_(INPUT|OUTPUT)_POLICY=' /etc/default/ufw",
      "ufw status | head -1",
      "ufw show added",
    ].join("\n"),
    parse: parseUfwFact,
  };
}

/** Parses ufwFact's output (captured from Debian 12's ufw 0.36). */
export function parseUfwFact(output: string): UfwFact {
  const lines = output.split("\n").map((l) => l.trim());
  const policy = (name: string) => lines.find((l) => l.startsWith(`${name}=`))?.replace(/^[^=]+="?([A-Z]+)"?$/, "$1");
  return {
    installed: lines.includes("installed=yes"),
    active: lines.includes("Status: active"),
    input: policy("DEFAULT_INPUT_POLICY"),
    output: policy("DEFAULT_OUTPUT_POLICY"),
    rules: lines.filter((l) => l.startsWith("ufw ")),
  };
}
