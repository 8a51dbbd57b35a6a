/**
 * The rows of the bad-input suite: one mistake each, over every input surface of the CLI (arguments,
 * -e vars and vars files, bosun.toml/env.toml and BOSUN_* variables, vault files and commands, sites).
 * `{shared}` holds a valid site, inventory and vault keys; `{dir}` is the row's own sandbox.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { BadInputRow } from "./bad-input-kit.js";

/** The plaintext of the vaulted vars files: it must appear in no output, whatever goes wrong. */
export const SECRET = "S3cr3t-Plaintext-4242-zx";

const SITE = "{shared}/site.ts";
const INV = ["-i", "{shared}/inventory.yml"];
const PW = ["--vault-password-file", "{shared}/pw"];
const plan = (...args: string[]) => ["plan", SITE, ...INV, ...args];
const apply = (...args: string[]) => ["apply", SITE, ...INV, "--yes", ...args];
const inv = (...args: string[]) => ["inventory", ...INV, ...args];
const exec = (...args: string[]) => ["exec", ...INV, ...args];
const fifo = (name: string) => (dir: string) => execFileSync("mkfifo", [path.join(dir, name)]);
const subdir = (name: string) => (dir: string) => mkdirSync(path.join(dir, name), { recursive: true });

function cliRows(): BadInputRow[] {
  const opt = (name: string, args: string[], message: RegExp): BadInputRow => ({ name, args, code: 64, message });
  return [
    opt("an empty --limit would select every host", plan("-l", ""), /--limit.*empty host pattern/),
    opt("a --limit of only commas", plan("-l", ","), /--limit.*empty host pattern/),
    opt("a blank --limit", plan("-l", "  "), /--limit.*empty host pattern/),
    opt("an empty --limit on apply", apply("-l", ""), /--limit.*empty host pattern/),
    opt("an empty --limit on exec", exec("-l", "", "all", "--", "true"), /--limit.*empty host pattern/),
    opt("an empty --limit on facts", ["facts", ...INV, "-l", ""], /--limit.*empty host pattern/),
    opt("an empty --tags would select every operation", plan("-t", ""), /--tags.*empty tag list/),
    opt("a --tags of only a comma", plan("-t", ","), /--tags.*empty tag list/),
    opt("an empty --skip-tags", plan("--skip-tags", ""), /--skip-tags.*empty tag list/),
    opt("an empty tag inside a list", plan("-t", "a,,b"), /--tags.*empty tag in "a,,b"/),
    opt("an empty --skip-tags on apply", apply("--skip-tags", ""), /--skip-tags.*empty tag list/),
    opt("--forks 0", plan("-f", "0"), /--forks.*expected a positive integer, found "0"/),
    opt("a negative --forks", plan("--forks", "-3"), /--forks.*"-3"/),
    opt("a word as --forks", plan("--forks", "many"), /--forks.*"many"/),
    opt("a fraction as --forks", plan("--forks", "1.5"), /--forks.*"1.5"/),
    opt("--connect-timeout 0", plan("--connect-timeout", "0"), /--connect-timeout.*"0"/),
    opt("a word as --connect-timeout", plan("--connect-timeout", "soon"), /--connect-timeout.*"soon"/),
    opt("exec --timeout -5", exec("--timeout", "-5", "all", "--", "true"), /--timeout.*expected seconds > 0, found "-5"/),
    opt("exec --timeout abc", exec("--timeout", "abc", "all", "--", "true"), /--timeout.*"abc"/),
    opt("exec --timeout 0", exec("--timeout", "0", "all", "--", "true"), /--timeout.*"0"/),
    opt("an empty -i", plan("-i", ""), /--inventory.*empty value/),
    opt("an empty --user", plan("-u", ""), /--user.*empty value/),
    opt("an empty --become-user", plan("--become-user", " "), /--become-user.*empty value/),
    opt("an empty --vault-password-file", plan("--vault-password-file", ""), /--vault-password-file.*empty value/),
    { name: "an empty host pattern for exec", args: exec("", "--", "true"), code: 64, message: /empty host pattern/ },
    { name: "an empty host pattern for facts", args: ["facts", ...INV, ""], code: 64, message: /empty host pattern/ },
    { name: "a host pattern that matches nothing", args: exec("nosuchhost", "--", "true"), code: 64, message: /"nosuchhost"/ },
    { name: "an unknown option", args: plan("--bogus"), code: 64, message: /unknown option '--bogus'/ },
    { name: "an unknown command", args: ["deploy", SITE], code: 64, message: /unknown command 'deploy'/ },
    { name: "plan without a site", args: ["plan"], code: 64, message: /missing required argument 'site'/ },
    {
      name: "an option without its value",
      args: ["plan", SITE, "-l"],
      code: 64,
      message: /option '-l, --limit <pattern>' argument missing/,
    },
    { name: "apply without --yes when not interactive", args: ["apply", SITE, ...INV], code: 64, message: /not interactive and no --yes/ },
  ];
}

