/**
 * Runs a bundle of core suites on the real XS engine. Usage: run-xs.ts BUNDLE.js. Prints one line
 * per test and, last, `XS-SUMMARY {json}`.
 *
 * Before the bundle, a prelude (prelude.ts) makes xsnap look like a Moddable device; the last
 * result, "module bodies of the device image", lists what the preload emulation found that a
 * device could not use.
 */
import fs from "node:fs";
import { XS_PRELUDE } from "./prelude.ts";
import { startXsWorker } from "./worker.ts";

interface Message {
  kind: "result" | "fingerprint" | "done";
  suite?: string;
  name?: string;
  ok?: boolean;
  error?: string;
  value?: string;
  ms?: number;
}

const bundle = fs.readFileSync(process.argv[2]!, "utf8");
const results: Message[] = [];
const fingerprints: Record<string, string> = {};
let done = false;

const worker = await startXsWorker("iobox-core-suites", (message) => {
  const m = message as Message;
  if (m.kind === "result") {
    results.push(m);
    process.stdout.write(`${m.ok ? "  ✔" : "  ✖"} [xs] ${m.suite} › ${m.name}${m.ms !== undefined && m.ms >= 100 ? ` (${m.ms} ms)` : ""}\n`);
    if (!m.ok) process.stdout.write(m.error!.replace(/^/gm, "      ") + "\n");
  } else if (m.kind === "fingerprint") fingerprints[m.name!] = m.value!;
  else done = true;
});

const started = performance.now();
let crash: string | undefined;
let compute: number | null = null;
try {
  await worker.evaluate(XS_PRELUDE);
  compute = (await worker.evaluate(bundle)).meterUsage.compute;
} catch (e) {
  crash = (e as Error).message;
} finally {
  await worker.close().catch(() => {});
}
const seconds = (performance.now() - started) / 1000;
if (!done && !crash) crash = "the suites did not finish (a test awaited something that never settles?)";
const summary = {
  passed: results.filter((r) => r.ok).length,
  failed: results.filter((r) => !r.ok).length + (crash ? 1 : 0),
  seconds,
  compute,
  crash,
  fingerprints,
};
if (crash) process.stdout.write(`  ✖ [xs] ${crash}\n`);
process.stdout.write("XS-SUMMARY " + JSON.stringify(summary) + "\n");
