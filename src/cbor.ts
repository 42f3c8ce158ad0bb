/**
 * CBOR (RFC 8949) for the Xentara packet format (xentara.md §3): the whole data model on decode,
 * preferred serialization on encode. Chosen over a library because cborg costs 25.6 KB minified
 * and needs TextEncoder/TextDecoder, which the device lacks.
 *
 * Decoding is bounded for untrusted input: nesting depth, item count, and every declared length is
 * checked against the bytes that remain before anything is allocated. Anything malformed throws a
 * CborError naming the byte offset; no other exception escapes.
 *
 * The state of the call in progress lives in module variables rather than in an object: their
 * names minify (a fifth smaller than as methods and fields) and reads are plain variable reads. No
 * caller code runs inside a call, so calls cannot interleave.
 */

import { decodeUtf8, encodeUtf8Into, utf8Length } from "./bytes.ts";

/** A CBOR data item as iobox handles it. Maps decode to Map (Xentara maps have integer keys). */
export type CborValue = number | bigint | string | boolean | null | undefined | Uint8Array | CborValue[] | Map<CborValue, CborValue> | Tagged;

/** A tagged data item (major type 6), e.g. 37(h'…') for a UUID. */
export class Tagged {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

export class CborError extends Error {}
// defined on our prototype, not assigned: a Moddable device freezes Error.prototype in ROM
Object.defineProperty(CborError.prototype, "name", { value: "CborError" });

export interface DecodeLimits {
  /** Arrays, maps and tags nested inside each other; a scalar at the top is depth 0. Default 16. */
  maxDepth: number;
  /** Array elements + map entries + tags + chunks of indefinite-length strings over the whole item. Default 4096. */
  maxItems: number;
}

const TWO53 = 2 ** 53;
const BIG_TWO53 = 1n << 53n;
const BIG_TWO64 = 1n << 64n;
const EMPTY: Uint8Array = new Uint8Array(0);
const MAX_ENCODE_DEPTH = 64;
const RESERVED = "reserved additional information";

function fail(what: string, at: number): never {
  throw new CborError(what + " at byte " + at);
}

// ---- decoding ----

let src: Uint8Array = EMPTY;
let pos = 0;
let items = 0;
let maxItems = 0;
let maxDepth = 0;
let view: DataView | undefined;

// The open arrays, maps and tags, innermost last, in parallel arrays kept between calls: decoding
// loops instead of recursing, because a level of recursion took 45 to 64 XS stack slots and the
// device has 512 for everything, and XS stops without a word when they run out.
/** An array or Map being filled, or the number of a tag waiting for its value. */
const open: (CborValue[] | Map<CborValue, CborValue> | number)[] = [];
/** Items still to come: elements, or keys + values for a map; -1 until a break. */
const left: number[] = [];
/** A map's key waiting for its value, or NO_KEY. */
const keys: unknown[] = [];
const NO_KEY = {};

/** Decodes exactly one data item that fills `bytes`. Byte strings are copies, never views of the input. */
export function decodeCbor(bytes: Uint8Array, limits?: Partial<DecodeLimits>): CborValue {
  src = bytes;
  pos = items = 0;
  view = undefined;
  maxDepth = limits?.maxDepth ?? 16;
  maxItems = limits?.maxItems ?? 4096;
  try {
    const value = decodeItem();
    if (pos !== bytes.length) fail("trailing bytes", pos);
    return value;
  } finally {
    src = EMPTY; // hold no message after the call
    view = undefined;
    open.length = left.length = keys.length = 0;
  }
}

function decodeItem(): CborValue {
  for (;;) {
    const at = pos;
    const ib = byte();
    const major = ib >> 5;
    const ai = ib & 31;
    let v: CborValue;
    if (major === 7) v = ai === 31 ? close(at) : simple(ai, at);
    else if (ai > 27 && ai < 31) return fail(RESERVED, at);
    else if (major > 3 && open.length >= maxDepth) return fail("nesting deeper than " + maxDepth, at);
    else if (ai === 31) {
      if (major === 2 || major === 3) v = chunked(major);
      else if (major === 4 || major === 5) {
        push(major === 4 ? [] : new Map(), -1);
        continue;
      } else return fail("indefinite length in major type " + major, at);
    } else {
      const n = arg(ai);
      if (major === 0) v = n;
      else if (major === 1) v = typeof n === "number" && n < TWO53 - 1 ? -1 - n : -1n - BigInt(n);
      else if (major === 6) {
        if (typeof n === "bigint" && n > BIG_TWO53) fail("tag number above 2^53", at);
        count(1, at);
        push(Number(n), 0);
        continue;
      } else {
        // a declared length is checked against what remains, so a forged one cannot make us allocate
        const len = typeof n === "number" ? n : Infinity;
        if ((major === 5 ? 2 : 1) * len > src.length - pos) fail("length " + n + " beyond the input", at);
        if (major < 4) v = string(major, len);
        else {
          count(len, at);
          const c = major === 4 ? [] : new Map<CborValue, CborValue>();
          if (len) {
            push(c, major === 4 ? len : 2 * len);
            continue;
          }
          v = c;
        }
      }
    }
    // v is whole: it goes into the innermost open item, and completes it, and so on outwards
    for (;;) {
      const top = open.length - 1;
      if (top < 0) return v;
      const c = open[top]!;
      if (typeof c === "number") v = new Tagged(c, v);
      else {
        if (left[top]! < 0 && (!(c instanceof Map) || keys[top] === NO_KEY)) count(1, at);
        if (!(c instanceof Map)) c.push(v);
        else if (keys[top] !== NO_KEY) {
          c.set(keys[top] as CborValue, v);
          keys[top] = NO_KEY;
        } else {
          // Keys compare as Map compares them: numbers, strings and bigints by value (so int 1 and
          // float 1.0 collide, as they would in the Map), byte strings, arrays, maps and tags by
          // identity, so those are never duplicates.
          if (c.has(v)) fail("duplicate map key", at);
          keys[top] = v;
        }
        if (left[top]! < 0 || --left[top]! > 0) break;
        v = c;
      }
      pop();
    }
  }
}

function push(c: CborValue[] | Map<CborValue, CborValue> | number, n: number): void {
  open.push(c);
  left.push(n);
  keys.push(NO_KEY);
}

function pop(): void {
  open.pop();
  left.pop();
  keys.pop();
}

/** A break: it ends the innermost item if that is an indefinite-length array, or map between entries. */
function close(at: number): CborValue {
  const top = open.length - 1;
  if (top < 0 || left[top] !== -1 || keys[top] !== NO_KEY) fail("break outside an indefinite-length item", at);
  const c = open[top] as CborValue;
  pop();
  return c;
}

function simple(ai: number, at: number): CborValue {
  if (ai === 20) return false;
  if (ai === 21) return true;
  if (ai === 22) return null;
  if (ai === 23) return undefined;
  if (ai === 25) {
    const h = arg(25) as number;
    const e = (h >> 10) & 31;
    const m = h & 1023;
    // powers of two by shifts, not **: exact whatever the libm
    const v = e === 0 ? m / 16777216 : e === 31 ? (m ? NaN : Infinity) : e > 24 ? (m + 1024) * (1 << (e - 25)) : (m + 1024) / (1 << (25 - e));
    return h & 0x8000 ? -v : v;
  }
  if (ai === 26 || ai === 27) {
    const size = ai === 26 ? 4 : 8;
    need(size);
    view ??= new DataView(src.buffer, src.byteOffset, src.byteLength);
    const v = size === 4 ? view.getFloat32(pos) : view.getFloat64(pos);
    pos += size;
    return v;
  }
  return fail(ai > 27 ? RESERVED : "unsupported simple value", at);
}

/** The argument of a head; a bigint only when above 2^53 - 1 (8-byte arguments). */
function arg(ai: number): number | bigint {
  if (ai < 24) return ai;
  const size = 1 << (ai - 24);
  need(size);
  const b = src;
  let p = pos;
  pos += size;
  if (size === 1) return b[p]!;
  if (size === 2) return (b[p]! << 8) | b[p + 1]!;
  const hi = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  if (size === 4) return hi;
  p += 4;
  const lo = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  return hi < 0x200000 ? hi * 0x100000000 + lo : (BigInt(hi) << 32n) | BigInt(lo);
}

function string(major: number, len: number): string | Uint8Array {
  const start = pos;
  pos += len;
  // not slice(): on a subclass such as Node's Buffer it makes that class, and Buffer's is a view
  if (major === 2) return new Uint8Array(src.subarray(start, pos));
  try {
    return decodeUtf8(src, start, pos, true);
  } catch {
    return fail("invalid UTF-8", start);
  }
}

/**
 * An indefinite-length string: each chunk must be a definite string of the same major type
 * (RFC 8949 §3.2.3), and each text chunk valid UTF-8 alone, since a character may not span two.
 * Byte chunks are measured first and then copied, so no list of chunks is built.
 */
function chunked(major: number): string | Uint8Array {
  const first = pos;
  let text = "";
  let total = 0;
  while (!isBreak()) {
    const at = pos;
    const ib = byte();
    if (ib >> 5 !== major || (ib & 31) > 27) fail("bad chunk in an indefinite-length string", at);
    count(1, at);
    const n = arg(ib & 31);
    if (typeof n !== "number" || n > src.length - pos) fail("length " + n + " beyond the input", at);
    if (major === 3) text += string(3, n) as string;
    else pos += n;
    total += n;
  }
  if (major === 3) return text;
  const end = pos;
  const out = new Uint8Array(total);
  let o = 0;
  pos = first;
  while (pos < end - 1) {
    const n = arg(byte() & 31) as number;
    out.set(src.subarray(pos, pos + n), o);
    o += n;
    pos += n;
  }
  pos = end;
  return out;
}

/** Consumes the break (0xff) that ends an indefinite-length item, if it is next. */
function isBreak(): boolean {
  if (byte() === 0xff) return true;
  pos--;
  return false;
}

function count(n: number, at: number): void {
  if ((items += n) > maxItems) fail("more than " + maxItems + " items", at);
}

function byte(): number {
  need(1);
  return src[pos++]!;
}

function need(n: number): void {
  if (pos + n > src.length) fail("input ends inside an item", src.length);
}

// ---- encoding ----

let out: Uint8Array = EMPTY;
let o = 0;
let outView: DataView | undefined;
// What remains to be written, next last, with each value's depth: a loop, not recursion, for the
// same reason as in decoding.
const todo: CborValue[] = [];
const depths: number[] = [];
let pairDepth = 0;

/** Encodes into a fresh array of exactly the item's size. */
export function encodeCbor(value: CborValue): Uint8Array {
  return new CborEncoder(64).encode(value).slice();
}

/**
 * Preferred serialization (shortest heads, RFC 8949 §4.2.1), except that finite non-integers are
 * always float64, which needs no code to search for a shorter exact form (NaN, ±Infinity and -0
 * take half precision). Maps keep their insertion order. Integers are numbers within ±2^53 and
 * bigints within 64 bits; a larger integral number (1e300) is a float64, which holds it exactly.
 * A string with a lone surrogate is written with U+FFFD in its place, as encodeUtf8Into does.
 */
export class CborEncoder {
  private buf: Uint8Array;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
  }

