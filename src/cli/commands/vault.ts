import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { writeFileAtomic } from "../../util/fs.js";
import { promptHidden } from "../../util/prompt.js";
import { encryptVault } from "../../vault/crypto.js";
import { createVaultFile, editVaultFile } from "../../vault/edit.js";
import { VaultError } from "../../vault/errors.js";
import { decryptFile, encryptFile, encryptFileText, importFile, openVaultFile, rekeyFile } from "../../vault/files.js";
import { checkVaultId } from "../../vault/format.js";
import {
  DEFAULT_VAULT_ID,
  encryptionKey,
  newKeyFileText,
  type Prompt,
  parseVaultIdArg,
  readKeySource,
  resolveKeys,
  type VaultKey,
} from "../../vault/keys.js";
import { type GlobalOptions, setup } from "../context.js";
import { collect } from "../options.js";
import { out } from "../render.js";

interface KeyOptions {
  vaultId: string[];
  vaultPasswordFile?: string;
  encryptVaultId?: string;
  newVaultId?: string;
  newVaultPasswordFile?: string;
  output?: string;
}

export function registerVault(program: Command): void {
  const vault = program.command("vault").description("encrypt secrets at rest: whole files and inline values (see docs/vault.md)");

  vault
    .command("init")
    .description("create a random 32-byte key file (0600), to use with --vault-id ID@FILE instead of a password")
    .option("--out <file>", "where to write it (default: <state_dir>/vault/<id>.key)")
    .option("--id <id>", "the vault id it is for", DEFAULT_VAULT_ID)
    .option("--force", "overwrite an existing file")
    .action(async (o: { out?: string; id: string; force?: boolean }, cmd: Command) => {
      checkVaultId(o.id);
      const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
      const file = path.resolve(o.out ?? path.join(loaded.config.state_dir, "vault", `${o.id}.key`));
      if (existsSync(file) && !o.force) throw new VaultError(`${file}: already exists (pass --force to replace it)`);
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      await writeFileAtomic(file, newKeyFileText(), 0o600);
      out(`created key file ${file} for vault id ${o.id}`);
      out(`use it with --vault-id ${o.id}@${file}, or in bosun.toml: [vault.ids] ${o.id} = "${file}"`);
    });

  withKeys(vault.command("encrypt"), "encrypt")
    .description("encrypt files in place")
    .argument("<file...>")
    .option("--output <file>", "write to this file instead (- for stdout); one input file only")
    .action(async (files: string[], o: KeyOptions, cmd: Command) => {
      const output = outputFor(files, o.output);
      const key = encryptionKey(await keys(cmd, o, true), o.encryptVaultId);
      for (const file of files) {
        if (output === "-") process.stdout.write(await encryptFileText(file, key));
        else await encryptFile(file, key, output);
        note(`encrypted ${file} (vault id ${key.id})`);
      }
    });

  withKeys(vault.command("decrypt"))
    .description("decrypt files in place")
    .argument("<file...>")
    .option("--output <file>", "write to this file instead (- for stdout); one input file only")
    .action(async (files: string[], o: KeyOptions, cmd: Command) => {
      const output = outputFor(files, o.output);
      const ks = await keys(cmd, o);
      for (const file of files) {
        if (output === "-") process.stdout.write((await openVaultFile(file, ks)).plaintext);
        else {
          await decryptFile(file, ks, output);
          note(`decrypted ${file}`);
        }
      }
    });

  withKeys(vault.command("view"))
    .description("print a vault file's plaintext on stdout")
    .argument("<file>")
    .action(async (file: string, o: KeyOptions, cmd: Command) => {
      process.stdout.write((await openVaultFile(file, await keys(cmd, o))).plaintext);
    });

  withKeys(vault.command("edit"))
    .description("edit a vault file in $EDITOR (default vi); re-encrypted with the same vault id when changed")
    .argument("<file>")
    .action(async (file: string, o: KeyOptions, cmd: Command) => {
      note((await editVaultFile(file, await keys(cmd, o))) ? `saved ${file}` : `no changes: ${file} left as it was`);
    });

  withKeys(vault.command("create"), "encrypt")
    .description("write a new vault file (0600) in $EDITOR (default vi)")
    .argument("<file>")
    .action(async (file: string, o: KeyOptions, cmd: Command) => {
      const key = encryptionKey(await keys(cmd, o, true), o.encryptVaultId);
      await createVaultFile(file, key);
      note(`created ${file} (vault id ${key.id})`);
    });

  withNewKey(withKeys(vault.command("rekey")))
    .description("re-encrypt vault files with a new password or key (--new-vault-id, --new-vault-password-file, or asked)")
    .argument("<file...>")
    .action(async (files: string[], o: KeyOptions, cmd: Command) => {
      const ks = await keys(cmd, o);
      const newKey = (await newKeyOf(o)) as VaultKey;
      for (const file of files) {
        await rekeyFile(file, ks, newKey);
        note(`rekeyed ${file} (vault id ${newKey.id})`);
      }
    });

  withNewKey(withKeys(vault.command("import")))
    .description("rewrite ansible-vault 1.1/1.2 files in Bosun's format, in place (same password unless --new-* is given)")
    .argument("<file...>")
    .action(async (files: string[], o: KeyOptions, cmd: Command) => {
      const ks = await keys(cmd, o);
      const newKey = await newKeyOf(o, true);
      for (const file of files) {
        const opened = await importFile(file, ks, newKey);
        note(`imported ${file} (${opened.format}, vault id ${newKey?.id ?? opened.id})`);
      }
    });

  withKeys(vault.command("encrypt-string"), "encrypt")
    .description("encrypt one value for a vars file; prints it as text to paste (see docs/vault.md)")
    .argument("[string]", "the value; default: read stdin (safer: argv is visible to other users in ps)")
    .option("--name <name>", "print as a YAML var: NAME: |")
    .option("--oneline", "print on one line: $BOSUN_VAULT;1;ID;KDF;BASE64 (for TOML, INI or env files)")
    .action(async (value: string | undefined, o: KeyOptions & { name?: string; oneline?: boolean }, cmd: Command) => {
      const key = encryptionKey(await keys(cmd, o, true), o.encryptVaultId);
      const text = encryptVault(value ?? (await readStdinValue()), key, { oneline: o.oneline });
      if (o.name === undefined) return out(text.trimEnd());
      const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(o.name) ? o.name : JSON.stringify(o.name);
      if (o.oneline) return out(`${name}: ${text}`);
      out(`${name}: |`);
      for (const line of text.trimEnd().split("\n")) out(`  ${line}`);
    });
}

