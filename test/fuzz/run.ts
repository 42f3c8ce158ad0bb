/**
 * `npm run fuzz`: drives the unit's parsers with mutated, generated and random inputs
 * (test/core/fuzz/), each target in a run of its own, bounded in count and in time.
 *
 *   npm run fuzz                                 every target, 100,000 inputs each, on Node
 *   npm run fuzz -- --count 1000000 --minutes 30 the long run
 *   npm run fuzz -- --target http,jmp --seed 7   some targets, other inputs
 *   npm run fuzz -- --xs                         on the real XS engine (xsnap), slower
 *   npm run fuzz -- --device --count 100000      on the device image in mcsim (test/fuzz/device-runner.ts)
 *   npm run fuzz -- --replay build/fuzz/X.bin --target http   one saved input again
 *
 * A crash, a hang (no input finished for --hang-seconds), a heap past --heap-mb (an unbounded
 * allocation) or a broken rule (a relay moved, a connection held, an error logged, a 500) fails the
 * run: the input is saved to build/fuzz/ and the exit code is 1. Node runs use --jobs threads.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { ROOT } from "../../hosts/build/build.ts";
import { Mutator, printable } from "../core/fuzz/engine.ts";
import { FUZZ_TARGETS } from "../core/fuzz/targets.ts";
import { DEVICE_TARGET_NAMES, fuzzDevice } from "./device-runner.ts";
import type { WorkerJob, WorkerMessage } from "./node-worker.ts";

interface Options {
  targets: string[];
  count: number;
  seed: number;
  minutes: number;
  xs: boolean;
  device: boolean;
  jobs: number;
  hangSeconds: number;
  heapMb: number;
  replay?: string;
}

function usage(error: string): never {
  process.stderr.write(`npm run fuzz: ${error}\nusage: npm run fuzz -- [--target ${FUZZ_TARGETS.map((t) => t.name).join(",")}] [--count N] [--seed N] [--minutes M] [--xs | --device] [--jobs N] [--hang-seconds S] [--heap-mb MB] [--replay FILE]\n`);
  process.exit(2);
}

function parse(args: string[]): Options {
  const o: Options = { targets: FUZZ_TARGETS.map((t) => t.name), count: 100_000, seed: 1, minutes: 60, xs: false, device: false, jobs: 2, hangSeconds: 60, heapMb: 1024 };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = (): string => args[++i] ?? usage(`${flag} needs a value`);
    const number = (): number => {
      const v = value();
      const n = Number(v);
      if (!/^\d+(\.\d+)?$/.test(v) || n <= 0) usage(`${flag} takes a positive number (got "${v}")`);
      return n;
    };
    if (flag === "--target") o.targets = value().split(",");
    else if (flag === "--count") o.count = Math.floor(number());
    else if (flag === "--seed") o.seed = Math.floor(number());
    else if (flag === "--minutes") o.minutes = number();
    else if (flag === "--jobs") o.jobs = Math.floor(number());
    else if (flag === "--hang-seconds") o.hangSeconds = number();
    else if (flag === "--heap-mb") o.heapMb = Math.floor(number());
    else if (flag === "--xs") o.xs = true;
    else if (flag === "--device") o.device = true;
    else if (flag === "--replay") o.replay = value();
    else usage(`unknown option ${flag}`);
  }
  for (const t of o.targets) if (!FUZZ_TARGETS.some((x) => x.name === t)) usage(`no target "${t}"`);
  if (o.device) {
    if (o.xs) usage("--xs and --device are two engines: choose one");
    if (!args.includes("--target")) o.targets = DEVICE_TARGET_NAMES;
    for (const t of o.targets) if (!DEVICE_TARGET_NAMES.includes(t)) usage(`the device has no "${t}" target (it has ${DEVICE_TARGET_NAMES.join(", ")}; cbor is reached only over TLS there)`);
  }
  return o;
}

interface Outcome {
  target: string;
  inputs: number;
  seconds: number;
  made?: Record<string, number>;
  heap?: string;
  failure?: { index: number; input: Uint8Array; error: string };
}

const OUT = path.join(ROOT, "build/fuzz");

/** Saves a failing input (and why) and says where. */
function save(o: Options, outcome: Outcome, engine: string): string {
  const f = outcome.failure!;
  fs.mkdirSync(OUT, { recursive: true });
  const base = path.join(OUT, `${outcome.target}-${engine}-seed${o.seed}-${f.index}`);
  fs.writeFileSync(base + ".bin", f.input);
  fs.writeFileSync(base + ".txt", `${f.error}\n\ninput (${f.input.length} bytes): ${printable(f.input, 4000)}\n\nagain: npm run fuzz -- --replay ${path.relative(ROOT, base)}.bin --target ${outcome.target}${engine === "xs" ? " (found on XS)" : ""}\n`);
  return base + ".bin";
}

