/**
 * One fuzz run on Node, in a worker thread of test/fuzz/run.ts: the thread can be stopped from
 * outside when an input hangs, and its heap limit turns an unbounded allocation into a report
 * instead of a machine out of memory. Before each input it is copied into shared memory, so the
 * runner can name the input that hung or exhausted the heap.
 */
import { parentPort, workerData } from "node:worker_threads";
import { fuzz } from "../core/fuzz/engine.ts";
import { FUZZ_TARGETS } from "../core/fuzz/targets.ts";

export interface WorkerJob {
  target: string;
  count: number;
  seed: number;
  /** Wall-clock limit, ms. */
  limitMs: number;
  progressEvery: number;
  /** [0]: inputs started, [1]: length of the current input; the input's bytes follow at byte 8. */
  shared: SharedArrayBuffer;
}

export type WorkerMessage =
  | { kind: "progress"; inputs: number; heapMb: number }
  | { kind: "result"; result: Awaited<ReturnType<typeof fuzz>>; heapMb: { start: number; end: number; peak: number } }
  | { kind: "error"; error: string };

const job = workerData as WorkerJob;
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
const header = new Int32Array(job.shared, 0, 2);
const bytes = new Uint8Array(job.shared, 8);
const heapMb = (): number => Math.round(process.memoryUsage().heapUsed / 1048576);

process.on("unhandledRejection", (e) => post({ kind: "error", error: "an unhandled rejection: " + ((e as Error)?.stack ?? String(e)) }));

const target = FUZZ_TARGETS.find((t) => t.name === job.target)!;
const started = performance.now();
const start = heapMb();
let peak = start;
const result = await fuzz(target, {
  count: job.count,
  seed: job.seed,
  stopNow: () => performance.now() - started > job.limitMs,
  onInput(input, index) {
    const n = Math.min(input.length, bytes.length);
    bytes.set(input.subarray(0, n));
    Atomics.store(header, 1, n);
    Atomics.store(header, 0, index + 1);
  },
  progressEvery: job.progressEvery,
  onProgress(inputs) {
    const now = heapMb();
    peak = Math.max(peak, now);
    post({ kind: "progress", inputs, heapMb: now });
  },
});
post({ kind: "result", result, heapMb: { start, end: heapMb(), peak } });
