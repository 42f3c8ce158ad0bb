/**
 * `test` for core suites on Node: node:test. The XS run swaps this module for test-xs.ts (see
 * test/xs/bundle.ts), so core suites import only this, assert.ts, src/ and sim/.
 */
import fs from "node:fs";
import path from "node:path";
import { test as nodeTest } from "node:test";

export type TestFn = () => void | Promise<void>;

/** node:test's own function, so failures point at the suite's line, not at this file. */
export const test: (name: string, fn: TestFn) => void = nodeTest;

/** The engine the suite runs on; core suites never branch on it, but reports use it. */
export const engine: string = "node";

/**
 * Records a value that must be identical on every engine (test/run.ts compares Node's with XS's),
 * e.g. the digest of an event log from the deterministic memory host.
 */
export function fingerprint(name: string, value: string): void {
  const dir = process.env.IOBOX_FINGERPRINTS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, name + ".txt"), value);
}