  /** Encodes into a reused growable buffer; the returned view is valid until the next call on the same encoder. */
  encode(value: CborValue): Uint8Array {
    out = this.buf;
    o = 0;
    outView = undefined;
    todo.push(value);
    depths.push(0);
    try {
      while (todo.length) put(todo.pop(), depths.pop()!);
      return out.subarray(0, o);
    } finally {
      this.buf = out; // keeps any growth for the next call
      out = EMPTY;
      outView = undefined;
      todo.length = depths.length = 0;
    }
  }
}

function put(v: CborValue, depth: number): void {
  if (typeof v === "number") return number(v);
  if (typeof v === "bigint") return bigint(v);
  if (typeof v === "string") {
    const n = utf8Length(v);
    head(3, n);
    room(n);
    o = encodeUtf8Into(v, out, o);
    return;
  }
  if (typeof v === "boolean") return simpleOut(v ? 0xf5 : 0xf4);
  if (v === null) return simpleOut(0xf6);
  if (v === undefined) return simpleOut(0xf7);
  if (v instanceof Uint8Array) {
    head(2, v.length);
    room(v.length);
    out.set(v, o);
    o += v.length;
    return;
  }
  // only a cyclic value gets this deep: the limit turns it into an error
  if (depth >= MAX_ENCODE_DEPTH) throw new CborError("value nested deeper than " + MAX_ENCODE_DEPTH);
  if (Array.isArray(v)) {
    head(4, v.length);
    for (let i = v.length - 1; i >= 0; i--) later(v[i], depth + 1);
  } else if (v instanceof Map) {
    head(5, v.size);
    const first = todo.length;
    pairDepth = depth + 1;
    v.forEach(pair); // no [key, value] array per entry, as for...of would make
    // pushed in order, so reversed to come off the end in order
    for (let i = first, j = todo.length - 1; i < j; i++, j--) {
      const t = todo[i];
      todo[i] = todo[j];
      todo[j] = t;
    }
  } else if (v instanceof Tagged) {
    const tag = v.tag;
    if (!(Number.isInteger(tag) && tag >= 0 && tag <= TWO53)) throw new CborError("tag " + tag + " is not an integer from 0 to 2^53");
    head(6, tag);
    later(v.value, depth + 1);
  } else {
    const proto: unknown = typeof v === "object" ? Object.getPrototypeOf(v) : undefined;
    if (proto === Object.prototype || proto === null) throw new CborError("cannot encode a plain object: use a Map (Xentara needs integer keys)");
    throw new CborError("cannot encode " + (typeof v === "object" ? (v as object).constructor.name : typeof v));
  }
}

