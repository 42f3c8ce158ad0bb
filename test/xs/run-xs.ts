/**
 * Runs a bundle of core suites on the real XS engine. Usage: run-xs.ts BUNDLE.js. Prints one line
 * per test and, last, `XS-SUMMARY {json}`.
 *
 * Before the bundle, a prelude makes xsnap look like a Moddable device: it removes the globals
 * xsnap has and a device lacks (TextEncoder, TextDecoder, Base64, setImmediate, print,
 * performance) and freezes the built-ins, as a device's ROM does. A core that leans on either
 * fails here as it would on the device.
 */
import fs from "node:fs";
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

// A Moddable build preloads the built-ins into ROM, frozen: assigning over one of their
// properties (e.g. \`this.name = ...\` in an Error subclass) throws there. Freeze them here too.
const PRELUDE = `
  Object.defineProperty(globalThis, "__ioboxReport", { value: globalThis.issueCommand });
  for (const name of ["TextEncoder", "TextDecoder", "Base64", "setImmediate", "print", "performance"]) delete globalThis[name];
  {
    const seen = new Set();
    const freeze = (o) => {
      if ((typeof o !== "object" && typeof o !== "function") || o === null || seen.has(o)) return;
      seen.add(o);
      Object.freeze(o);
      for (const key of Reflect.ownKeys(o)) {
        const d = Object.getOwnPropertyDescriptor(o, key);
        freeze(d.value);
        freeze(d.get);
        freeze(d.set);
      }
      freeze(Object.getPrototypeOf(o));
    };
    for (const name of Object.getOwnPropertyNames(globalThis)) {
      if (name !== "globalThis" && name !== "global" && name !== "__ioboxReport") freeze(globalThis[name]);
    }
  }
`;

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
  await worker.evaluate(PRELUDE);
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
