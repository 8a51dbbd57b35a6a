import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { linePattern } from "../../../src/ops/line-regex.js";

/** Returns whether `LC_ALL=C grep -E` matches the line (the host side). */
function grepMatches(ere: string, line: string): boolean {
  const r = spawnSync("grep", ["-a", "-q", "-E", "-e", ere], { input: Buffer.from(`${line}\n`, "latin1"), env: { LC_ALL: "C" } });
  if (r.status === 2) throw new Error(`grep rejected ${JSON.stringify(ere)}: ${r.stderr}`);
  return r.status === 0;
}

describe("linePattern", () => {
  it("renders the same pattern for JavaScript and grep -E", () => {
    assert.equal(linePattern("t", "^#?Port\\s+\\d+$").ere, "^#?Port\\s+[0-9]+$");
    assert.equal(linePattern("t", "(?:a|b)\\.c").ere, "(a|b)\\.c");
    assert.equal(linePattern("t", "a\\tb").ere, "a\tb");
    assert.equal(linePattern("t", "x{2,3}?y").ere, "x{2,3}y");
    assert.equal(linePattern("t", "[\\d\\s_]").ere, "[0-9[:space:]_]");
    assert.equal(linePattern("t", "[\\]a\\-]").ere, "[]a-]");
    assert.equal(linePattern("t", "[\\^]").ere, "\\^");
    assert.equal(linePattern("t", "[^\\^]").ere, "[^^]");
    assert.equal(linePattern("t", "[\\^\\-]").ere, "[-^]");
    assert.equal(linePattern("t", "a\\/b").ere, "a/b");
  });

  it("matches the same lines as LC_ALL=C grep -E does", () => {
    const patterns = [
      "^#?Port\\s+\\d+$",
      "^127\\.0\\.1\\.1\\s",
      "\\bfoo\\b",
      "^\\S+=\\w+$",
      "[\\]a\\-]",
      "[^\\^]x",
      "^[\\d\\s]+$",
      "(?:ab|cd){2}",
      "a.c",
      "\\.conf$",
      "x*?y",
      "[\\^\\[]",
      "^\\D\\W",
      "é",
      "\\$HOME",
    ];
    const lines = [
      "Port 22",
      "#Port  2222",
      "Port twenty",
      "127.0.1.1\tdb1",
      "127.0.1.10 x",
      "a foo b",
      "afoob",
      "KEY=value",
      "KEY = value",
      "]",
      "-",
      "zzz",
      "^x",
      "ax",
      " 1 2 3",
      "abcd",
      "abab",
      "a\rc",
      "abc",
      "x.conf",
      "y",
      "[",
      "^",
      "#!",
      "café",
      "$HOME/x",
      "",
    ];
    for (const src of patterns) {
      const p = linePattern("t", src);
      for (const l of lines) {
        const model = Buffer.from(l, "utf8").toString("latin1");
        assert.equal(p.js.test(model), grepMatches(p.ere, model), `/${src}/ on ${JSON.stringify(l)} (ere ${JSON.stringify(p.ere)})`);
      }
    }
  });

  it("rejects syntax grep -E reads differently, saying which", () => {
    assert.throws(() => linePattern("line_in_file regexp", "(?=a)b"), /line_in_file regexp: pattern \/\(\?=a\)b\/ uses a lookaround/);
    assert.throws(() => linePattern("t", "(a)\\1"), /uses \\1/);
    assert.throws(() => linePattern("t", "a\\nb"), /uses \\n/);
    assert.throws(() => linePattern("t", "\\u00e9"), /uses \\u/);
    assert.throws(() => linePattern("t", "[[:space:]]"), /POSIX class/);
    assert.throws(() => linePattern("t", "a{"), /`\{` that is not a repetition/);
    assert.throws(() => linePattern("t", "{2}"), /`\{` that is not a repetition/);
    assert.throws(() => linePattern("t", "[]a]"), /empty class/);
    assert.throws(() => linePattern("t", "[a"), /unterminated/);
    assert.throws(() => linePattern("t", "[\\d-z]"), /`-` next to/);
    assert.throws(() => linePattern("t", "a\\"), /lone backslash/);
    assert.throws(() => linePattern("t", "*a"), /not a valid regular expression/);
    assert.throws(() => linePattern("t", ""), /is empty/);
    assert.throws(() => linePattern("t", "a\nb"), /newline/);
  });
});
