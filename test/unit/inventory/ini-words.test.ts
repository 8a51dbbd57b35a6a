import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pythonLiteral } from "../../../src/inventory/pylit.js";
import { shlexSplit } from "../../../src/inventory/shlex.js";

describe("shlexSplit (how Ansible splits an INI host line)", () => {
  it("groups quoted words and drops the quotes", () => {
    assert.deepEqual(shlexSplit(`h a="x y" b='c d' e=x"y z"w`), ["h", "a=x y", "b=c d", "e=xy zw"]);
  });

  it("ends the line at # outside quotes, even inside a word", () => {
    assert.deepEqual(shlexSplit(`h1 x=1 # note`), ["h1", "x=1"]);
    assert.deepEqual(shlexSplit(`h3#glued`), ["h3"]);
    assert.deepEqual(shlexSplit(`h z="#kept"`), ["h", "z=#kept"]);
  });

  it("keeps a backslash in double quotes unless it escapes a quote or a backslash", () => {
    assert.deepEqual(shlexSplit(String.raw`h a="x\"y" b="p\q" c=\ d`), ["h", 'a=x"y', String.raw`b=p\q`, "c= d"]);
  });

  it("throws on an unclosed quote and on a trailing backslash", () => {
    assert.throws(() => shlexSplit(`h a="oops`), /No closing quotation/);
    assert.throws(() => shlexSplit("h a\\"), /No escaped character/);
  });
});

describe("pythonLiteral (how Ansible types an INI value)", () => {
  const value = (t: string) => pythonLiteral(t)?.value;

  it("reads numbers in every Python spelling, and only those", () => {
    assert.equal(value("0x1F"), 31);
    assert.equal(value("0o17"), 15);
    assert.equal(value("0b101"), 5);
    assert.equal(value("1_000"), 1000);
    assert.equal(value("1e3"), 1000);
    assert.equal(value(".5"), 0.5);
    assert.equal(value("-5"), -5);
    assert.equal(pythonLiteral("0644"), undefined);
    assert.equal(pythonLiteral("1.2.3"), undefined);
    assert.equal(pythonLiteral("5j"), undefined);
  });

  it("reads strings with escapes and joins adjacent ones", () => {
    assert.equal(value(String.raw`"a\tb"`), "a\tb");
    assert.equal(value(String.raw`r"a\tb"`), String.raw`a\tb`);
    assert.equal(value(`'a' "b"`), "ab");
    assert.equal(value(`"""x"""`), "x");
  });

  it("reads containers, a bare tuple and None, with comments", () => {
    assert.deepEqual(value("{'a': [1, (2, 3)], 1: None}"), { a: [1, [2, 3]], 1: null });
    assert.deepEqual(value("1, 2"), [1, 2]);
    assert.equal(value("7 # seven"), 7);
  });

  it("refuses names other than True, False and None, calls and operators", () => {
    for (const t of ["true", "yes", "hello world", "f(1)", "1 + 1", "[1, 2", "--5", "set()"]) assert.equal(pythonLiteral(t), undefined, t);
  });
});
