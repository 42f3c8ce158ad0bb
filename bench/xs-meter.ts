/**
 * Measures code on the real XS engine: `xs-meter.ts BUNDLE.js` evaluates the bundle in xsnap and
 * prints `XS-METER {json}` with the deterministic compute count and live heap slots of every
 * `measure(name)` step the bundle reports. Runs in its own process (@endo/init locks the realm down).
 */
import "@endo/init";
import { xsnap } from "@agoric/xsnap";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";

const bundle = fs.readFileSync(process.argv[2]!, "utf8");
const decoder = new TextDecoder();
const notes: unknown[] = [];
const worker = await xsnap({
  os: os.type(),
  spawn,
  fs: { ...fs, ...fsp, tmpName: (_o: unknown, cb: (e: null, p: string) => void) => cb(null, path.join(os.tmpdir(), "xsnap-" + crypto.randomUUID())) },
  name: "iobox-bench",
  meteringLimit: 0,
  stderr: "inherit",
  handleCommand: async (bytes: Uint8Array) => {
    notes.push(JSON.parse(decoder.decode(bytes)));
    return new Uint8Array(0);
  },
});
// Each step is its own evaluate so that meterUsage covers exactly that step.
const steps: Record<string, { compute: number | null; heapSlots: number | null }> = {};
try {
  await worker.evaluate(bundle);
  for (;;) {
    const r = await worker.evaluate("globalThis.__benchNext ? globalThis.__benchNext() : undefined");
    const last = notes.pop() as { step?: string; done?: boolean } | undefined;
    if (!last || last.done) break;
    steps[last.step!] = { compute: r.meterUsage.compute, heapSlots: r.meterUsage.currentHeapCount };
  }
} finally {
  await worker.close().catch(() => {});
}
process.stdout.write("XS-METER " + JSON.stringify(steps) + "\n");
