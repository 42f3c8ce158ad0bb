/**
 * src/cbor.ts against cborg as an oracle: random values from a seed must encode to cborg's bytes,
 * and each side must decode the other's bytes to the same value.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cborg from "cborg";
import { Prng } from "../../sim/prng.ts";
import { toHex } from "../../src/bytes.ts";
import { CborEncoder, decodeCbor, encodeCbor, Tagged, type CborValue } from "../../src/cbor.ts";

const TAGS = [37, 121, 122, 1001, 4];
// cborg's defaults sort map keys and shorten floats; ours keep insertion order and write float64
const ENCODE: cborg.EncodeOptions = { float64: true, mapSorter: undefined };
const DECODE: cborg.DecodeOptions = { useMaps: true, rejectDuplicateMapKeys: true, tags: cborg.Tagged.preserve(...TAGS) };

/** Our value as cborg's: only the tag class differs. */
function toCborg(v: CborValue): unknown {
  if (v instanceof Tagged) return new cborg.Tagged(v.tag, toCborg(v.value));
  if (Array.isArray(v)) return v.map(toCborg);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [toCborg(k), toCborg(x)]));
  return v;
}

/** cborg's decoded value as ours; its byte strings may be Buffers or views of the input. */
function fromCborg(v: unknown): CborValue {
  if (v instanceof cborg.Tagged) return new Tagged(v.tag, fromCborg(v.value));
  if (Array.isArray(v)) return v.map(fromCborg);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [fromCborg(k), fromCborg(x)]));
  if (v instanceof Uint8Array) return new Uint8Array(v);
  return v as CborValue;
}

class Values {
  private readonly prng: Prng;
  private readonly f64 = new DataView(new ArrayBuffer(8));

  constructor(seed: number) {
    this.prng = new Prng(seed);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[this.prng.below(xs.length)]!;
  }

  /** Integers for every head size, the boundaries on both sides of each, and integral doubles beyond 2^53. */
  integer(): number | bigint {
    const v = this.anyInteger();
    // -0 is a float to us and the integer 0 to cborg; -2^53 is a float to cborg: see the test below
    return Object.is(v, -0) ? 0 : typeof v === "number" && Math.abs(v) === 2 ** 53 ? BigInt(v) : v;
  }

  private anyInteger(): number | bigint {
    const p = this.prng;
    const edges = [0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];
    switch (p.below(6)) {
      case 0:
        return this.pick(edges) * (p.below(2) ? 1 : -1) - p.below(2); // also -1 - edge: the negative head's boundary
      case 1:
        return p.below(24) - p.below(25);
      case 2:
        return (p.next32() % 2 ** (1 + p.below(32))) * (p.below(2) ? 1 : -1);
      case 3:
        return (p.next32() * 2 ** 21 + (p.next32() >>> 11)) * (p.below(2) ? 1 : -1); // up to 2^53 - 1
      case 4: {
        // a bigint outside the safe range, up to 64 bits: decoders return these as bigints
        const edgesBig = [2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];
        const n = p.below(2) ? this.pick(edgesBig) : 2n ** 53n + ((BigInt(p.next32()) << 32n) | BigInt(p.next32())) % (2n ** 64n - 2n ** 53n);
        return p.below(2) ? n : -1n - n + (p.below(4) ? 0n : 1n);
      }
      default:
        return 2 ** (54 + p.below(900)) * (1 + p.below(1000) / 1024) * (p.below(2) ? 1 : -1);
    }
  }

  /** A finite double that is not an integer, from random bits. */
  float(): number {
    for (;;) {
      this.f64.setUint32(0, this.prng.next32());
      this.f64.setUint32(4, this.prng.next32());
      const v = this.prng.below(2) ? this.f64.getFloat64(0) : this.prng.next32() / 1024 - 2 ** 21;
      if (Number.isFinite(v) && !Number.isInteger(v)) return v;
    }
  }

  /** ASCII, 2-byte, 3-byte (no surrogates) and astral characters, sometimes long enough for a 2-byte head. */
  text(): string {
    const p = this.prng;
    let s = "";
    for (let n = p.below(8) ? p.below(30) : 200 + p.below(200); n > 0; n--) {
      const kind = p.below(4);
      s += String.fromCodePoint(kind === 0 ? 0x20 + p.below(0x5f) : kind === 1 ? 0x80 + p.below(0x780) : kind === 2 ? [0x800 + p.below(0xd000), 0xe000 + p.below(0x2000)][p.below(2)]! : 0x10000 + p.below(0x100000));
    }
    return s;
  }

  bytes(n = this.prng.below(8) ? this.prng.below(40) : 256 + this.prng.below(300)): Uint8Array {
    const b = new Uint8Array(n);
    this.prng.fill(b);
    return b;
  }