function extraVarRows(): BadInputRow[] {
  return [
    { name: "-e with an unclosed JSON object", args: plan("-e", "{bad"), code: 64, message: /-e "\{bad": not a valid JSON\/YAML mapping/ },
    {
      name: "-e with a truncated JSON object",
      args: inv("-e", '{"a": 1'),
      code: 64,
      message: /-e "\{\\"a\\": 1": not a valid JSON\/YAML mapping/,
    },
    { name: "-e with a word that is not key=value", args: inv("-e", "novalue"), code: 64, message: /-e "novalue": expected key=value/ },
    { name: "-e with no key", args: inv("-e", "=x"), code: 64, message: /-e "=x": expected key=value/ },
    { name: "-e with a key that is not a var name", args: inv("-e", "bad-key=1"), code: 64, message: /"bad-key" is not a var name/ },
    { name: "-e with an empty string", args: inv("-e", ""), code: 64, message: /-e '': expected key=value/ },
    { name: "-e with a list", args: inv("-e", "[1,2]"), code: 64, message: /-e "\[1,2\]": expected key=value/ },
    { name: "-e with an escape sequence in its key", args: inv("-e", "\x1b[31mred=1"), code: 64, message: /-e "\\e\[31mred=1"/ },
    { name: "-e @ without a file name", args: inv("-e", "@"), code: 64, message: /-e @: expected a file name/ },
    { name: "-e @ a missing file", args: inv("-e", "@missing.yml"), code: 64, message: /-e @missing\.yml: file not found/ },
    { name: "-e @ a directory", args: inv("-e", "@somedir"), setup: subdir("somedir"), code: 64, message: /-e @somedir: is a directory/ },
    { name: "-e @/dev/urandom (endless)", args: inv("-e", "@/dev/urandom"), code: 64, message: /-e @\/dev\/urandom: not a regular file/ },
    { name: "-e @/dev/zero", args: plan("-e", "@/dev/zero"), code: 64, message: /-e @\/dev\/zero: not a regular file/ },
    {
      name: "-e @ a named pipe nobody writes",
      args: inv("-e", "@pipe"),
      setup: fifo("pipe"),
      code: 64,
      message: /-e @pipe: not a regular file/,
    },
    {
      name: "-e @ a file bigger than the vars file limit",
      args: inv("-e", "@big.yml"),
      files: { "big.yml": `a: "${"x".repeat(17 * 1024 * 1024)}"\n` },
      code: 64,
      message: /-e @big\.yml: \d+ bytes, more than the \d+-byte limit/,
    },
  ];
}

