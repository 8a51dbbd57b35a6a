import assert from "node:assert/strict";
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { parseAuthorizedKeysFact, parsePublicKey, shortKey } from "../../../src/facts/authorized-keys.js";
import { authorizedKeys } from "../../../src/ops/authorized-keys.js";
import { tempDir } from "../../e2e/helpers.js";
import { applyHere, declared, fakeAccounts, outputs, planHere } from "./kit.js";

// Keys made with ssh-keygen (OpenSSH 9.2).
const ED = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC1FG+UvoGwFqzayjTceRhQ/QIWutTv8XBmmcZ0cGomv alice@laptop";
const EC =
  "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPdnFLHZ6Qo3qPhfJdeoPDcY2/B0UtRFmPlbGPZay4GliwlI/jTZFq6ZfE9sdyMCKCD82xTMx/lF0SWm6kBxA5U= bob@ci";
const RSA =
  "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCmAJbeCV/jEfcQyHcbzAAgGqcrHs1SUwGPS0t7DhI34w0mUg0ogx91NlnzQ/OJcsFDRAHQ68kwFFWmDEfEe9XVuI04qW+8x4ZUptYw9SvqtNJvesZn1r1TEotGlEbMi2BoXtY/KU3NHBg/zzBd3OOWDPl9PH+C8q0zxvT9txnmLcFWLDerMLRYSIfeMYExHbRNi8pEreLIVyA9ZNTekl3nGb7PW49bKCZuW2Xhip6ONkGX77IgXWoOFgjbaOOmtdR2LhRZwMReVrAlJjfLc1TMY0yjVw5GulTJH3BjnkLK24ggVhcU9y4nByiMknWDgvUJg9CGdmOkWXc7j0R2tM6V carol";

/** Returns the output of authorizedKeysFact's command for alice with this ~/.ssh state. */
function fact(o: { content?: string; dir?: string; file?: string; user?: boolean }): string {
  if (o.user === false) return "";
  const lines = ["passwd=alice:x:1501:1501::/home/alice:/bin/bash", "group=alice", "groups=alice"];
  if (o.dir !== undefined) lines.push(`dir=${o.dir}`);
  if (o.content !== undefined) lines.push(`file=${o.file ?? "600 alice alice"}`, `content=${Buffer.from(o.content).toString("base64")}`);
  return `${lines.join("\n")}\n`;
}
const DIR = "700 alice alice";
const plan = (o: Parameters<typeof authorizedKeys>[1], f: string) =>
  declared(() => authorizedKeys("alice", o)).plan(outputs({ "authorized_keys:alice": f }));

describe("public key lines", () => {
  it("parse type, blob and comment, and options before the type", () => {
    assert.deepEqual(parsePublicKey(ED), {
      line: ED,
      options: "",
      type: "ssh-ed25519",
      blob: "AAAAC3NzaC1lZDI1NTE5AAAAIC1FG+UvoGwFqzayjTceRhQ/QIWutTv8XBmmcZ0cGomv",
      comment: "alice@laptop",
    });
    const withOpts = parsePublicKey(`from="10.0.0.1,10.0.0.2",command="echo hi there" ${EC}`);
    assert.equal(withOpts?.options, 'from="10.0.0.1,10.0.0.2",command="echo hi there"');
    assert.equal(withOpts?.type, "ecdsa-sha2-nistp256");
    assert.equal(withOpts?.comment, "bob@ci");
    assert.equal(parsePublicKey(RSA.replace(" carol", ""))?.comment, "");
  });

  it("reject blank lines, comments, unknown types and a blob of another key type", () => {
    assert.equal(parsePublicKey(""), undefined);
    assert.equal(parsePublicKey(`# ${ED}`), undefined);
    assert.equal(parsePublicKey("ssh-foo AAAAC3NzaC1lZDI1NTE5AAAAIC1F"), undefined);
    assert.equal(parsePublicKey(`ssh-rsa ${ED.split(" ")[1]}`), undefined);
    assert.equal(parsePublicKey("ssh-ed25519 not-base64!"), undefined);
  });

  it("show in short form: type, last 12 characters of the blob, comment", () => {
    assert.equal(shortKey(parsePublicKey(ED)!), "ssh-ed25519 …XBmmcZ0cGomv alice@laptop");
    assert.equal(shortKey(parsePublicKey(EC)!), "ecdsa-sha2-nistp256 …F0SWm6kBxA5U bob@ci");
  });
});

