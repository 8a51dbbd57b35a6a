/**
 * Inventories and host patterns as Ansible reads them: every fixture under
 * test/fixtures/inventory/parity/inv was run through Ansible (scripts/inventory-parity.ts wrote
 * expected.json); Bosun must give the same groups, hosts, vars, host order and errors.
 * Where Bosun refuses on purpose what Ansible accepts, DELIBERATE says why, and the test checks
 * that Bosun does refuse.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { BosunError } from "../../../src/errors.js";
import { toAnsibleList } from "../../../src/inventory/export.js";
import { loadInventoryFile } from "../../../src/inventory/load.js";
import type { Inventory } from "../../../src/inventory/model.js";
import { readLimitFile, selectTargets } from "../../../src/inventory/patterns.js";

const DIR = path.resolve(import.meta.dirname, "..", "..", "fixtures", "inventory", "parity");
const expected = JSON.parse(readFileSync(path.join(DIR, "expected.json"), "utf8")) as {
  inventories: Record<string, { ok: boolean; list?: Record<string, unknown>; warnings?: string[]; error?: string }>;
  patterns: {
    inventory: string;
    pattern: string;
    limit?: string;
    exit: number;
    hosts: string[];
    warnings: string[];
    orderStable: boolean;
  }[];
};

/** Inventories Bosun rejects although Ansible loads them, and why. */
const DELIBERATE_INVENTORIES: Record<string, string> = {
  "ini-32-escapes.ini": "a host name with a space cannot be an ssh destination: refused at load",
};

/** Pattern checks where Bosun refuses what Ansible accepts, and why. */
const DELIBERATE_PATTERNS: { pattern: string; limit?: string; why: string; bosun?: string[] }[] = [
  { pattern: "", why: "an empty pattern is an error: Ansible reads it as all" },
  { pattern: ",", why: "an empty pattern is an error: Ansible reads it as all" },
  { pattern: ", ,", why: "an empty pattern is an error: Ansible reads it as all" },
  {
    pattern: "@limits/retry.txt",
    why: "a term starting with @ is a limit file everywhere; Ansible reads it as a name outside --limit",
    bosun: ["web2", "db1"],
  },
  { pattern: "all", limit: "", why: "an empty --limit is an error: Ansible reads it as no limit" },
  { pattern: "all", limit: ",", why: "an empty --limit is an error: Ansible reads it as no limit" },
];

const loaded = new Map<string, Promise<Inventory>>();
const load = (file: string) => {
  let p = loaded.get(file);
  if (!p) loaded.set(file, (p = loadInventoryFile(path.join(DIR, "inv", file))));
  return p;
};

describe("inventories read as Ansible reads them", () => {
  const entries = Object.entries(expected.inventories);
  it("covers at least 80 inventories", () => assert.ok(entries.length >= 80, `${entries.length}`));
  for (const [file, want] of entries) {
    it(`${file}: ${want.ok ? "same groups, hosts and vars" : "is rejected"}`, async () => {
      if (!want.ok || DELIBERATE_INVENTORIES[file]) {
        await assert.rejects(load(file), (err: Error) => {
          assert.ok(err instanceof BosunError, `not a BosunError: ${err.stack}`);
          assert.ok(err.message.includes(file), `error does not name the file: ${err.message}`);
          return true;
        });
        return;
      }
      const inv = await load(file);
      assert.deepEqual(JSON.parse(JSON.stringify(toAnsibleList(inv))), want.list);
    });
  }
});

describe("host patterns select what Ansible selects, in Ansible's order", () => {
  it("covers at least 100 pattern checks", () => assert.ok(expected.patterns.length >= 100));
  for (const c of expected.patterns) {
    const name = `${c.inventory}: ${JSON.stringify(c.pattern)}${c.limit !== undefined ? ` --limit ${JSON.stringify(c.limit)}` : ""}`;
    const deliberate = DELIBERATE_PATTERNS.find((d) => d.pattern === c.pattern && d.limit === c.limit);
    it(`${name} → ${deliberate ? "refused" : c.exit === 0 ? c.hosts.join(" ") || "(none: an error)" : "error"}`, async () => {
      const inv = await load(c.inventory);
      const warnings: string[] = [];
      const select = () =>
        selectTargets(inv, c.pattern, c.limit, {
          onNoMatch: "warn",
          warnings,
          readFile: (f) => readLimitFile(path.join(DIR, f)),
        });
      // Ansible's "No hosts matched, nothing to do" (exit 0) is an error in Bosun's commands.
      if (deliberate?.bosun) {
        assert.deepEqual(select(), deliberate.bosun);
        return;
      }
      if (deliberate || c.exit !== 0 || c.hosts.length === 0) {
        assert.throws(select, (err: Error) => err instanceof BosunError);
        return;
      }
      const got = select();
      if (c.orderStable) assert.deepEqual(got, c.hosts);
      else assert.deepEqual([...got].sort(), [...c.hosts].sort());
      const skipped = c.warnings.filter((w) => w.startsWith("Could not match supplied host pattern"));
      assert.deepEqual(warnings, skipped);
    });
  }
});
