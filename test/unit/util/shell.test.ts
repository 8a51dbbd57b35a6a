import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { join, quote, raw, sh } from "../../../src/util/shell.js";

/** Runs script with the real /bin/sh and returns its stdout. */
function runSh(script: string): string {
  return execFileSync("sh", ["-c", script], { encoding: "utf8" });
}

const NASTY = [
  "",
  " ",
  "plain",
  "two words",
  "it's",
  "''",
  `"double"`,
  `mixed 'single' and "double"`,
  "$HOME",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${...} that sh must not expand
  "${PATH}",
  "$(id -u)",
  "`id -u`",
  "a\nb\n",
  "\n",
  "tab\there",
  "back\\slash\\",
  "glob * ? [a-z]",
  "semi; rm -rf /tmp/nothing",
  "a && b || c | d > e < f & g",
  "-n",
  "--",
  "~root",
  "#comment",
  "!history",
  "{a,b}",
  "ünïcødé ✓",
  "'; echo pwned; '",
];

describe("quote", () => {
  for (const s of NASTY) {
    it(`passes ${JSON.stringify(s)} through sh as exactly one unchanged word`, () => {
      assert.equal(runSh(`printf %s ${quote(s)}`), s);
      // One word: printf repeats the format per argument, so two words would print two markers.
      assert.equal(runSh(`printf '<%s>' ${quote(s)}`), `<${s}>`);
    });
  }

  it("leaves safe words unquoted", () => {
    assert.equal(quote("web1.example.com"), "web1.example.com");
    assert.equal(quote("/usr/bin/env"), "/usr/bin/env");
    assert.equal(quote("key=value,a:b@c%d+e-f_g"), "key=value,a:b@c%d+e-f_g");
  });

  it("quotes the empty string so it stays an argument", () => {
    assert.equal(quote(""), "''");
  });

  it("quotes words with shell metacharacters", () => {
    assert.equal(quote("a b"), "'a b'");
    assert.equal(quote("$x"), "'$x'");
    assert.equal(quote("*"), "'*'");
  });

  it("accepts numbers", () => {
    assert.equal(quote(22), "22");
    assert.equal(quote(-1.5), "-1.5");
  });
});

describe("join", () => {
  it("joins argv into a line that sh splits back into the same words", () => {
    const argv = ["printf", "%s\\0", ...NASTY];
    const out = runSh(join(argv));
    assert.deepEqual(out.split("\0").slice(0, -1), NASTY);
  });

  it("quotes numbers as words", () => {
    assert.equal(join(["sleep", 5]), "sleep 5");
  });
});

describe("sh``", () => {
  it("quotes every interpolated string", () => {
    const file = "my file's name";
    assert.equal(sh`cat ${file}`, `cat 'my file'"'"'s name'`);
    assert.equal(runSh(sh`printf %s ${file}`), file);
  });

  it("keeps the literal template text as shell", () => {
    assert.equal(runSh(sh`x=${"a b"}; printf '[%s]' "$x" | tr a-z A-Z`), "[A B]");
  });

  it("turns an array into several quoted words", () => {
    const args = ["one", "two words", "$three"];
    assert.equal(sh`printf '<%s>' ${args}`, `printf '<%s>' one 'two words' '$three'`);
    assert.equal(runSh(sh`printf '<%s>' ${args}`), "<one><two words><$three>");
  });

  it("interpolates numbers unquoted", () => {
    assert.equal(sh`head -n ${10} ${"f"}`, "head -n 10 f");
  });

  it("splices raw() text unquoted", () => {
    const inner = sh`printf %s ${"a b"}`;
    assert.equal(sh`${raw(inner)} | wc -c`, "printf %s 'a b' | wc -c");
    assert.equal(runSh(sh`${raw(inner)} | wc -c`).trim(), "3");
  });

  it("splices raw() text inside arrays too", () => {
    assert.equal(sh`${[raw("$HOME"), "$HOME"]}`, `$HOME '$HOME'`);
  });

  it("returns the template unchanged when nothing is interpolated", () => {
    assert.equal(sh`echo 'hi' $x`, "echo 'hi' $x");
  });

  it("refuses values that have no safe shell form", () => {
    assert.throws(() => sh`echo ${undefined}`, /cannot interpolate undefined/);
    assert.throws(() => sh`echo ${null}`, /cannot interpolate object/);
    assert.throws(() => sh`echo ${true}`, /cannot interpolate boolean/);
    assert.throws(() => sh`echo ${{ a: 1 }}`, /cannot interpolate object/);
  });
});
