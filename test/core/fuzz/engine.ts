/**
 * The fuzzer: feeds a target mutated seeds, generated inputs and random bytes, one at a time, and
 * stops at the first input that breaks one of the target's rules. Deterministic: the same target,
 * seed and count give the same inputs on every engine. Portable (Node and XS); the watchdog for a
 * hang and the heap figures are the Node runner's (test/fuzz/run.ts).
 */
import { Prng } from "../../../sim/prng.ts";

/** One kind of input to one part of the unit. */
export interface FuzzTarget {
  readonly name: string;
  /** Inputs that reach deep: the mutator starts from them (test/core/fuzz/corpus.ts). */
  readonly seeds: readonly Uint8Array[];
  /** Tokens the mutator inserts or overwrites with: the parser's own syntax. */
  readonly dictionary: readonly Uint8Array[];
  /** The longest input it is given. */
  readonly maxLength: number;
  /** Makes an input from nothing (structure a byte mutator would rarely find). */
  generate?(prng: Prng): Uint8Array;
  /** A fresh subject: a booted device, a parser. */
  start(): Promise<FuzzSubject>;
}

/** What a target's input goes into. */
export interface FuzzSubject {
  /** Runs one input. Throws FuzzFinding when a rule is broken; anything else it throws is a crash. */
  exec(input: Uint8Array): Promise<void>;
  /** Rules about the state left behind (nothing held, nothing moved), checked every so often. */
  check(): Promise<void>;
  stop(): Promise<void>;
}

/** A broken rule (as opposed to a crash: any other exception). */
export class FuzzFinding extends Error {}
Object.defineProperty(FuzzFinding.prototype, "name", { value: "FuzzFinding" });

export interface FuzzOptions {
  /** Inputs to run. */
  count: number;
  /** Seeds the input generator. */
  seed?: number;
  /** `check` runs after this many inputs (and at the end). */
  checkEvery?: number;
  /** A fresh subject after this many inputs, so that state a long run builds up is bounded too. */
  restartEvery?: number;
  /** Called before each input is run: the Node runner keeps it for its hang watchdog. */
  onInput?(input: Uint8Array, index: number): void;
  /** Asked before each input: true ends the run early (a time limit). */
  stopNow?(): boolean;
  /** Called every `progressEvery` inputs. */
  onProgress?(done: number): void;
  progressEvery?: number;
}

export interface FuzzResult {
  target: string;
  inputs: number;
  /** Inputs by how they were made. */
  made: { seed: number; mutated: number; generated: number; random: number };
  /** The first input that failed, and why; undefined when every input passed. */
  failure?: { index: number; input: Uint8Array; error: string; crash: boolean };
}

export async function fuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzResult> {
  const mutator = new Mutator(target, options.seed ?? 1);
  const checkEvery = options.checkEvery ?? 1000;
  const restartEvery = options.restartEvery ?? 20_000;
  const result: FuzzResult = { target: target.name, inputs: 0, made: { seed: 0, mutated: 0, generated: 0, random: 0 } };
  let subject = await target.start();
  let input: Uint8Array = new Uint8Array(0);
  try {
    for (let i = 0; i < options.count && !options.stopNow?.(); i++) {
      input = mutator.next();
      result.made[mutator.lastKind]++;
      options.onInput?.(input, i);
      await subject.exec(input);
      result.inputs = i + 1;
      if (result.inputs % checkEvery === 0) await subject.check();
      if (options.progressEvery && result.inputs % options.progressEvery === 0) options.onProgress?.(result.inputs);
      if (result.inputs % restartEvery === 0 && result.inputs < options.count) {
        await subject.stop();
        subject = await target.start();
      }
    }
    await subject.check();
    await subject.stop();
  } catch (e) {
    const error = e instanceof Error ? `${e.name}: ${e.message}${e instanceof FuzzFinding ? "" : "\n" + (e.stack ?? "")}` : String(e);
    result.failure = { index: result.inputs, input, error, crash: !(e instanceof FuzzFinding) };
    await subject.stop().catch(() => {});
  }
  return result;
}

/** Bytes that often matter to parsers: limits of signed and unsigned types, delimiters, zero. */
const INTERESTING = [0x00, 0x01, 0x0a, 0x0d, 0x20, 0x22, 0x25, 0x2c, 0x2f, 0x30, 0x39, 0x3a, 0x5b, 0x5c, 0x5d, 0x7b, 0x7d, 0x7e, 0x7f, 0x80, 0xbf, 0xc0, 0xf5, 0xfe, 0xff];

/** Makes the inputs: mostly seeds with a few mutations stacked, some generated, a few random. */
export class Mutator {
  private readonly prng: Prng;
  lastKind: "seed" | "mutated" | "generated" | "random" = "seed";
  private seedsGiven = 0;

