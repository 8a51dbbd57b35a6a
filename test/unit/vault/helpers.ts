import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after } from "node:test";
import { fileURLToPath } from "node:url";
import { VaultError } from "../../../src/vault/errors.js";
import type { ScryptParams } from "../../../src/vault/format.js";
import { VaultKey } from "../../../src/vault/keys.js";

/** A cheap scrypt cost: the format and code paths are the same as the default's. */
export const FAST: ScryptParams = { logN: 10, r: 8, p: 1 };

export const FIXTURES = fileURLToPath(new URL("../../fixtures/vault/", import.meta.url));
export const REPO = fileURLToPath(new URL("../../../", import.meta.url));

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

export function passKey(id: string, passphrase: string): VaultKey {
  return VaultKey.fromPassphrase(id, passphrase, `test ${id}`);
}

export function rawKey(id: string): VaultKey {
  return VaultKey.fromBytes(id, randomBytes(32), `test ${id}`);
}

/** Returns a new temp dir, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "bosun-vault-test-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Asserts fn throws a VaultError whose message matches re; returns the error. */
export function throwsVault(fn: () => unknown, re: RegExp): VaultError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof VaultError, `expected a VaultError, got ${caught}`);
  assert.match(caught.message, re);
  return caught;
}

export async function rejectsVault(p: Promise<unknown>, re: RegExp): Promise<VaultError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof VaultError, `expected a VaultError, got ${caught}`);
  assert.match(caught.message, re);
  return caught;
}
