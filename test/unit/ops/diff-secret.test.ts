import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { contentDiff } from "../../../src/ops/diff.js";

describe("contentDiff of a file that holds a secret", () => {
  it("hides the old side's lines: a rotated password is not printed", () => {
    const d = contentDiff(
      "/etc/app.env",
      Buffer.from("A=1\nDB_PASSWORD=old-Secret-99\nB=2\n"),
      Buffer.from("A=1\nDB_PASSWORD=***\nB=2\n"),
      {
        secret: true,
      },
    );
    assert.doesNotMatch(d, /old-Secret-99/);
    assert.match(d, /^\+DB_PASSWORD=\*\*\*$/m);
    assert.match(d, /^-\*\*\* \(old line hidden/m);
    assert.match(d, /^ A=1$/m);
  });

  it("shows the old side of other files", () => {
    assert.match(contentDiff("/etc/x", Buffer.from("a=1\n"), Buffer.from("a=2\n")), /^-a=1$/m);
  });
});
