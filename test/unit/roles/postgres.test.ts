import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { migrationFiles } from "../../../src/roles/postgres/index.js";
import { confValue, ident, literal, renderHba, roleUpToDate, scramVerifier, sha256 } from "../../../src/roles/postgres/sql.js";

describe("postgres role: pure parts", () => {
  it("derives the same SCRAM-SHA-256 verifier for the same role and password, a different one otherwise", () => {
    const v = scramVerifier("shop", "s3cret");
    assert.match(v, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    assert.equal(scramVerifier("shop", "s3cret"), v);
    assert.notEqual(scramVerifier("other", "s3cret"), v, "the salt depends on the role");
    assert.notEqual(scramVerifier("shop", "s3cret!"), v);
    assert.ok(!v.includes("s3cret"));
  });

  it("compares a role's stored verifier by its hash only", () => {
    const v = scramVerifier("shop", "pw");
    const q = roleUpToDate("shop", { login: true, superuser: false, createdb: false, createrole: false }, v);
    assert.ok(q.includes(sha256(v)) && !q.includes(v));
  });

  it("renders pg_hba with the defaults first and rejects entries PostgreSQL would refuse", () => {
    const hba = renderHba([{ type: "host", database: "shop", user: "shop", address: "198.18.0.0/24", method: "scram-sha-256" }]);
    const rows = hba.split("\n").filter((l) => l && !l.startsWith("#"));
    assert.equal(rows[0], "local\tall\tpostgres\t\tpeer");
    assert.equal(rows.at(-1), "host\tshop\tshop\t198.18.0.0/24\tscram-sha-256");
    assert.throws(
      () => renderHba([{ type: "host", database: "all", user: "all", method: "trust" }]),
      /hba\[0\]: host needs an address in CIDR form/,
    );
    assert.throws(() => renderHba([{ type: "local", database: "a b", user: "all", method: "peer" }]), /hba\[0\]: database and user/);
  });

  it("quotes identifiers, literals and config values", () => {
    assert.equal(ident('we"ird'), '"we""ird"');
    assert.equal(literal("it's"), "'it''s'");
    assert.deepEqual([confValue("*"), confValue(50), confValue(true)], ["'*'", "50", "true"]);
  });

  it("orders migrations numerically and refuses names that do not start with a number", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pg-mig-"));
    for (const n of ["10_c.sql", "2_b.sql", "001_a.sql", "README.md"]) writeFileSync(path.join(dir, n), "SELECT 1;");
    assert.deepEqual(
      migrationFiles("shop", dir).map((m) => m.name),
      ["001_a.sql", "2_b.sql", "10_c.sql"],
    );
    writeFileSync(path.join(dir, "init.sql"), "");
    assert.throws(() => migrationFiles("shop", dir), /must start with a number: init\.sql/);
    assert.throws(() => migrationFiles("shop", path.join(dir, "nope")), /database shop: migrations directory not found/);
  });
});
