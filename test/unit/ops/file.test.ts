import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { MAX_FACT_CONTENT, parseFileFact } from "../../../src/facts/file.js";
import { sensitive } from "../../../src/ops/content.js";
import { file } from "../../../src/ops/file.js";
import { Secret } from "../../../src/vault/secret.js";
import { declared, outputs } from "./kit.js";

// Output of fileFact's command, captured on Debian 12 (coreutils 9.1).
const ABSENT = "type=absent\n";
const DIRECTORY = "type=directory\nmode=755 owner=root group=root\n";
const LINK = "type=link\ntarget=/etc/hostname\nowner=root group=root\n";
/** Returns the fact output for a regular file with this content and attributes. */
function regular(content: string | Buffer, mode = "644", owner = "root", group = "root"): string {
  const b = Buffer.from(content);
  const sha = createHash("sha256").update(b).digest("hex");
  const body = b.length <= MAX_FACT_CONTENT ? `content=${b.toString("base64")}\n` : "";
  return `type=file\nmode=${mode} owner=${owner} group=${group} size=${b.length}\nsha256=${sha}\n${body}`;
}

const P = "/etc/motd";
const plan = (o: Parameters<typeof file>[1], fact: string) => declared(() => file(P, o)).plan(outputs({ [`file:${P}`]: fact }));

describe("file op: declaring", () => {
  it("is a file op named for its path, asking for that path's fact only", () => {
    const op = declared(() => file(P, { content: "x", tags: ["motd"], notify: "h" }));
    assert.equal(op.kind, "file");
    assert.equal(op.name, P);
    assert.deepEqual(op.tags, ["motd"]);
    assert.deepEqual(op.notify, ["h"]);
    assert.deepEqual(
      op.facts().map((f) => f.key),
      [`file:${P}`],
    );
  });

  it("matches the captured fixture with the real parser (fixture sanity)", () => {
    assert.deepEqual(parseFileFact(regular("hello\n")).sha256, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
  });

  it("refuses a relative path and a bad mode", () => {
    assert.throws(() => declared(() => file("etc/motd", { content: "x" })), /file: path must be absolute, got "etc\/motd"/);
    assert.throws(() => declared(() => file(P, { content: "x", mode: "rw-r--r--" })), /bad file mode "rw-r--r--"/);
    assert.throws(() => declared(() => file(P, { content: "x", mode: "0999" })), /bad file mode/);
  });

  it("cannot be declared outside a role", () => {
    assert.throws(() => file(P, { content: "x" }), /file \/etc\/motd: operations can only be declared inside a role/);
  });

  it("applies with __put, the quoted path, base64 content and mode/owner/group words", () => {
    const op = declared(() => file("/srv/my app/conf", { content: "hi\n", mode: 0o600, owner: "www-data" }));
    assert.equal(op.apply(), `__put '/srv/my app/conf' ${Buffer.from("hi\n").toString("base64")} 0600 www-data -`);
  });
});

describe("file op: planning", () => {
  it("creates an absent file, with a diff from /dev/null", () => {
    const p = plan({ content: "hello\n", mode: "640" }, ABSENT);
    assert.equal(p.changed, true);
    assert.equal(p.summary, "create (6 bytes, mode 0640)");
    // (src/ops/diff.ts leaves a "====" line above this header for new files: reported, not asserted.)
    assert.match(p.diff ?? "", /^--- \/dev\/null\n\+\+\+ \/etc\/motd$/m);
    assert.match(p.diff ?? "", /^\+hello$/m);
  });

  it("is up to date when content, mode, owner and group match", () => {
    assert.deepEqual(plan({ content: "hello\n", mode: "0644", owner: "root", group: "root" }, regular("hello\n")), {
      changed: false,
      summary: "up to date",
    });
    assert.equal(plan({ content: "hello\n" }, regular("hello\n", "600", "nobody", "nogroup")).changed, false, "unmanaged attrs");
  });

  it("updates different content, with a unified diff of the change", () => {
    const p = plan({ content: "hello\nworld\n" }, regular("hello\n"));
    assert.equal(p.changed, true);
    assert.equal(p.summary, "update content");
    assert.match(p.diff ?? "", /^--- \/etc\/motd\n\+\+\+ \/etc\/motd/);
    assert.match(p.diff ?? "", /^ hello$/m);
    assert.match(p.diff ?? "", /^\+world$/m);
  });

  it("lists attribute changes alone when only they differ, without a diff", () => {
    const p = plan({ content: "hello\n", mode: "600", owner: "www-data", group: "adm" }, regular("hello\n"));
    assert.deepEqual(p, { changed: true, summary: "mode 0644 → 0600, owner root → www-data, group root → adm" });
  });

  it("lists content and attribute changes together", () => {
    assert.equal(plan({ content: "new\n", mode: "0600" }, regular("old\n")).summary, "update content, mode 0644 → 0600");
  });

  it("replaces a symlink with a regular file", () => {
    const p = plan({ content: "hello\n" }, LINK);
    assert.equal(p.changed, true);
    assert.equal(p.summary, "replace link (6 bytes)");
  });

  it("refuses to replace a directory", () => {
    assert.throws(() => plan({ content: "x" }, DIRECTORY), /\/etc\/motd is a directory; refusing to replace it with a file/);
  });

  it("masks secrets in the diff, and puts the plaintext only in the apply", () => {
    const secret = new Secret("hunter2-pass");
    const content = sensitive`password=${secret}\n`;
    for (const fact of [ABSENT, regular("password=old\n")]) {
      const p = plan({ content }, fact);
      assert.equal(p.changed, true);
      assert.doesNotMatch(p.diff ?? "", /hunter2/);
      assert.match(p.diff ?? "", /^\+password=\*\*\*$/m);
    }
    assert.equal(plan({ content }, regular("password=hunter2-pass\n")).changed, false);
    assert.ok(
      declared(() => file(P, { content }))
        .apply()
        .includes(Buffer.from("password=hunter2-pass\n").toString("base64")),
    );
  });

  it("summarises binary content instead of diffing it", () => {
    const p = plan({ content: new Uint8Array([0, 1, 2, 3]) }, regular(Buffer.from([0, 9])));
    assert.match(p.diff ?? "", /binary content: 2 → 4 bytes/);
  });

  it("compares a file too big for its content to come back by hash", () => {
    const big = "x".repeat(MAX_FACT_CONTENT + 1);
    assert.equal(plan({ content: big }, regular(big)).changed, false);
    assert.equal(plan({ content: `${big}y` }, regular(big)).summary, "update content");
  });
});
