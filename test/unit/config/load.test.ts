import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { envLayer, type LoadConfigOptions, lineOfKey, loadConfig } from "../../../src/config/load.js";
import { ConfigSchema } from "../../../src/config/schema.js";
import { ConfigError } from "../../../src/errors.js";

let root = "";
let cwd = "";
let prefixDir = "";
let n = 0;

before(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "bosun-unit-config-"));
});

after(() => {
  rmSync(root, { recursive: true, force: true });
});

// Every test gets its own working directory and PREFIX, so no real /srv/key/env.toml is read.
beforeEach(() => {
  n++;
  cwd = path.join(root, `case${n}`);
  prefixDir = path.join(cwd, "prefix");
  mkdirSync(prefixDir, { recursive: true });
});

function write(name: string, text: string): string {
  const file = path.join(cwd, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function load(env: NodeJS.ProcessEnv = {}, opts: Omit<LoadConfigOptions, "env" | "cwd"> = {}) {
  return loadConfig({ cwd, env: { PREFIX: prefixDir, ...env }, ...opts });
}

async function loadError(env: NodeJS.ProcessEnv = {}, opts: Omit<LoadConfigOptions, "env" | "cwd"> = {}): Promise<ConfigError> {
  try {
    await load(env, opts);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    return err;
  }
  assert.fail("loadConfig did not throw");
}

describe("loadConfig", () => {
  it("returns the defaults when there is no bosun.toml, with every source 'default'", async () => {
    const { config, sources, files } = await load();
    assert.deepEqual(files, []);
    assert.equal(config.forks, 50);
    assert.equal(config.inventory, undefined);
    assert.deepEqual(config.inventories, {});
    assert.deepEqual(config.ssh, {
      connect_timeout: 10,
      accept_new_host_keys: false,
      control_persist: 300,
      retries: 5,
      max_handshakes: 32,
    });
    assert.equal(config.lab.mirror_port, 8780);
    assert.equal(config.log.level, "warn");
    assert.equal(config.server.listen, "127.0.0.1:8700");
    assert.equal(config.server.url, undefined);
    assert.equal(sources.forks, "default");
    assert.equal(sources["ssh.connect_timeout"], "default");
    assert.equal(sources["lab.mirror_port"], "default");
  });

  it("puts the default state and lab dirs under PREFIX", async () => {
    const { config } = await load();
    assert.equal(config.state_dir, path.join(prefixDir, "data/bosun"));
    assert.equal(config.lab.dir, path.join(prefixDir, "data/bosun/lab"));
  });

  it("uses /srv as the prefix when PREFIX is unset or empty", async () => {
    const { config } = await loadConfig({ cwd, env: { PREFIX: "", BOSUN_ENV_FILE: write("empty-env.toml", "") } });
    assert.equal(config.state_dir, "/srv/data/bosun");
  });

  it("reads ./bosun.toml from the working directory and reports it as the source of its values", async () => {
    const file = write("bosun.toml", 'forks = 8\ninventory = "prod"\n[inventories]\nprod = "inv/prod.yml"\n[ssh]\nretries = 2\n');
    const { config, sources, files } = await load();
    assert.deepEqual(files, [file]);
    assert.equal(config.forks, 8);
    assert.equal(config.inventory, "prod");
    assert.deepEqual(config.inventories, { prod: "inv/prod.yml" });
    assert.equal(config.ssh.retries, 2);
    assert.equal(config.ssh.connect_timeout, 10);
    assert.equal(sources.forks, file);
    assert.equal(sources["ssh.retries"], file);
    assert.equal(sources["inventories.prod"], file);
    assert.equal(sources["ssh.connect_timeout"], "default");
  });

  it("reads the file named by the file option instead of ./bosun.toml", async () => {
    write("bosun.toml", "forks = 1\n");
    const other = write("conf/other.toml", "forks = 2\n");
    const { config, files } = await load({}, { file: "conf/other.toml" });
    assert.equal(config.forks, 2);
    assert.deepEqual(files, [other]);
  });

  it("reads the file named by BOSUN_CONFIG", async () => {
    const file = write("elsewhere.toml", "forks = 3\n");
    const { config, files } = await load({ BOSUN_CONFIG: file });
    assert.equal(config.forks, 3);
    assert.deepEqual(files, [file]);
  });

  it("fails when an explicitly named config file does not exist", async () => {
    const err = await loadError({ BOSUN_CONFIG: "missing.toml" });
    assert.equal(err.message, `${path.join(cwd, "missing.toml")}: config file not found`);
  });

  it("keeps an absolute state_dir and puts a relative one under PREFIX", async () => {
    write("bosun.toml", 'state_dir = "/var/lib/bosun"\n[lab]\ndir = "labs/one"\n');
    const { config } = await load();
    assert.equal(config.state_dir, "/var/lib/bosun");
    assert.equal(config.lab.dir, path.join(prefixDir, "labs/one"));
  });

  it("rejects an unknown top-level key with the file and line", async () => {
    const file = write("bosun.toml", "forks = 4\n\nfrks = 5\n");
    const err = await loadError();
    assert.equal(err.message, `${file}:3: unknown key "frks"`);
    assert.deepEqual(err.location, { file, line: 3 });
  });

  it("rejects an unknown key in a section with the line of that key", async () => {
    const file = write("bosun.toml", "[ssh]\nretries = 3\nconect_timeout = 5\n");
    const err = await loadError();
    assert.equal(err.message, `${file}:3: unknown key "ssh.conect_timeout"`);
  });

  it("rejects an unknown section with the line of its header", async () => {
    const file = write("bosun.toml", "forks = 2\n[sssh]\nretries = 3\n");
    const err = await loadError();
    assert.equal(err.message, `${file}:2: unknown key "sssh"`);
  });

  it("rejects an unknown sub-section with the line of its header", async () => {
    const file = write("bosun.toml", "[ssh]\nretries = 3\n[ssh.extra]\nx = 1\n");
    const err = await loadError();
    assert.equal(err.message, `${file}:3: unknown key "ssh.extra"`);
  });

  it("rejects a value of the wrong type with the file, line and expected type", async () => {
    const file = write("bosun.toml", '# comment\nforks = "ten"\n');
    const err = await loadError();
    assert.deepEqual(err.location, { file, line: 2 });
    assert.match(err.message, /forks: .*expected number/);
  });

  it("rejects a boolean given as text", async () => {
    write("bosun.toml", '[ssh]\naccept_new_host_keys = "yes"\n');
    const err = await loadError();
    assert.match(err.message, /:2: ssh\.accept_new_host_keys: .*expected boolean/);
  });

  it("rejects an out-of-range value in a section with its line", async () => {
    const file = write("bosun.toml", "forks = 5\n[ssh]\nretries = 3\nconnect_timeout = 0\n");
    const err = await loadError();
    assert.deepEqual(err.location, { file, line: 4 });
    assert.match(err.message, /ssh\.connect_timeout: .*>=1/);
  });

  it("rejects a value above the maximum", async () => {
    write("bosun.toml", "forks = 1001\n");
    assert.match((await loadError()).message, /:1: forks: .*<=1000/);
  });

  it("rejects a non-integer where an integer is expected", async () => {
    write("bosun.toml", "[lab]\nmirror_port = 80.5\n");
    assert.match((await loadError()).message, /:2: lab\.mirror_port: /);
  });

  it("finds the line of a key set with a dotted key at the top level", async () => {
    const file = write("bosun.toml", "forks = 5\nssh.retries = 0\n");
    const err = await loadError();
    assert.deepEqual(err.location, { file, line: 2 });
  });

  it("rejects a server.url that is not a URL", async () => {
    write("bosun.toml", '[server]\nurl = "not a url"\n');
    assert.match((await loadError()).message, /:2: server\.url: /);
  });

  it("rejects a server.url that is not http or https", async () => {
    write("bosun.toml", '[server]\nurl = "ftp://example.com/"\n');
    assert.match((await loadError()).message, /:2: server\.url: /);
  });

  it("accepts an https server.url", async () => {
    write("bosun.toml", '[server]\nurl = "https://bosun.example.com:8443/"\n');
    assert.equal((await load()).config.server.url, "https://bosun.example.com:8443/");
  });

  it("rejects a server.listen that is not HOST:PORT", async () => {
    write("bosun.toml", '[server]\nlisten = "8700"\n');
    assert.match((await loadError()).message, /:2: server\.listen: expected HOST:PORT/);
  });

  it("rejects a log level that does not exist", async () => {
    write("bosun.toml", '[log]\nlevel = "verbose"\n');
    assert.match((await loadError()).message, /:2: log\.level: /);
  });

  it("reports a TOML syntax error with its line and column", async () => {
    const file = write("bosun.toml", "forks = 5\n[ssh\nretries = 2\n");
    const err = await loadError();
    assert.equal(err.location.file, file);
    assert.equal(err.location.line, 2);
    assert.match(err.message, /bad TOML: /);
  });

  it("lets BOSUN_* variables override bosun.toml and says so in sources", async () => {
    write("bosun.toml", "forks = 5\n[ssh]\nretries = 2\nconnect_timeout = 20\n");
    const { config, sources } = await load({ BOSUN_FORKS: "12", BOSUN_SSH_RETRIES: "7", BOSUN_SSH_ACCEPT_NEW_HOST_KEYS: "true" });
    assert.equal(config.forks, 12);
    assert.equal(config.ssh.retries, 7);
    assert.equal(config.ssh.accept_new_host_keys, true);
    assert.equal(config.ssh.connect_timeout, 20);
    assert.equal(sources.forks, "env");
    assert.equal(sources["ssh.retries"], "env");
    assert.equal(sources["ssh.connect_timeout"], path.join(cwd, "bosun.toml"));
  });

  it("keeps a numeric-looking BOSUN_* value as text for a text setting", async () => {
    const { config } = await load({ BOSUN_INVENTORY: "2024", BOSUN_STATE_DIR: "/data/7" });
    assert.equal(config.inventory, "2024");
    assert.equal(config.state_dir, "/data/7");
  });

  it("names the environment variable when its value is invalid", async () => {
    const err = await loadError({ BOSUN_SSH_RETRIES: "many" });
    assert.deepEqual(err.location, { file: "environment BOSUN_SSH_RETRIES" });
    assert.match(err.message, /^environment BOSUN_SSH_RETRIES: ssh\.retries: /);
  });

  it("names the environment variable when its value is out of range", async () => {
    const err = await loadError({ BOSUN_FORKS: "0" });
    assert.match(err.message, /^environment BOSUN_FORKS: forks: .*>=1/);
  });

  it("ignores BOSUN_ variables that are not settings", async () => {
    const { config } = await load({ BOSUN_LOG: "debug", BOSUN_SOMETHING: "x", FORKS: "3" });
    assert.equal(config.forks, 50);
    assert.equal(config.log.level, "warn");
  });

  it("lets env.toml named by BOSUN_ENV_FILE override BOSUN_* variables and bosun.toml", async () => {
    write("bosun.toml", "forks = 5\n[ssh]\nretries = 2\n");
    const envFile = write("secrets/env.toml", 'forks = 30\n[server]\nurl = "http://10.0.0.1:8700"\n');
    const { config, sources, files } = await load({ BOSUN_ENV_FILE: "secrets/env.toml", BOSUN_FORKS: "12", BOSUN_SSH_RETRIES: "4" });
    assert.equal(config.forks, 30);
    assert.equal(config.ssh.retries, 4);
    assert.equal(config.server.url, "http://10.0.0.1:8700");
    assert.equal(sources.forks, envFile);
    assert.equal(sources["ssh.retries"], "env");
    assert.equal(sources["server.url"], envFile);
    assert.deepEqual(files, [path.join(cwd, "bosun.toml"), envFile]);
  });

  it("reads env.toml from PREFIX/key/env.toml when BOSUN_ENV_FILE is unset", async () => {
    const envFile = path.join(prefixDir, "key", "env.toml");
    mkdirSync(path.dirname(envFile), { recursive: true });
    writeFileSync(envFile, "[lab]\nmirror_port = 9999\n");
    const { config, sources, files } = await load();
    assert.equal(config.lab.mirror_port, 9999);
    assert.equal(sources["lab.mirror_port"], envFile);
    assert.deepEqual(files, [envFile]);
  });

  it("fails when BOSUN_ENV_FILE names a missing file", async () => {
    const err = await loadError({ BOSUN_ENV_FILE: "nope.toml" });
    assert.equal(err.message, `${path.join(cwd, "nope.toml")}: env file (BOSUN_ENV_FILE) not found`);
  });

  it("reports an error in env.toml with the env file's name and line", async () => {
    write("bosun.toml", "forks = 5\n");
    const envFile = write("env.toml", "[ssh]\n\nretries = 99\n");
    const err = await loadError({ BOSUN_ENV_FILE: envFile });
    assert.deepEqual(err.location, { file: envFile, line: 3 });
  });
});

describe("envLayer", () => {
  it("maps BOSUN_KEY and BOSUN_SECTION_KEY to the config tree, reading numbers and booleans", () => {
    assert.deepEqual(
      envLayer({ BOSUN_FORKS: "9", BOSUN_SSH_ACCEPT_NEW_HOST_KEYS: "false", BOSUN_LAB_MIRROR_PORT: "8000", BOSUN_LOG_LEVEL: "info" }),
      {
        forks: 9,
        ssh: { accept_new_host_keys: false },
        lab: { mirror_port: 8000 },
        log: { level: "info" },
      },
    );
  });

  it("returns nothing for an environment without BOSUN_ settings", () => {
    assert.deepEqual(envLayer({ PATH: "/bin", BOSUN_LOG: "debug", BOSUN_CONFIG: "x.toml" }), {});
  });

  it("reads only upper-case variable names", () => {
    assert.deepEqual(envLayer({ bosun_forks: "9" }), {});
  });
});

describe("lineOfKey", () => {
  const text = 'forks = 5\n"inventory" = "x"\n[ssh]\nretries = 2\n\n[server]\nurl = "u"\n';

  it("finds a top-level key, quoted or not", () => {
    assert.equal(lineOfKey(text, ["forks"]), 1);
    assert.equal(lineOfKey(text, ["inventory"]), 2);
  });

  it("finds a key inside its section", () => {
    assert.equal(lineOfKey(text, ["ssh", "retries"]), 4);
    assert.equal(lineOfKey(text, ["server", "url"]), 7);
  });

  it("does not confuse a key with the same key of another section", () => {
    assert.equal(lineOfKey("[lab]\ndir = 'a'\n[other]\ndir = 'b'\n", ["other", "dir"]), 4);
  });

  it("finds the header of a section when the path names the section itself", () => {
    assert.equal(lineOfKey(text, ["server"]), 6);
    assert.equal(lineOfKey("[[ssh]]\nx = 1\n", ["ssh"]), 1);
  });

  it("returns undefined for a key that is not in the text", () => {
    assert.equal(lineOfKey(text, ["ssh", "connect_timeout"]), undefined);
  });
});

describe("ConfigSchema", () => {
  it("fills every default from an empty object", () => {
    const c = ConfigSchema.parse({});
    assert.equal(c.state_dir, "data/bosun");
    assert.equal(c.ssh.control_persist, 300);
    assert.deepEqual(c.vault.ids, {});
  });

  it("rejects a port outside 1-65535", () => {
    assert.equal(ConfigSchema.safeParse({ lab: { mirror_port: 65536 } }).success, false);
    assert.equal(ConfigSchema.safeParse({ lab: { mirror_port: 65535 } }).success, true);
  });

  it("rejects empty inventory paths", () => {
    assert.equal(ConfigSchema.safeParse({ inventories: { prod: "" } }).success, false);
  });
});