function withKeys(cmd: Command, purpose?: "encrypt"): Command {
  cmd
    .option("--vault-id <id@file>", "a vault key: ID@FILE, ID@prompt or FILE (repeatable)", collect, [])
    .option("--vault-password-file <file>", "file holding the vault password, or a key file from `bosun vault init`");
  if (purpose === "encrypt") cmd.option("--encrypt-vault-id <id>", "the vault id to encrypt with (default: the first key)");
  return cmd;
}

function withNewKey(cmd: Command): Command {
  return cmd
    .option("--new-vault-id <id@file>", "the new key: ID@FILE or ID@prompt")
    .option("--new-vault-password-file <file>", "file holding the new password, or a key file (vault id default)");
}

/** Returns the keys of --vault-id, --vault-password-file, the environment, bosun.toml, or the terminal. */
async function keys(cmd: Command, o: KeyOptions, confirm = false): Promise<VaultKey[]> {
  const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
  return resolveKeys({
    vaultIds: o.vaultId,
    passwordFile: o.vaultPasswordFile,
    configIds: loaded.config.vault.ids,
    prompt: terminalPrompt(),
    confirm,
  });
}

/** Returns the key of --new-vault-id / --new-vault-password-file; asked on the terminal unless optional. Errors name the --new-* flag. */
async function newKeyOf(o: KeyOptions, optional = false): Promise<VaultKey | undefined> {
  if (o.newVaultId && o.newVaultPasswordFile) throw new UsageError("give --new-vault-id or --new-vault-password-file, not both");
  if (o.newVaultPasswordFile)
    return readKeySource(DEFAULT_VAULT_ID, o.newVaultPasswordFile, `--new-vault-password-file ${o.newVaultPasswordFile}`);
  if (o.newVaultId) {
    const { id, from } = parseVaultIdArg(o.newVaultId, "--new-vault-id");
    if (from !== "prompt") return readKeySource(id, from, `--new-vault-id ${o.newVaultId}`);
  } else if (optional) return undefined;
  else if (!process.stdin.isTTY) throw new UsageError("give the new key: --new-vault-id ID@FILE or --new-vault-password-file FILE");
  const [key] = await resolveKeys({ vaultIds: o.newVaultId ? [o.newVaultId] : [], env: {}, prompt: terminalPrompt(), confirm: true });
  return key;
}

function terminalPrompt(): Prompt | undefined {
  return process.stdin.isTTY ? promptHidden : undefined;
}

function outputFor(files: string[], output: string | undefined): string | undefined {
  if (output !== undefined && files.length > 1) throw new UsageError("--output takes one input file");
  return output;
}

/** Returns the value to encrypt from stdin: asked without echo on a terminal, else read whole (bytes kept as is). */
async function readStdinValue(): Promise<string> {
  if (process.stdin.isTTY) return promptHidden("String to encrypt: ");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const value = Buffer.concat(chunks).toString("utf8");
  if (value.endsWith("\n")) note("note: the value read from stdin ends with a newline, which is kept (use printf '%s' to avoid it)");
  return value;
}

/** Status lines go to stderr, so stdout carries only results (a plaintext, an encrypted value). */
function note(line: string): void {
  process.stderr.write(`${line}\n`);
}