describe("authorized_keys fact parser", () => {
  it("reads the account, ~/.ssh and the file's attributes and content", () => {
    const f = parseAuthorizedKeysFact(fact({ dir: "755 root root", content: `${ED}\n` }), "alice");
    assert.equal(f.user.home, "/home/alice");
    assert.deepEqual(f.dir, { mode: "0755", owner: "root", group: "root" });
    assert.deepEqual(f.file, { mode: "0600", owner: "alice", group: "alice", content: `${ED}\n` });
  });

  it("reads an absent user, and an absent ~/.ssh", () => {
    assert.equal(parseAuthorizedKeysFact("", "alice").user.exists, false);
    const f = parseAuthorizedKeysFact(fact({}), "alice");
    assert.equal(f.dir, undefined);
    assert.equal(f.file, undefined);
  });
});

describe("authorized_keys op: planning", () => {
  it("adds keys to a missing file, creating ~/.ssh, naming keys in short form only", () => {
    const p = plan({ keys: [ED, EC] }, fact({}));
    assert.equal(p.changed, true);
    assert.equal(p.summary, `keys +${shortKey(parsePublicKey(ED)!)}, +${shortKey(parsePublicKey(EC)!)}, create ~/.ssh`);
    assert.ok(!p.summary.includes(parsePublicKey(ED)!.blob), "full keys are not shown");
  });

  it("plans nothing when the keys are there, whatever else the file holds (non-exclusive)", () => {
    assert.deepEqual(plan({ keys: [ED] }, fact({ dir: DIR, content: `${RSA}\n# note\nno-pty ${ED.replace("alice@laptop", "other")}\n` })), {
      changed: false,
      summary: "2 keys",
    });
  });

  it("with exclusive removes the keys not listed", () => {
    const p = plan({ keys: [ED], exclusive: true }, fact({ dir: DIR, content: `${ED}\n${RSA}\n` }));
    assert.deepEqual(p, { changed: true, summary: `keys -${shortKey(parsePublicKey(RSA)!)}` });
    assert.equal(plan({ keys: [ED, RSA], exclusive: true }, fact({ dir: DIR, content: `${ED}\n${RSA}\n` })).changed, false);
  });

  it("with exclusive rewrites a file holding the same keys differently", () => {
    const p = plan({ keys: [ED, RSA], exclusive: true }, fact({ dir: DIR, content: `${RSA}\n${ED}\n` }));
    assert.deepEqual(p, { changed: true, summary: "rewrite (same keys; options, comments or order differ)" });
  });

  it("with state absent removes only the listed keys that are there", () => {
    assert.deepEqual(plan({ keys: [RSA, EC], state: "absent" }, fact({ dir: DIR, content: `${ED}\n${RSA}\n` })), {
      changed: true,
      summary: `keys -${shortKey(parsePublicKey(RSA)!)}`,
    });
    assert.equal(plan({ keys: [EC], state: "absent" }, fact({ dir: DIR, content: `${ED}\n` })).changed, false);
    assert.equal(plan({ keys: [EC], state: "absent" }, fact({ user: false })).changed, false);
  });

  it("fixes the modes and owners of ~/.ssh and the file", () => {
    const p = plan({ keys: [ED] }, fact({ dir: "755 root root", content: `${ED}\n`, file: "644 alice alice" }));
    assert.deepEqual(p, {
      changed: true,
      summary: "~/.ssh mode 0755 → 0700, ~/.ssh owner root → alice, ~/.ssh group root → alice, authorized_keys mode 0644 → 0600",
    });
  });

  it("plans to add the keys once a user that does not exist yet is created", () => {
    const p = plan({ keys: [ED] }, fact({ user: false }));
    assert.equal(p.changed, true);
    assert.match(p.summary, /user does not exist yet/);
  });
});

