/**
 * One fuzz run on the real XS engine (xsnap, with the device-like prelude), in a process of its own
 * (xsnap's set-up locks down the realm that loads it). Usage: xs-runner.ts TARGET COUNT SEED LIMIT_MS.
 * Prints `FUZZ-PROGRESS n` lines and last `FUZZ-RESULT {json}`. The script reports each input's
 * index before running it, so when XS itself dies (its stack, its heap) the runner knows which input
 * it was and regenerates it: the inputs are the same on every engine.
 */
import path from "node:path";
import { ROOT } from "../../hosts/build/build.ts";
import { bundleForXs } from "../xs/bundle.ts";
import { XS_PRELUDE } from "../xs/prelude.ts";
import { startXsWorker } from "../xs/worker.ts";

const [target, count, seed, limitMs] = process.argv.slice(2);
const engine = path.join(ROOT, "test/core/fuzz/engine.ts");
const targets = path.join(ROOT, "test/core/fuzz/targets.ts");
const entry = `
import { encodeUtf8, toHex } from ${JSON.stringify(path.join(ROOT, "src/bytes.ts"))};
import { fuzz } from ${JSON.stringify(engine)};
import { FUZZ_TARGETS } from ${JSON.stringify(targets)};
const send = (m) => {
  const b = encodeUtf8(JSON.stringify(m));
  globalThis.__ioboxReport(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};
(async () => {
  const started = Date.now();
  const r = await fuzz(FUZZ_TARGETS.find((t) => t.name === ${JSON.stringify(target)}), {
    count: ${Number(count)},
    seed: ${Number(seed)},
    stopNow: () => Date.now() - started > ${Number(limitMs)},
    onInput: (_input, index) => send({ kind: "input", index }),
    progressEvery: 10000,
    onProgress: (n) => send({ kind: "progress", inputs: n }),
  });
  send({ kind: "result", result: { ...r, failure: r.failure && { ...r.failure, input: toHex(r.failure.input) } } });
})().catch((e) => send({ kind: "error", error: String(e && e.stack || e) }));
`;

let lastIndex = -1;
let finished = false;
const worker = await startXsWorker("iobox-fuzz", (message) => {
  const m = message as { kind: string; index?: number; inputs?: number };
  if (m.kind === "input") lastIndex = m.index!;
  else if (m.kind === "progress") process.stdout.write(`FUZZ-PROGRESS ${m.inputs}\n`);
  else {
    finished = true;
    process.stdout.write("FUZZ-RESULT " + JSON.stringify(m) + "\n");
  }
});
let crash: string | undefined;
try {
  await worker.evaluate(XS_PRELUDE);
  await worker.evaluate(await bundleForXs(entry, ROOT));
} catch (e) {
  crash = (e as Error).message;
} finally {
  await worker.close().catch(() => {});
}
if (!finished) process.stdout.write("FUZZ-RESULT " + JSON.stringify({ kind: "crash", index: lastIndex, error: crash ?? "XS stopped without a result" }) + "\n");
