/**
 * Runs a bundle of core suites on the real XS engine (@agoric/xsnap builds it from Moddable's XS
 * sources at install). Usage: run-xs.ts BUNDLE.js. Prints one line per test and, last,
 * `XS-SUMMARY {json}`. It runs in a process of its own because @endo/init locks down the realm.
 *
 * Before the bundle, a prelude removes the globals xsnap has and a Moddable device lacks
 * (TextEncoder, TextDecoder, Base64, setImmediate, print, performance), so a core that leans on
 * them fails here as it would on the device.
 */
import "@endo/init";
import { xsnap } from "@agoric/xsnap";
import { spawn } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import crypto from "node:crypto";
import os from "node:os";
import path from "node:path";

interface Message {
  kind: "result" | "fingerprint" | "done";
  suite?: string;
  name?: string;
  ok?: boolean;
  error?: string;
  value?: string;
  count?: number;
}

const bundle = fs.readFileSync(process.argv[2]!, "utf8");
const decoder = new TextDecoder();
const results: Message[] = [];
const fingerprints: Record<string, string> = {};
let done: Message | undefined;

const PRELUDE = `
  Object.defineProperty(globalThis, "__ioboxReport", { value: globalThis.issueCommand });
  for (const name of ["TextEncoder", "TextDecoder", "Base64", "setImmediate", "print", "performance"]) delete globalThis[name];
`;

const worker = await xsnap({
  os: os.type(),
  spawn,
  // tmpName is only used for snapshots, which this run does not take
  fs: { ...fs, ...fsp, tmpName: (_o: unknown, cb: (e: null, p: string) => void) => cb(null, path.join(os.tmpdir(), "xsnap-" + crypto.randomUUID())) },
  name: "iobox-core-suites",
  meteringLimit: 0,
  stderr: "inherit",
  stdout: "inherit",
  handleCommand: async (bytes: Uint8Array) => {
    const m = JSON.parse(decoder.decode(bytes)) as Message;
    if (m.kind === "result") {
      results.push(m);
      process.stdout.write(`${m.ok ? "  ✔" : "  ✖"} [xs] ${m.suite} › ${m.name}\n`);
      if (!m.ok) process.stdout.write(m.error!.replace(/^/gm, "      ") + "\n");
    } else if (m.kind === "fingerprint") fingerprints[m.name!] = m.value!;
    else done = m;
    return new Uint8Array(0);
  },
});

const started = performance.now();
let crash: string | undefined;
let compute: number | null = null;
try {
  await worker.evaluate(PRELUDE);
  const r = await worker.evaluate(bundle);
  compute = r.meterUsage.compute;
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