function later(v: CborValue, depth: number): void {
  todo.push(v);
  depths.push(depth);
}

function pair(value: CborValue, key: CborValue): void {
  later(key, pairDepth);
  later(value, pairDepth);
}

function number(v: number): void {
  if (Number.isInteger(v) && v <= TWO53 && v >= -TWO53 && !Object.is(v, -0)) return v < 0 ? head(1, -1 - v) : head(0, v);
  room(9);
  if (v !== v || v === Infinity || v === -Infinity || v === 0) {
    // exact in half precision, so the preferred form is 3 bytes (RFC 8949 Appendix A: f97e00 …)
    out[o++] = 0xf9;
    out[o++] = v !== v ? 0x7e : v === Infinity ? 0x7c : v === 0 ? 0x80 : 0xfc;
    out[o++] = 0;
    return;
  }
  out[o] = 0xfb;
  (outView ??= new DataView(out.buffer, out.byteOffset)).setFloat64(o + 1, v);
  o += 9;
}

function bigint(v: bigint): void {
  const neg = v < 0n;
  const n = neg ? -1n - v : v;
  if (n >= BIG_TWO64) throw new CborError("bigint " + v + " beyond 64 bits");
  if (n < BIG_TWO53) return head(neg ? 1 : 0, Number(n));
  room(9);
  out[o++] = neg ? 0x3b : 0x1b;
  u32(Number(n >> 32n));
  u32(Number(n & 0xffffffffn));
}

/** A head with the shortest argument (RFC 8949 §4.2.1); `n` is an integer from 0 to 2^53. */
function head(major: number, n: number): void {
  room(9);
  const m = major << 5;
  if (n < 24) out[o++] = m | n;
  else if (n < 0x100) {
    out[o++] = m | 24;
    out[o++] = n;
  } else if (n < 0x10000) {
    out[o++] = m | 25;
    out[o++] = n >> 8;
    out[o++] = n & 0xff;
  } else if (n < 0x100000000) {
    out[o++] = m | 26;
    u32(n);
  } else {
    out[o++] = m | 27;
    u32(Math.floor(n / 0x100000000));
    u32(n >>> 0);
  }
}

function u32(n: number): void {
  out[o++] = n >>> 24;
  out[o++] = (n >> 16) & 0xff;
  out[o++] = (n >> 8) & 0xff;
  out[o++] = n & 0xff;
}

function simpleOut(b: number): void {
  room(1);
  out[o++] = b;
}

function room(n: number): void {
  if (o + n <= out.length) return;
  const grown = new Uint8Array(Math.max(out.length * 2, o + n));
  grown.set(out.subarray(0, o));
  out = grown;
  outView = undefined;
}