/** The input a run made at `index`: the inputs depend only on target and seed, so Node regenerates what XS ran. */
function inputAt(target: string, seed: number, index: number): Uint8Array {
  const m = new Mutator(FUZZ_TARGETS.find((t) => t.name === target)!, seed);
  let input: Uint8Array = new Uint8Array(0);
  for (let i = 0; i <= index; i++) input = m.next();
  return input;
}

function onNode(o: Options, target: string): Promise<Outcome> {
  const maxLength = FUZZ_TARGETS.find((t) => t.name === target)!.maxLength;
  const shared = new SharedArrayBuffer(8 + maxLength);
  const header = new Int32Array(shared, 0, 2);
  const job: WorkerJob = { target, count: o.count, seed: o.seed, limitMs: o.minutes * 60_000, progressEvery: 100_000, shared };
  const started = performance.now();
  const current = (): { index: number; input: Uint8Array } => ({ index: Atomics.load(header, 0) - 1, input: new Uint8Array(shared, 8, Atomics.load(header, 1)).slice() });
  return new Promise((resolve) => {
    const worker = new Worker(new URL("./node-worker.ts", import.meta.url), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: o.heapMb } });
    let settled = false;
    let lastStarted = 0;
    let lastChange = performance.now();
    const finish = (outcome: Omit<Outcome, "target" | "seconds">): void => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      void worker.terminate();
      resolve({ target, seconds: (performance.now() - started) / 1000, ...outcome });
    };
    const watchdog = setInterval(() => {
      const now = Atomics.load(header, 0);
      if (now !== lastStarted) {
        lastStarted = now;
        lastChange = performance.now();
      } else if (performance.now() - lastChange > o.hangSeconds * 1000) {
        const c = current();
        finish({ inputs: c.index, failure: { ...c, error: `a hang: input ${c.index} did not finish in ${o.hangSeconds} s` } });
      }
    }, 1000);
    worker.on("message", (m: WorkerMessage) => {
      if (m.kind === "progress") process.stdout.write(`  ${target}: ${m.inputs.toLocaleString("en")} inputs, heap ${m.heapMb} MB\n`);
      else if (m.kind === "error") finish({ inputs: current().index, failure: { ...current(), error: m.error } });
      else {
        const r = m.result;
        finish({
          inputs: r.inputs,
          made: r.made,
          heap: `heap ${m.heapMb.start} MB at the start, ${m.heapMb.peak} MB at most, ${m.heapMb.end} MB at the end`,
          failure: r.failure && { index: r.failure.index, input: r.failure.input, error: r.failure.error },
        });
      }
    });
    worker.on("error", (e: Error & { code?: string }) => {
      const c = current();
      const what = e.code === "ERR_WORKER_OUT_OF_MEMORY" ? `an unbounded allocation: the heap passed ${o.heapMb} MB` : "a crash";
      finish({ inputs: c.index, failure: { ...c, error: `${what} at input ${c.index}: ${e.stack ?? e.message}` } });
    });
    worker.on("exit", (code) => finish({ inputs: current().index, failure: { ...current(), error: `the worker exited (${code}) without a result` } }));
  });
}

function onXs(o: Options, target: string): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", path.join(ROOT, "hosts/node/register.mjs"), path.join(ROOT, "test/fuzz/xs-runner.ts"), target, String(o.count), String(o.seed), String(o.minutes * 60_000)], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    let lastProgress = performance.now();
    const watchdog = setInterval(() => {
      if (performance.now() - lastProgress > Math.max(o.hangSeconds * 1000, 120_000)) child.kill("SIGKILL");
    }, 1000);
    child.stdout.on("data", (d: Buffer) => {
      out += d;
      for (const m of String(d).matchAll(/^FUZZ-PROGRESS (\d+)$/gm)) {
        lastProgress = performance.now();
        process.stdout.write(`  ${target} [xs]: ${Number(m[1]).toLocaleString("en")} inputs\n`);
      }
    });
    child.on("close", () => {
      clearInterval(watchdog);
      const seconds = (performance.now() - started) / 1000;
      const line = out.split("\n").find((l) => l.startsWith("FUZZ-RESULT "));
      const m = line ? (JSON.parse(line.slice(12)) as { kind: string; index?: number; error?: string; result?: { inputs: number; made: Record<string, number>; failure?: { index: number; input: string; error: string } } }) : { kind: "crash", index: -1, error: "no result (a hang: killed after no progress)" };
      if (m.kind === "result") {
        const f = m.result!.failure;
        resolve({ target, seconds, inputs: m.result!.inputs, made: m.result!.made, failure: f && { index: f.index, input: Uint8Array.from(Buffer.from(f.input, "hex")), error: f.error } });
      } else {
        const index = m.index ?? -1;
        resolve({ target, seconds, inputs: Math.max(0, index), failure: { index, input: index >= 0 ? inputAt(target, o.seed, index) : new Uint8Array(0), error: `XS died at input ${index}: ${m.error}` } });
      }
    });
  });
}