  constructor(
    private readonly target: FuzzTarget,
    seed: number,
  ) {
    this.prng = new Prng(seed);
  }

  next(): Uint8Array {
    const t = this.target;
    const p = this.prng;
    // every seed once, as it is: the corpus must pass before anything else means much
    if (this.seedsGiven < t.seeds.length) {
      this.lastKind = "seed";
      return t.seeds[this.seedsGiven++]!.slice();
    }
    const roll = p.below(100);
    if (roll < 3) {
      this.lastKind = "random";
      const bytes = new Uint8Array(p.below(Math.min(t.maxLength, 512)) + 1);
      p.fill(bytes);
      return bytes;
    }
    let base: Uint8Array;
    if (t.generate && roll < 30) {
      base = t.generate(p);
      if (p.below(2)) {
        this.lastKind = "generated";
        return base.length > t.maxLength ? base.subarray(0, t.maxLength) : base;
      }
    } else base = t.seeds[p.below(t.seeds.length)]!;
    this.lastKind = "mutated";
    let bytes: Uint8Array = base.slice();
    const stack = 1 + p.below(p.below(2) ? 3 : 8);
    for (let i = 0; i < stack; i++) bytes = this.mutate(bytes);
    return bytes.length > t.maxLength ? bytes.subarray(0, t.maxLength) : bytes;
  }

  private mutate(b: Uint8Array): Uint8Array {
    const p = this.prng;
    const t = this.target;
    const at = (extra = 0): number => p.below(b.length + extra);
    const word = (): Uint8Array => t.dictionary[p.below(t.dictionary.length)]!;
    switch (p.below(11)) {
      case 0: // flip a bit
        if (b.length) b[at()]! ^= 1 << p.below(8);
        return b;
      case 1: // an interesting byte
        if (b.length) b[at()] = INTERESTING[p.below(INTERESTING.length)]!;
        return b;
      case 2: // a random byte
        if (b.length) b[at()] = p.below(256);
        return b;
      case 3: // insert a token
        return splice(b, at(1), 0, word());
      case 4: {
        // overwrite with a token
        const w = word();
        const i = at(1);
        return splice(b, i, Math.min(w.length, b.length - i), w);
      }
      case 5: {
        // delete a run
        if (!b.length) return b;
        const from = at();
        return splice(b, from, 1 + p.below(Math.min(32, b.length - from)), new Uint8Array(0));
      }
      case 6: {
        // repeat a short run many times: depth, length and count limits
        if (!b.length) return b;
        const from = at();
        const run = b.subarray(from, from + 1 + p.below(Math.min(8, b.length - from)));
        const times = 2 + p.below(p.below(4) ? 16 : 4000);
        const out = new Uint8Array(Math.min(t.maxLength, run.length * times));
        for (let i = 0; i < out.length; i++) out[i] = run[i % run.length]!;
        return splice(b, from, 0, out);
      }
      case 7: {
        // splice in part of another seed
        const other = t.seeds[p.below(t.seeds.length)]!;
        if (!other.length) return b;
        const from = p.below(other.length);
        return splice(b, at(1), 0, other.subarray(from, from + 1 + p.below(other.length - from)));
      }
      case 8: // cut the end off
        return b.subarray(0, at(1)).slice();
      case 9: {
        // change a number: ASCII digits become an extreme
        for (let tries = 0; tries < 8 && b.length; tries++) {
          const i = at();
          if (b[i]! < 0x30 || b[i]! > 0x39) continue;
          let end = i;
          while (end < b.length && b[end]! >= 0x30 && b[end]! <= 0x39) end++;
          return splice(b, i, end - i, ascii(NUMBERS[p.below(NUMBERS.length)]!));
        }
        return b;
      }
      default: {
        // insert random bytes
        const r = new Uint8Array(1 + p.below(16));
        p.fill(r);
        return splice(b, at(1), 0, r);
      }
    }
  }
}

const NUMBERS = ["0", "-1", "1", "255", "256", "65535", "65536", "4294967295", "4294967296", "9007199254740993", "1e308", "1e400", "-0", "0.5", "NaN", "99999999999999999999"];

function splice(b: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at), 0);
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

/** Latin-1 text as bytes (corpus and dictionary entries are written as text). */
export function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** An input as it can be read in a report: printable ASCII kept, the rest escaped. */
export function printable(input: Uint8Array, max = 400): string {
  let s = "";
  for (let i = 0; i < input.length && s.length < max; i++) {
    const c = input[i]!;
    s += c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : c === 0x0d ? "\\r" : c === 0x0a ? "\\n" : "\\x" + (c < 16 ? "0" : "") + c.toString(16);
  }
  return input.length > max ? s + `… (${input.length} bytes)` : s;
}