describe("authorized_keys op: declaring", () => {
  it("rejects lines that are not one public key, before touching a host", () => {
    assert.throws(() => declared(() => authorizedKeys("alice", { keys: ["hello world"] })), /keys\[0\] is not one public key line/);
    assert.throws(() => declared(() => authorizedKeys("alice", { keys: [ED, `${EC}\n${RSA}`] })), /keys\[1\]/);
    assert.throws(() => declared(() => authorizedKeys("alice", { keys: [] })), /no keys given/);
    assert.throws(() => declared(() => authorizedKeys("alice", { keys: [ED], exclusive: true, state: "absent" })), /exclusive only/);
    assert.throws(() => declared(() => authorizedKeys("al ice", { keys: [ED] })), /bad name/);
    assert.equal(declared(() => authorizedKeys("alice", { keys: [], exclusive: true })).kind, "authorized_keys");
  });
});

describe("authorized_keys op: apply fragment (run by sh on a home in a temp dir)", () => {
  /** Runs the op for root, whose home the fake getent says is a temp dir; returns that home. */
  const setup = () => {
    const dir = tempDir("bosun-keys-");
    const home = path.join(dir, "home");
    mkdirSync(home);
    const env = fakeAccounts(dir, { passwd: `root:x:0:0:root:${home}:/bin/sh\n`, group: "root:x:0:\n" });
    return { home, env, file: path.join(home, ".ssh", "authorized_keys") };
  };
  const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

  it("creates ~/.ssh 0700 and the file 0600 with the keys, then reports ok", () => {
    const { env, file } = setup();
    const op = declared(() => authorizedKeys("root", { keys: [ED, EC] }));
    assert.equal(applyHere(op, env).status, "changed");
    assert.equal(readFileSync(file, "utf8"), `${ED}\n${EC}\n`);
    assert.equal(mode(path.dirname(file)), "700");
    assert.equal(mode(file), "600");
    assert.equal(applyHere(op, env).status, "ok");
    assert.equal(planHere(op, env).changed, false);
  });

  it("appends only the missing keys and keeps the others (even without a final newline)", () => {
    const { env, file, home } = setup();
    mkdirSync(path.join(home, ".ssh"), { mode: 0o700 });
    writeFileSync(file, `# team\n${RSA}`, { mode: 0o600 });
    const op = declared(() => authorizedKeys("root", { keys: [RSA, ED] }));
    assert.equal(applyHere(op, env).status, "changed");
    assert.equal(readFileSync(file, "utf8"), `# team\n${RSA}\n${ED}\n`);
    assert.equal(applyHere(op, env).status, "ok");
  });

  it("with exclusive writes exactly the keys", () => {
    const { env, file } = setup();
    applyHere(
      declared(() => authorizedKeys("root", { keys: [RSA] })),
      env,
    );
    const op = declared(() => authorizedKeys("root", { keys: [ED], exclusive: true }));
    assert.equal(applyHere(op, env).status, "changed");
    assert.equal(readFileSync(file, "utf8"), `${ED}\n`);
    assert.equal(applyHere(op, env).status, "ok");
  });

  it("with state absent removes the keys, keeping other lines, then reports ok", () => {
    const { env, file } = setup();
    applyHere(
      declared(() => authorizedKeys("root", { keys: [ED, RSA, EC] })),
      env,
    );
    const op = declared(() => authorizedKeys("root", { keys: [RSA], state: "absent" }));
    assert.equal(planHere(op, env).changed, true);
    assert.equal(applyHere(op, env).status, "changed");
    assert.equal(readFileSync(file, "utf8"), `${ED}\n${EC}\n`);
    assert.equal(mode(file), "600");
    assert.equal(applyHere(op, env).status, "ok");
  });

  it("refuses to follow a symlinked ~/.ssh or authorized_keys (the user could point it anywhere)", () => {
    const { env, home } = setup();
    const elsewhere = path.join(path.dirname(home), "elsewhere");
    mkdirSync(elsewhere, { mode: 0o755 });
    symlinkSync(elsewhere, path.join(home, ".ssh"));
    const out = applyHere(
      declared(() => authorizedKeys("root", { keys: [ED] })),
      env,
    );
    assert.equal(out.status, "failed");
    assert.match(out.output ?? "", /\.ssh is a symlink; refusing to follow it/);
    assert.equal((statSync(elsewhere).mode & 0o777).toString(8), "755", "the link's target is untouched");
  });

  it("fails clearly when the user does not exist", () => {
    const { env } = setup();
    const out = applyHere(
      declared(() => authorizedKeys("nobody9", { keys: [ED] })),
      env,
    );
    assert.equal(out.status, "failed");
    assert.match(out.output ?? "", /user nobody9 does not exist/);
  });
});