  /** Xentara's tags as they appear in xentara.md §3.3, and each tag around any value. */
  tagged(depth: number): Tagged {
    const p = this.prng;
    switch (p.below(6)) {
      case 0:
        return new Tagged(37, this.bytes(16));
      case 1:
        return new Tagged(1001, new Map<CborValue, CborValue>([[4, new Tagged(4, [-3, 1704107471111 + p.below(1e9)])]]));
      case 2:
        return new Tagged(1001, new Map<CborValue, CborValue>([[4, new Tagged(4, [-9, 1704107471111587983n + BigInt(p.next32())])]]));
      case 3:
        return new Tagged(122, new Map<CborValue, CborValue>([[0, -32101 - p.below(12)], [1, this.text()]]));
      default:
        return new Tagged(this.pick(TAGS), this.value(depth + 1));
    }
  }

  value(depth = 0): CborValue {
    const p = this.prng;
    switch (p.below(depth > 4 ? 7 : 10)) {
      case 0:
      case 1:
        return this.integer();
      case 2:
        return this.float();
      case 3:
        return this.text();
      case 4:
        return this.bytes();
      case 5:
        return this.pick([true, false, null, undefined]);
      case 6:
        return this.tagged(depth);
      case 7: {
        const a: CborValue[] = [];
        for (let n = p.below(8) ? p.below(6) : 24 + p.below(10); n > 0; n--) a.push(this.value(depth + 1));
        return a;
      }
      default: {
        // Xentara's maps have small integer keys; text keys and larger integers too
        const m = new Map<CborValue, CborValue>();
        for (let n = p.below(8) ? p.below(6) : 24 + p.below(10); n > 0; n--) {
          const key = p.below(3) === 0 ? this.text() : p.below(2) ? p.below(30) : this.integer();
          m.set(key, this.value(depth + 1));
        }
        return m;
      }
    }
  }
}

test("random values: our encoding is cborg's, and each decodes the other's bytes to the same value", () => {
  const values = new Values(0x8949);
  const reused = new CborEncoder(16);
  let total = 0;
  for (let i = 0; i < 3000; i++) {
    const value = values.value();
    const ours = encodeCbor(value);
    const theirs = cborg.encode(toCborg(value), ENCODE);
    assert.equal(toHex(ours), toHex(theirs), "encoding #" + i);
    assert.equal(toHex(reused.encode(value)), toHex(ours), "the reused encoder, #" + i);
    assert.deepStrictEqual(fromCborg(cborg.decode(ours, DECODE)), value, "cborg decoding ours, #" + i);
    assert.deepStrictEqual(decodeCbor(theirs, { maxItems: 1e6, maxDepth: 64 }), value, "decoding cborg's, #" + i);
    total += ours.length;
  }
  assert.ok(total > 100_000, "the values were not trivial: " + total + " bytes");
});

test("where the preferred forms differ: NaN, ±Infinity, -0, ±2^53 and safe-range bigints decode the same on both sides", () => {
  // ours: half-precision NaN/Infinity/-0 and an integer head for ±2^53; cborg (float64: true): float64 for
  // all of them except -0, which it writes as the integer 0, and a safe-range bigint comes back a number
  const cases: [CborValue, unknown][] = [
    [NaN, NaN],
    [Infinity, Infinity],
    [-Infinity, -Infinity],
    [-0, -0],
    [2 ** 53, 2n ** 53n],
    [-(2 ** 53), -(2n ** 53n)],
    [5n, 5],
  ];
  for (const [value, decoded] of cases) {
    const ours = encodeCbor(value);
    assert.deepStrictEqual(cborg.decode(ours, DECODE), decoded, "cborg decoding our " + toHex(ours));
    const theirs = cborg.encode(value, ENCODE);
    assert.deepStrictEqual(decodeCbor(theirs), typeof decoded === "bigint" || Object.is(value, -0) ? cborg.decode(theirs, DECODE) : decoded, "decoding cborg's " + toHex(theirs));
  }
  assert.equal(toHex(cborg.encode(-0, ENCODE)), "00");
  assert.equal(toHex(encodeCbor(-0)), "f98000");
});

test("cborg's shortest floats (its default) decode to the same numbers", () => {
  const values = new Values(42);
  for (let i = 0; i < 2000; i++) {
    const n = values.integer();
    const v = i % 4 === 0 && typeof n === "number" ? n / 8 : values.float();
    const theirs = cborg.encode(v);
    assert.ok(Object.is(decodeCbor(theirs), v), toHex(theirs));
  }
  for (const h of ["f93e00", "f90001", "f97bff", "fa47c35000", "fa7f7fffff"]) {
    const bytes = Uint8Array.from(Buffer.from(h, "hex"));
    assert.ok(Object.is(decodeCbor(bytes), cborg.decode(bytes)), h);
  }
});