function varsFileRows(): BadInputRow[] {
  const file = (name: string, text: string | Buffer, message: RegExp, fileName = "vars.yml"): BadInputRow => ({
    name,
    args: inv("-e", `@${fileName}`),
    files: { [fileName]: text },
    code: 1,
    message,
  });
  return [
    file("a YAML vars file with an unclosed flow sequence", "a: 1\nb: [\n", /vars\.yml:3:1: bad YAML: Flow sequence/),
    file("a YAML vars file with a bad indent", "a:\n  b: 1\n c: 2\n", /vars\.yml:3:\d+: bad YAML/),
    file("a YAML vars file with a duplicate key", "a: 1\na: 2\n", /vars\.yml:2:1: bad YAML: Map keys must be unique/),
    file("a YAML vars file with a tab indent", "a:\n\tb: 1\n", /vars\.yml:2:\d+: bad YAML/),
    file("a YAML vars file with an unclosed quote", 'a: "open\nb: 2\n', /vars\.yml:\d+:\d+: bad YAML/),
    file("a YAML vars file with two documents", "a: 1\n---\nb: 2\n", /vars\.yml:\d+:\d+: bad YAML: Source contains multiple documents/),
    file("a YAML vars file that is a list", "- a\n- b\n", /vars\.yml: expected a mapping of vars, found a list/),
    file("a YAML vars file that is a scalar", "hello\n", /vars\.yml: expected a mapping of vars, found string/),
    file("an empty YAML vars file", "", /vars\.yml: expected a mapping of vars, found nothing/),
    file("a vars file of binary data", Buffer.from([0x61, 0x3a, 0x00, 0xff, 0x1b, 0x5b]), /vars\.yml: binary data/),
    file("a YAML vars file with an alias to no anchor", "a: *nope\n", /vars\.yml: bad YAML: Unresolved alias/),
    file("a YAML vars file with an escape sequence on the bad line", "a: [\x1b[2J\nb: ]]\n", /vars\.yml:\d+:\d+: bad YAML/),
    file("a TOML vars file with a missing value", "a = \n", /vars\.toml:1:\d+: bad TOML: invalid value/, "vars.toml"),
    file("a TOML vars file with a duplicate key", "a = 1\na = 2\n", /vars\.toml:2:\d+: bad TOML/, "vars.toml"),
    file("a TOML vars file with an unclosed table", "[a\nb = 1\n", /vars\.toml:1:\d+: bad TOML/, "vars.toml"),
    file("a TOML vars file with an unclosed string", 'a = "x\n', /vars\.toml:1:\d+: bad TOML/, "vars.toml"),
    { ...file("a vars file given to plan with a syntax error", "a: [\n", /vars\.yml:2:1: bad YAML/), args: plan("-e", "@vars.yml") },
    {
      ...file("a vars file given to exec with a syntax error", "a: [\n", /vars\.yml:2:1: bad YAML/),
      args: exec("-e", "@vars.yml", "all", "--", "true"),
    },
    {
      ...file("a vars file given to plan --json with a syntax error", "a: [\n", /vars\.yml:2:1: bad YAML/),
      args: plan("--json", "-e", "@vars.yml"),
    },
  ];
}

