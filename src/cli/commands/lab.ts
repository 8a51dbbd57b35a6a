import { spawn } from "node:child_process";
import type { Command } from "commander";
import pc from "picocolors";
import { LabError } from "../../errors.js";
import { labDown, labStatus, labUp, readLabState } from "../../lab/lab.js";
import type { LabLayout } from "../../lab/layout.js";
import { serveDirectory } from "../../lab/mirror.js";
import { type GlobalOptions, labOf, setup } from "../context.js";
import { positiveInt } from "../options.js";
import { out, outJson } from "../render.js";

/** argv that starts this CLI's hidden mirror server for the layout. */
function mirrorArgv(layout: LabLayout): string[] {
  return [
    process.execPath,
    process.argv[1] as string,
    "lab",
    "serve-mirror",
    "--dir",
    layout.mirrorDir,
    "--listen",
    `${layout.bridgeAddress}:${layout.mirrorPort}`,
  ];
}

export function registerLab(program: Command): void {
  const lab = program.command("lab").description("real Debian test hosts on this machine (systemd-nspawn, needs root)");

  lab
    .command("up")
    .description("boot N lab hosts (default 3); idempotent; writes the `-i lab` inventory and known_hosts")
    .argument("[n]", "number of hosts", positiveInt, 3)
    .option("--fresh", "reboot every host from a clean copy of the base")
    .option("--containers", "boot hosts able to run Docker/Podman containers (kept until --no-containers)")
    .option("--no-containers", "boot hosts without the container capabilities")
    .action(async (n: number, o: { fresh?: boolean; containers?: boolean }, cmd: Command) => {
      const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
      const layout = labOf(loaded);
      const start = Date.now();
      const state = await labUp(layout, n, {
        mirrorServerArgv: mirrorArgv(layout),
        fresh: o.fresh ? true : undefined,
        containers: cmd.getOptionValueSource("containers") === "cli" ? o.containers : undefined,
      });
      for (const h of state.hosts) out(`${pc.bold(h.name.padEnd(8))} ${h.address.padEnd(14)} ${h.group}`);
      out(
        `lab up: ${state.hosts.length} hosts in ${((Date.now() - start) / 1000).toFixed(1)}s; inventory ${layout.inventoryFile} (use -i lab)`,
      );
    });

  lab
    .command("reset")
    .description("reboot the given lab hosts from a clean copy of the base (a fresh host, same name and address)")
    .argument("<hosts...>", "lab host names")
    .action(async (hosts: string[], _o: unknown, cmd: Command) => {
      const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
      const layout = labOf(loaded);
      const n = (await readLabState(layout)).hosts.length;
      if (n === 0) throw new LabError("no lab is running (bosun lab up)");
      await labUp(layout, n, { mirrorServerArgv: mirrorArgv(layout), fresh: hosts });
      out(`lab reset: ${hosts.join(", ")}`);
    });

  lab
    .command("down")
    .description("stop every lab host and remove their network, the mirror server and the bridge")
    .action(async (_o: unknown, cmd: Command) => {
      const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
      await labDown(labOf(loaded));
      out("lab down");
    });

  lab
    .command("status")
    .description("show lab hosts, their PIDs and whether sshd answers")
    .option("--json", "as JSON")
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
      const hosts = await labStatus(labOf(loaded));
      if (o.json) return outJson(hosts, 2);
      if (hosts.length === 0) {
        // Not running is not "all well": scripts ask `lab status` whether a lab is up.
        process.exitCode = 1;
        return out("no lab hosts (bosun lab up)");
      }
      for (const h of hosts) {
        const st = h.pid ? (h.ssh ? pc.green("running") : pc.yellow("booting")) : pc.red("stopped");
        out(`${pc.bold(h.name.padEnd(8))} ${h.address.padEnd(14)} ${h.group.padEnd(4)} ${st} ${h.pid ? `pid ${h.pid}` : ""}`);
      }
      if (hosts.some((h) => !h.pid || !h.ssh)) process.exitCode = 1;
    });

  lab
    .command("ssh")
    .description("open a shell (or run a command) on a lab host as root")
    .argument("<host>", "lab host name, e.g. web1")
    .argument("[command...]", "command to run instead of a shell")
    .action(async (host: string, words: string[], _o: unknown, cmd: Command) => {
      const loaded = await setup(cmd.optsWithGlobals() as GlobalOptions);
      const layout = labOf(loaded);
      const h = (await readLabState(layout)).hosts.find((x) => x.name === host);
      if (!h) throw new LabError(`no lab host "${host}" (see bosun lab status)`);
      const args = [
        "-i",
        layout.keyFile,
        "-o",
        `UserKnownHostsFile=${layout.knownHostsFile}`,
        "-o",
        "StrictHostKeyChecking=yes",
        `root@${h.address}`,
        ...words,
      ];
      const child = spawn("ssh", args, { stdio: "inherit" });
      process.exitCode = await new Promise<number>((r) => child.on("close", (code) => r(code ?? 1)));
    });

  lab
    .command("serve-mirror", { hidden: true })
    .requiredOption("--dir <dir>")
    .requiredOption("--listen <addr>")
    .action(async (o: { dir: string; listen: string }) => {
      const [host, port] = o.listen.split(":");
      const server = await serveDirectory(o.dir, host as string, Number(port));
      const stop = () => server.close(() => process.exit(0));
      process.on("SIGTERM", stop);
      process.on("SIGINT", stop);
    });
}