async function replay(o: Options): Promise<void> {
  if (o.targets.length !== 1) usage("--replay takes one --target");
  const target = FUZZ_TARGETS.find((t) => t.name === o.targets[0])!;
  const input = new Uint8Array(fs.readFileSync(o.replay!));
  const subject = await target.start();
  try {
    await subject.exec(input);
    await subject.check();
    process.stdout.write(`${target.name}: the input passes (${input.length} bytes)\n`);
  } catch (e) {
    process.stdout.write(`${target.name}: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  } finally {
    await subject.stop().catch(() => {});
  }
}

const o = parse(process.argv.slice(2));
if (o.replay) {
  await replay(o);
} else if (o.device) {
  process.stdout.write(`fuzz on the device image (lin, mcsim): ${o.targets.join(", ")}; up to ${o.count.toLocaleString("en")} inputs or ${o.minutes} min each, seed ${o.seed}\n`);
  const outcomes = await fuzzDevice({ targets: o.targets, count: o.count, seed: o.seed, minutes: o.minutes });
  process.stdout.write("\n");
  for (const { target, seconds, result: r, heap } of outcomes) {
    process.stdout.write(`${r.failure ? "✖" : "✔"} ${target}: ${r.inputs.toLocaleString("en")} inputs in ${seconds.toFixed(1)} s (${Math.round(r.inputs / seconds).toLocaleString("en")}/s); ${heap}\n`);
    if (r.failure) {
      process.stdout.write(`  ${r.failure.error.split("\n").slice(0, 16).join("\n  ")}\n  input: ${printable(r.failure.input, 300)}\n  saved: ${path.relative(ROOT, save(o, { target, seconds, inputs: r.inputs, failure: r.failure }, "device"))}\n`);
    } else if (r.inputs < o.count) process.stdout.write(`  stopped at the time limit (${o.minutes} min)\n`);
  }
  process.exitCode = outcomes.some((x) => x.result.failure) ? 1 : 0;
} else {
  const engine = o.xs ? "xs" : "node";
  process.stdout.write(`fuzz on ${engine === "xs" ? "XS (xsnap)" : "Node " + process.version}: ${o.targets.join(", ")}; up to ${o.count.toLocaleString("en")} inputs or ${o.minutes} min each, seed ${o.seed}\n`);
  const queue = [...o.targets];
  const outcomes: Outcome[] = [];
  await Promise.all(
    Array.from({ length: Math.min(o.jobs, queue.length) }, async () => {
      for (let t = queue.shift(); t; t = queue.shift()) outcomes.push(await (o.xs ? onXs(o, t) : onNode(o, t)));
    }),
  );
  let failed = 0;
  process.stdout.write("\n");
  for (const r of outcomes.sort((a, b) => o.targets.indexOf(a.target) - o.targets.indexOf(b.target))) {
    const rate = Math.round(r.inputs / r.seconds);
    process.stdout.write(`${r.failure ? "✖" : "✔"} ${r.target}: ${r.inputs.toLocaleString("en")} inputs in ${r.seconds.toFixed(1)} s (${rate.toLocaleString("en")}/s)${r.made ? `; ${Object.entries(r.made).map(([k, v]) => `${v.toLocaleString("en")} ${k}`).join(", ")}` : ""}${r.heap ? `; ${r.heap}` : ""}\n`);
    if (r.failure) {
      failed++;
      process.stdout.write(`  ${r.failure.error.split("\n").slice(0, 12).join("\n  ")}\n  input: ${printable(r.failure.input, 300)}\n  saved: ${path.relative(ROOT, save(o, r, engine))}\n`);
    } else if (r.inputs < o.count) process.stdout.write(`  stopped at the time limit (${o.minutes} min)\n`);
  }
  process.exitCode = failed ? 1 : 0;
}
