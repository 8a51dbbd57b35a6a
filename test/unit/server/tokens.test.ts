import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allows, bearer, findToken, hashToken, newToken } from "../../../src/server/tokens.js";

describe("API tokens", () => {
  it("are random and stored only as their SHA-256", () => {
    const a = newToken();
    const b = newToken();
    assert.notEqual(a, b);
    assert.match(a, /^bsn_[A-Za-z0-9_-]{43}$/);
    assert.equal(hashToken(a), hashToken(a));
    assert.match(hashToken(a), /^[0-9a-f]{64}$/);
    assert.ok(!hashToken(a).includes(a));
  });

  it("match the entry whose hash they have, and no other", () => {
    const ops = newToken();
    const viewer = newToken();
    const entries = [
      { name: "ops", sha256: hashToken(ops), scope: "operator" as const },
      { name: "viewer", sha256: hashToken(viewer), scope: "read" as const },
    ];
    assert.equal(findToken(entries, ops)?.name, "ops");
    assert.equal(findToken(entries, viewer)?.name, "viewer");
    assert.equal(findToken(entries, newToken()), undefined);
    assert.equal(findToken(entries, `${ops}x`), undefined);
  });

  it("come from a Bearer Authorization header only", () => {
    assert.equal(bearer("Bearer abc"), "abc");
    assert.equal(bearer("bearer  abc "), "abc");
    assert.equal(bearer("Basic abc"), undefined);
    assert.equal(bearer(undefined), undefined);
    assert.equal(bearer("Bearer a b"), undefined);
  });

  it("scopes: operator may do everything, read only reads", () => {
    assert.ok(allows("operator", "operator"));
    assert.ok(allows("operator", "read"));
    assert.ok(allows("read", "read"));
    assert.ok(!allows("read", "operator"));
  });
});