/** Vault rows; the vaulted files are written by the suite (encrypted with {shared}/pw) under {shared}. */
function vaultRows(): BadInputRow[] {
  const never = [SECRET, "Plaintext-4242"];
  const view = (file: string, ...args: string[]) => ["vault", "view", file, ...args];
  return [
    {
      name: "a vaulted -e @file whose decrypted YAML has a syntax error on the secret's line (never quoted)",
      args: plan("-e", "@{shared}/broken.yml.vault", ...PW),
      code: 1,
      message: /broken\.yml\.vault:\d+:\d+: bad YAML in the decrypted content \(not shown: it is vaulted/,
      never,
    },
    {
      name: "the same vaulted file given to inventory -e",
      args: inv("-e", "@{shared}/broken.yml.vault", ...PW),
      code: 1,
      message: /broken\.yml\.vault:\d+:\d+: bad YAML in the decrypted content/,
      never,
    },
    {
      name: "the same vaulted file given to exec with -vv",
      args: ["-vv", ...exec("-e", "@{shared}/broken.yml.vault", ...PW, "all", "--", "true")],
      code: 1,
      message: /broken\.yml\.vault:\d+:\d+: bad YAML in the decrypted content/,
      never,
    },
    {
      name: "a vaulted TOML vars file with a syntax error (never quoted)",
      args: inv("-e", "@{shared}/broken.toml.vault", ...PW),
      code: 1,
      message: /broken\.toml\.vault:1:\d+: bad TOML in the decrypted content/,
      never,
    },
    {
      name: "a vaulted vars file without any vault key",
      args: inv("-e", "@{shared}/good.yml.vault"),
      code: 1,
      message: /no vault password/,
      never,
    },
    {
      name: "a vaulted vars file with the wrong password",
      args: inv("-e", "@{shared}/good.yml.vault", "--vault-password-file", "{shared}/pw-wrong"),
      code: 1,
      message: /good\.yml\.vault: wrong password or key/,
      never,
    },
    { name: "vault view of a missing file", args: view("missing.vault", ...PW), code: 1, message: /missing\.vault/ },
    {
      name: "vault view of a directory",
      args: view("somedir", ...PW),
      setup: subdir("somedir"),
      code: 1,
      message: /somedir: cannot read: is a directory/,
    },
    {
      name: "vault view of a plaintext file",
      args: view("plain.yml", ...PW),
      files: { "plain.yml": "a: 1\n" },
      code: 1,
      message: /plain\.yml: not encrypted/,
    },
    { name: "vault view of a damaged vault", args: view("{shared}/damaged.vault", ...PW), code: 1, message: /damaged\.vault/, never },
    {
      name: "vault view with a wrong password",
      args: view("{shared}/good.yml.vault", "--vault-password-file", "{shared}/pw-wrong"),
      code: 1,
      message: /wrong password or key/,
      never,
    },
    {
      name: "vault view with a missing password file",
      args: view("{shared}/good.yml.vault", "--vault-password-file", "nope"),
      code: 1,
      message: /--vault-password-file nope: cannot read vault password file: no such file or directory/,
    },
    {
      name: "vault view with a directory as password file",
      args: view("{shared}/good.yml.vault", "--vault-password-file", "somedir"),
      setup: subdir("somedir"),
      code: 1,
      message: /--vault-password-file somedir: cannot read vault password file: is a directory/,
    },
    {
      name: "vault view with an empty password file",
      args: view("{shared}/good.yml.vault", "--vault-password-file", "empty"),
      files: { empty: "\n" },
      code: 1,
      message: /--vault-password-file empty: the vault password is empty/,
    },
    {
      name: "vault view with a damaged key file",
      args: view("{shared}/good.yml.vault", "--vault-password-file", "k.key"),
      files: { "k.key": "$BOSUN_VAULT_KEY;1;bm90IGEga2V5\n" },
      code: 1,
      message: /--vault-password-file k\.key: damaged key file/,
    },
    {
      name: "a password script that fails (its output is not quoted)",
      args: view("{shared}/good.yml.vault", "--vault-password-file", "./fail.sh"),
      files: { "fail.sh": { text: "#!/bin/sh\necho half-typed-password-xyz\nexit 3\n", mode: 0o755 } },
      code: 1,
      message: /--vault-password-file \.\/fail\.sh: password script exited with code 3/,
      never: ["half-typed-password-xyz"],
    },
    {
      name: "a password script that never exits",
      args: view("{shared}/good.yml.vault", "--vault-password-file", "hang.sh"),
      files: { "hang.sh": { text: "#!/bin/sh\nexec sleep 600\n", mode: 0o755 } },
      env: { BOSUN_PASSWORD_SCRIPT_TIMEOUT: "1" },
      code: 1,
      message: /--vault-password-file hang\.sh: password script did not finish within 1s/,
    },
    {
      name: "--vault-id with no source after @",
      args: view("{shared}/good.yml.vault", "--vault-id", "dev@"),
      code: 1,
      message: /--vault-id dev@: expected ID@FILE or ID@prompt/,
    },
    {
      name: "--vault-id with a bad id",
      args: view("{shared}/good.yml.vault", "--vault-id", "b d@{shared}/pw"),
      code: 1,
      message: /bad vault id "b d"/,
    },
    {
      name: "vault decrypt --output to a directory (the vault is left as it was)",
      args: ["vault", "decrypt", "{dir}/v.vault", "--output", "somedir", ...PW],
      setup: (dir) => {
        subdir("somedir")(dir);
        execFileSync("cp", [path.join(dir, "..", "shared", "good.yml.vault"), path.join(dir, "v.vault")]);
      },
      code: 1,
      message: /^somedir: is a directory, expected a file$/,
      never,
    },
    {
      name: "vault decrypt --output into a missing directory tree under /proc",
      args: ["vault", "decrypt", "{shared}/good.yml.vault", "--output", "/proc/bosun-nope/x", ...PW],
      code: 1,
      message: /^\/proc\/bosun-nope: no such file or directory$/,
      never,
    },
    {
      name: "vault decrypt --output to a read-only file system",
      args: ["vault", "decrypt", "{shared}/good.yml.vault", "--output", "/proc/version", ...PW],
      code: 1,
      message: /\/proc\/version/,
      never,
    },
    {
      name: "vault decrypt --output with two inputs",
      args: ["vault", "decrypt", "a", "b", "--output", "x", ...PW],
      code: 64,
      message: /--output takes one input file/,
    },
    {
      name: "vault encrypt of a file that is already a vault",
      args: ["vault", "encrypt", "v.vault", ...PW],
      setup: (dir) => execFileSync("cp", [path.join(dir, "..", "shared", "good.yml.vault"), path.join(dir, "v.vault")]),
      code: 1,
      message: /v\.vault: already encrypted/,
    },
    {
      name: "vault rekey with a missing --new-vault-password-file names that flag",
      args: ["vault", "rekey", "{shared}/good.yml.vault", ...PW, "--new-vault-password-file", "nope"],
      code: 1,
      message: /--new-vault-password-file nope: cannot read vault password file: no such file or directory/,
    },
    {
      name: "vault rekey with a bad --new-vault-id names that flag",
      args: ["vault", "rekey", "{shared}/good.yml.vault", ...PW, "--new-vault-id", "dev@"],
      code: 1,
      message: /--new-vault-id dev@: expected ID@FILE/,
    },
    {
      name: "vault rekey with both new-key flags",
      args: ["vault", "rekey", "{shared}/good.yml.vault", ...PW, "--new-vault-id", "a@x", "--new-vault-password-file", "y"],
      code: 64,
      message: /give --new-vault-id or --new-vault-password-file, not both/,
    },
    {
      name: "vault rekey without a new key and no terminal",
      args: ["vault", "rekey", "{shared}/good.yml.vault", ...PW],
      code: 64,
      message: /give the new key/,
    },
    {
      name: "vault edit with an editor that deletes its file (the vault is left as it was)",
      args: ["vault", "edit", "v.vault", ...PW],
      env: { EDITOR: "rm" },
      setup: (dir) => execFileSync("cp", [path.join(dir, "..", "shared", "good.yml.vault"), path.join(dir, "v.vault")]),
      code: 1,
      message: /editor "rm" removed or replaced the file it was editing; v\.vault was not changed/,
    },
    {
      name: "vault edit with an editor that fails",
      args: ["vault", "edit", "v.vault", ...PW],
      env: { EDITOR: "false" },
      setup: (dir) => execFileSync("cp", [path.join(dir, "..", "shared", "good.yml.vault"), path.join(dir, "v.vault")]),
      code: 1,
      message: /editor "false" exited with code 1; the vault was not changed/,
    },
    { name: "vault edit of a missing file", args: ["vault", "edit", "nope.vault", ...PW], code: 1, message: /nope\.vault: no such file/ },
    {
      name: "vault create over an existing file",
      args: ["vault", "create", "x.vault", ...PW],
      files: { "x.vault": "keep\n" },
      code: 1,
      message: /x\.vault: already exists/,
    },
    {
      name: "vault init with a bad id",
      args: ["vault", "init", "--id", "no/slash", "--out", "k"],
      code: 1,
      message: /bad vault id "no\/slash"/,
    },
    {
      name: "vault init over an existing key",
      args: ["vault", "init", "--out", "k"],
      files: { k: "old\n" },
      code: 1,
      message: /k: already exists/,
    },
    {
      name: "encrypt-string with an unknown --encrypt-vault-id",
      args: ["vault", "encrypt-string", "value", ...PW, "--encrypt-vault-id", "nope"],
      code: 1,
      message: /--encrypt-vault-id nope: no such vault id/,
    },
  ];
}

function configRows(): BadInputRow[] {
  const toml = (name: string, text: string, message: RegExp, extra: Partial<BadInputRow> = {}): BadInputRow => ({
    name,
    args: inv(),
    files: { "bosun.toml": text },
    code: 1,
    message,
    ...extra,
  });
  return [
    {
      name: "--config naming a directory",
      args: ["--config", "somedir", ...inv()],
      setup: subdir("somedir"),
      code: 1,
      message: /somedir: cannot read: is a directory/,
    },
    {
      name: "--config naming a missing file",
      args: ["--config", "nope.toml", ...inv()],
      code: 1,
      message: /nope\.toml: config file not found/,
    },
    {
      name: "BOSUN_CONFIG naming a missing file",
      args: inv(),
      env: { BOSUN_CONFIG: "gone.toml" },
      code: 1,
      message: /gone\.toml: config file not found/,
    },
    toml("bosun.toml with a TOML syntax error", "forks = \n", /bosun\.toml:1:\d+: bad TOML/),
    toml(
      "[server] listen with port 99999",
      '[server]\nlisten = "0.0.0.0:99999"\n',
      /bosun\.toml:2: server\.listen: the port must be 1 to 65535/,
    ),
    toml("[server] listen without a port", '[server]\nlisten = "localhost"\n', /bosun\.toml:2: server\.listen: expected HOST:PORT/),
    toml("[server] listen with port 0", '[server]\nlisten = "127.0.0.1:0"\n', /bosun\.toml:2: server\.listen: the port must be 1 to 65535/),
    toml("forks = 0", "forks = 0\n", /bosun\.toml:1: forks: /),
    toml("forks as a word", 'forks = "many"\n', /bosun\.toml:1: forks: /),
    toml("an unknown key", "forkz = 3\n", /bosun\.toml:1: unknown key "forkz"/),
    toml("an unknown section", "[sssh]\nretries = 1\n", /bosun\.toml:1: unknown key "sssh"/),
    toml("a negative ssh.connect_timeout", "[ssh]\nconnect_timeout = -1\n", /bosun\.toml:2: ssh\.connect_timeout: /),
    toml("an unknown log level", '[log]\nlevel = "verbose"\n', /bosun\.toml:2: log\.level: /),
    toml("ssh.retries = 0", "[ssh]\nretries = 0\n", /bosun\.toml:2: ssh\.retries: /),
    toml("an empty inventory path in [inventories]", '[inventories]\nprod = ""\n', /bosun\.toml:2: inventories\.prod: /),
    toml("a number as a vault id file", "[vault.ids]\ndev = 3\n", /bosun\.toml:2: vault\.ids\.dev: /),
    toml("a lab mirror port out of range", "[lab]\nmirror_port = 70000\n", /bosun\.toml:2: lab\.mirror_port: /),
    toml("a server url that is not http", '[server]\nurl = "ftp://x"\n', /bosun\.toml:2: server\.url: /),
    toml("binary garbage as bosun.toml", "\x00\x01\x02\x1b[2J", /bosun\.toml:1:\d+: bad TOML/),
    { name: "BOSUN_FORKS as a word", args: inv(), env: { BOSUN_FORKS: "abc" }, code: 1, message: /environment BOSUN_FORKS: forks: / },
    {
      name: "BOSUN_SSH_RETRIES = 0",
      args: inv(),
      env: { BOSUN_SSH_RETRIES: "0" },
      code: 1,
      message: /environment BOSUN_SSH_RETRIES: ssh\.retries: /,
    },
    {
      name: "BOSUN_ENV_FILE naming a missing file",
      args: inv(),
      env: { BOSUN_ENV_FILE: "nope.toml" },
      code: 1,
      message: /nope\.toml: env file \(BOSUN_ENV_FILE\) not found/,
    },
    {
      name: "env.toml with a syntax error",
      args: inv(),
      env: { BOSUN_ENV_FILE: "env.toml" },
      files: { "env.toml": "[ssh\n" },
      code: 1,
      message: /env\.toml:1:\d+: bad TOML/,
    },
    {
      name: "env.toml with an unknown key",
      args: inv(),
      env: { BOSUN_ENV_FILE: "env.toml" },
      files: { "env.toml": "colour = 1\n" },
      code: 1,
      message: /env\.toml:1: unknown key "colour"/,
    },
    { name: "BOSUN_LOG=verbose", args: inv(), env: { BOSUN_LOG: "verbose" }, code: 1, message: /^BOSUN_LOG: unknown level "verbose"/ },
    {
      name: "BOSUN_LOG with a bad module level",
      args: plan(),
      env: { BOSUN_LOG: "ssh=loud" },
      code: 1,
      message: /^BOSUN_LOG: unknown level "loud"/,
    },
    {
      name: "-i a name missing from [inventories]",
      args: ["inventory", "-i", "prod"],
      files: { "bosun.toml": '[inventories]\nstaging = "s.yml"\n' },
      code: 64,
      message: /-i prod: no inventory named "prod" in \[inventories\] of .*bosun\.toml \(known: staging\), and no such file/,
    },
    {
      name: "-i a name with no bosun.toml",
      args: ["inventory", "-i", "prod"],
      code: 64,
      message: /-i prod: no inventory named "prod" in \[inventories\] of bosun\.toml \(there is no bosun\.toml here\)/,
    },
    {
      name: "-i a directory",
      args: ["inventory", "-i", "somedir"],
      setup: subdir("somedir"),
      code: 1,
      message: /somedir: is a directory, expected an inventory file/,
    },
    {
      name: "-i a directory for plan",
      args: ["plan", SITE, "-i", "somedir"],
      setup: subdir("somedir"),
      code: 1,
      message: /somedir: is a directory, expected an inventory file/,
    },
  ];
}

function siteRows(): BadInputRow[] {
  const site = (name: string, text: string, message: RegExp, extra: Partial<BadInputRow> = {}): BadInputRow => ({
    name,
    args: ["plan", "{dir}/site.ts", ...INV],
    files: { "site.ts": text },
    code: 1,
    message,
    ...extra,
  });
  const ok = 'import { deploy } from "bosun";\n';
  return [
    {
      name: "a missing site file is not reported as type errors",
      args: ["plan", "nope.ts", ...INV],
      code: 1,
      message: /nope\.ts: file not found$/,
    },
    {
      name: "a missing site file with --no-typecheck",
      args: ["plan", "nope.ts", ...INV, "--no-typecheck"],
      code: 1,
      message: /nope\.ts: (site )?file not found$/,
    },
    {
      name: "a directory as the site",
      args: ["plan", "somedir", ...INV],
      setup: subdir("somedir"),
      code: 1,
      message: /somedir: not a regular file/,
    },
    site("a site with a syntax error", `${ok}export default deploy("s", [\n`, /site\.ts:\d+/, { multiline: true }),
    site("a site with a type error", `${ok}export default deploy("s", [{ hosts: 1, roles: [] }]);\n`, /site\.ts:2: type errors/, {
      multiline: true,
    }),
    site("a site with a syntax error and --no-typecheck", `${ok}export default deploy("s", [\n`, /site\.ts:\d+:\d+: /, {
      args: ["plan", "{dir}/site.ts", ...INV, "--no-typecheck"],
    }),
    site("a site without a default export", `${ok}export const x = 1;\n`, /site\.ts: expected `export default deploy/, {
      args: ["plan", "{dir}/site.ts", ...INV, "--no-typecheck"],
    }),
    site(
      "a site that throws while loading",
      `${ok}throw new Error("boom at import");\n`,
      /site\.ts(:\d+)?: cannot load module: boom at import/,
      { args: ["plan", "{dir}/site.ts", ...INV, "--no-typecheck"] },
    ),
    site(
      "a site whose play has an empty host pattern",
      `${ok}export default deploy("s", [{ hosts: "", roles: [] }]);\n`,
      /site\.ts: play 1: hosts must be a host pattern/,
    ),
    site(
      "a site whose roles are not a list",
      `${ok}export default deploy("s", [{ hosts: "all", roles: {} as never }]);\n`,
      /site\.ts: play 1: roles must be a list/,
    ),
    site(
      "a site importing a missing module",
      'import { x } from "./nope.js";\nexport default x;\n',
      /site\.ts(:\d+)?: cannot load module: .*nope/,
      { args: ["plan", "{dir}/site.ts", ...INV, "--no-typecheck"] },
    ),
    site(
      "a site importing a bosun subpath that does not exist",
      'import { x } from "bosun/nope";\nexport default x;\n',
      /site\.ts(:\d+)?: cannot load module/,
      { args: ["plan", "{dir}/site.ts", ...INV, "--no-typecheck"] },
    ),
    site(
      "a site type error from a bosun subpath that does not exist",
      'import { x } from "bosun/nope";\nexport default x;\n',
      /site\.ts:1: type errors/,
      { multiline: true },
    ),
    site("a site of binary data", "\x00\x01\x02\x7fELF", /site\.ts/, { multiline: true }),
    site("a site with an escape sequence in a syntax error", `${ok}export default deploy("\x1b[2J", [\n`, /site\.ts:\d+/, {
      multiline: true,
    }),
    {
      name: "bosun init over existing files",
      args: ["init", "."],
      files: { "site.ts": "mine\n" },
      code: 64,
      message: /init \.: would overwrite site\.ts; nothing was written/,
    },
    {
      name: "bosun init onto a file",
      args: ["init", "afile"],
      files: { afile: "x\n" },
      code: 64,
      message: /init afile: exists and is not a directory/,
    },
  ];
}

/** Every row; the suite checks there are at least 100. */
export function rows(): BadInputRow[] {
  return [...cliRows(), ...extraVarRows(), ...varsFileRows(), ...vaultRows(), ...configRows(), ...siteRows()];
}
