/**
 * Measures code on the real XS engine: `xs-meter.ts BUNDLE.js` evaluates the bundle in xsnap, then
 * runs its steps one evaluate each, and prints `XS-METER {json}` with the deterministic compute count
 * and live heap slots of every step. Runs in its own process (see test/xs/worker.ts).
 */
import fs from "node:fs";
import { startXsWorker } from "../test/xs/worker.ts";

type Note = { step?: string; done?: boolean; error?: string };
const notes: Note[] = [];
const worker = await startXsWorker("iobox-bench", (m) => notes.push(m as Note));
const steps: Record<string, { compute: number | null; heapSlots: number | null; ms: number }> = {};
try {
  await worker.evaluate(fs.readFileSync(process.argv[2]!, "utf8"));
  for (;;) {
    const started = performance.now();
    const r = await worker.evaluate("globalThis.__benchNext()");
    const ms = performance.now() - started;
    const last = notes.pop();
    if (!last || last.done) break;
    if (last.error) throw new Error(`step "${last.step}" failed on XS: ${last.error}`);
    steps[last.step!] = { compute: r.meterUsage.compute, heapSlots: r.meterUsage.currentHeapCount, ms };
  }
} finally {
  await worker.close().catch(() => {});
}
process.stdout.write("XS-METER " + JSON.stringify(steps) + "\n");
