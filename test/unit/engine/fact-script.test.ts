import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { batchScript, splitSections } from "../../../src/engine/fact-script.js";

function runSh(script: string): string {
  return execFileSync("sh", ["-c", script], { encoding: "utf8" });
}

describe("batchScript and splitSections", () => {
  it("round-trip every section's output and exit status through a real sh", () => {
    const out = runSh(
      batchScript({
        two_lines: "echo hello; echo world",
        fails: "echo partial; exit 3",
        quiet: "true",
        stderr_only: "echo oops >&2; false",
      }),
    );
    assert.deepEqual(splitSections(out), {
      two_lines: { output: "hello\nworld", rc: 0 },
      fails: { output: "partial", rc: 3 },
      quiet: { output: "", rc: 0 },
      stderr_only: { output: "", rc: 1 },
    });
  });

  it("keeps the exit status of a command that is not found", () => {
    const s = splitSections(runSh(batchScript({ missing: "no-such-command-bosun-test" })));
    assert.equal(s.missing?.rc, 127);
    assert.equal(s.missing?.output, "");
  });

  it("keeps a section whose output does not end with a newline", () => {
    const s = splitSections(runSh(batchScript({ bare: "printf abc", after: "echo x" })));
    assert.deepEqual(s.bare, { output: "abc", rc: 0 });
    assert.deepEqual(s.after, { output: "x", rc: 0 });
  });

  it("keeps blank lines and indentation inside a section", () => {
    const s = splitSections(runSh(batchScript({ text: "printf '  a\\n\\n b\\n'" })));
    assert.equal(s.text?.output, "  a\n\n b");
  });

  it("keeps a section whose command exits the subshell only", () => {
    const s = splitSections(runSh(batchScript({ a: "exit 7", b: "echo still running" })));
    assert.equal(s.a?.rc, 7);
    assert.deepEqual(s.b, { output: "still running", rc: 0 });
  });

  it("does not treat output that looks like a marker with another token as a marker", () => {
    const s = splitSections(runSh(batchScript({ tricky: "echo '@@bosun-ffff other'; echo '@@bosun-ffff-rc 9'" }, "abc123")));
    assert.deepEqual(s.tricky, { output: "@@bosun-ffff other\n@@bosun-ffff-rc 9", rc: 0 });
  });

  it("uses a fresh random token for each script", () => {
    assert.notEqual(batchScript({ a: "true" }), batchScript({ a: "true" }));
  });

  it("uses the given token in its markers", () => {
    assert.equal(runSh(batchScript({ a: "echo hi" }, "c0ffee")), "@@bosun-c0ffee a\nhi\n@@bosun-c0ffee-rc 0\n");
  });

  it("returns no sections for output without markers", () => {
    assert.deepEqual(splitSections("just some text\n"), {});
    assert.deepEqual(splitSections(""), {});
  });

  it("drops a section that was cut off before its exit status", () => {
    const s = splitSections("@@bosun-ab one\n1\n@@bosun-ab-rc 0\n@@bosun-ab two\npartial\n");
    assert.deepEqual(s, { one: { output: "1", rc: 0 } });
  });

  it("ignores text before the first marker", () => {
    const s = splitSections("motd banner\n@@bosun-ab one\n1\n@@bosun-ab-rc 0\n");
    assert.deepEqual(s, { one: { output: "1", rc: 0 } });
  });
});
