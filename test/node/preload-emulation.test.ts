/**
 * The preload emulation of the XS core suites (test/xs/preload.ts) finds what the device's build
 * would: a module of the image that keeps a regular expression, writes a Map, a buffer or a static
 * field made by its module body. The fixture is a module under src/ of a scratch tree, run on xsnap.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bundleForXs } from "../xs/bundle.ts";
import { preloadEmulation } from "../xs/preload.ts";
import { XS_PRELUDE } from "../xs/prelude.ts";
import { startXsWorker } from "../xs/worker.ts";

const FIXTURE = `
const PATTERN = /^a+$/;
const TABLE = new Map([["a", 1]]);
const BYTES = new Uint8Array([1, 2, 3]);
const LIST: number[] = [];
class Counter {
  static n = 0;
}
function attempt(what: string, fn: () => void): string {
  try {
    fn();
    return what + ": ok";
  } catch (e) {
    return what + ": " + (e as Error).message;
  }
}
export function run(): string[] {
  return [
    attempt("map", () => TABLE.set("b", 2)),
    attempt("array", () => LIST.push(1)),
    attempt("static", () => Counter.n++),
    attempt("bytes", () => (BYTES[0] = 9)),
    attempt("fresh map", () => new Map().set(1, 2)),
    String(PATTERN.source.length),
  ];
}
`;

test("the preload emulation refuses what a preloaded module body made and the device cannot change", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "iobox-preload-"));
  try {
    fs.mkdirSync(path.join(root, "src"));
    fs.writeFileSync(path.join(root, "src/fixture.ts"), FIXTURE);
    const entry = [
      `import { run } from "./src/fixture.ts";`,
      `const json = JSON.stringify({ results: run(), problems: globalThis.__ioboxPreloadProblems() });`,
      `const bytes = new Uint8Array(json.length); // ASCII`,
      `for (let i = 0; i < json.length; i++) bytes[i] = json.charCodeAt(i);`,
      `globalThis.__ioboxReport(bytes.buffer);`,
    ].join("\n");
    const bundle = await bundleForXs(entry, root, [preloadEmulation(root)]);
    let report: { results: string[]; problems: string[] } | undefined;
    const worker = await startXsWorker("preload-emulation", (m) => (report = m as typeof report));
    try {
      await worker.evaluate(XS_PRELUDE);
      await worker.evaluate(bundle);
    } finally {
      await worker.close().catch(() => {});
    }
    assert.ok(report, "the fixture reported");
    const [map, array, statics, bytes, fresh] = report.results;
    assert.match(map!, /^map: .*read-only Map/);
    assert.equal(array, "array: ok", "plain arrays stay writable, as XS copies them to RAM");
    assert.doesNotMatch(statics!, /: ok$/, "a static field of a preloaded class cannot change");
    assert.equal(fresh, "fresh map: ok", "what runs later makes is the program's own");
    assert.equal(bytes, "bytes: ok", "a buffer cannot be made read-only here: it is found afterwards");
    assert.equal(report.problems.length, 2, report.problems.join("\n"));
    assert.match(report.problems[0]!, /src\/fixture\.ts: PATTERN is a regular expression made in a module body/);
    assert.match(report.problems[1]!, /src\/fixture\.ts: BYTES was written/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
