/**
 * hosts/shims against what they stand in for: the Buffer shim against Node's Buffer and the bl shim
 * against bl's BufferList, call for call, on the surface mqtt-packet uses. (mqtt-codec runs the shims
 * on XS, but through whole packets only: a byte list of several chunks is exercised here.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { Buffer as Shim } from "../../hosts/shims/buffer.ts";
import bl from "../../hosts/shims/bl.ts";
import debug from "../../hosts/shims/debug.ts";
import { EventEmitter } from "../../hosts/shims/events.ts";
import { nextTick } from "../../hosts/shims/process-nextick-args.ts";
import { Prng } from "../../sim/prng.ts";

const require = createRequire(import.meta.url);
const RealBufferList = require("bl/BufferList.js") as (bytes?: Uint8Array) => {
  length: number;
  append(b: Uint8Array): unknown;
  consume(n: number): unknown;
  slice(start?: number, end?: number): Buffer;
  toString(encoding?: string, start?: number, end?: number): string;
  readUInt8(offset: number): number;
  readUInt16BE(offset: number): number;
  readUInt32BE(offset: number): number;
};

/** Bytes as an array and errors as their kind (Node's own errors are subclasses with codes). */
function outcome(fn: () => unknown): unknown {
  try {
    const v = fn();
    return v instanceof Uint8Array ? [...v] : v;
  } catch (e) {
    return e instanceof RangeError ? "RangeError" : e instanceof TypeError ? "TypeError" : "Error";
  }
}

/** The same call on both gives the same value or the same kind of error. */
function same(shim: () => unknown, node: () => unknown, what: string): void {
  assert.deepEqual(outcome(shim), outcome(node), what);
}

const TEXTS = ["", "MQTT", "iobox/état/✓", "😀 pair", "lone \ud800 high", "lone \udc00 low", "\u0000\u007f\u0080\u07ff\u0800\uffff", "x".repeat(300)];

test("from, alloc, allocUnsafe, byteLength, isBuffer and concat behave as Node's", () => {
  for (const t of TEXTS) {
    same(() => Shim.from(t), () => Buffer.from(t), "from " + JSON.stringify(t));
    same(() => Shim.byteLength(t), () => Buffer.byteLength(t), "byteLength " + JSON.stringify(t));
  }
  same(() => Shim.from([1, 255, 256, -1, 0x1ff]), () => Buffer.from([1, 255, 256, -1, 0x1ff]), "from an array");
  same(() => Shim.byteLength(new Uint8Array(7)), () => Buffer.byteLength(new Uint8Array(7)), "byteLength of bytes");
  assert.throws(() => Shim.from("ab", "hex"), TypeError, "another encoding is refused, not misread");

  const array = new Uint8Array([1, 2, 3, 4, 5]);
  const copy = Shim.from(array);
  const view = Shim.from(array.buffer, 1, 3);
  array[2] = 99;
  assert.deepEqual([...copy], [1, 2, 3, 4, 5], "from(bytes) copies");
  assert.deepEqual([...view], [2, 99, 4], "from(ArrayBuffer, offset, length) views");
  assert.deepEqual([...Shim.from(array.buffer, 3)], [4, 5]);
  assert.throws(() => Shim.from(array.buffer, 4, 2), RangeError);
  assert.throws(() => Buffer.from(array.buffer, 4, 2), RangeError);

  assert.equal(Shim.alloc(3).length, 3);
  assert.deepEqual([...Shim.allocUnsafe(2)], [0, 0]);
  assert.ok(Shim.isBuffer(Shim.alloc(1)));
  assert.ok(!Shim.isBuffer(new Uint8Array(1)));
  assert.ok(!Shim.isBuffer("x"));

  const parts = [new Uint8Array([1, 2]), Shim.from([3]), new Uint8Array(0), Shim.from([4, 5, 6])];
  for (const total of [undefined, 0, 3, 6, 9]) {
    same(() => Shim.concat(parts, total), () => Buffer.concat(parts, total), "concat " + total);
    assert.ok(Shim.concat(parts, total) instanceof Shim);
  }
});

test("write, writeUInt8 and writeUInt32BE behave as Node's, bounds included", () => {
  for (const t of TEXTS) {
    for (const [size, offset] of [
      [400, 0],
      [400, 5],
      [3, 0],
      [5, 1],
      [6, 0],
    ] as const) {
      same(
        () => {
          const b = Shim.alloc(size);
          return [b.write(t, offset), ...b];
        },
        () => {
          const b = Buffer.alloc(size);
          return [b.write(t, offset), ...b];
        },
        `write ${JSON.stringify(t.slice(0, 20))} into ${size} at ${offset}`,
      );
    }
  }
  const cases: ["writeUInt8" | "writeUInt32BE", number, number][] = [
    ["writeUInt8", 0, 0],
    ["writeUInt8", 255, 3],
    ["writeUInt8", 256, 0],
    ["writeUInt8", -1, 0],
    ["writeUInt8", 1, 4],
    ["writeUInt32BE", 0xfedcba98, 0],
    ["writeUInt32BE", 0xffffffff, 0],
    ["writeUInt32BE", 1, 1],
    ["writeUInt32BE", 2 ** 32, 0],
  ];
  for (const [method, value, offset] of cases) {
    same(
      () => {
        const b = Shim.alloc(4);
        return [b[method](value, offset), ...b];
      },
      () => {
        const b = Buffer.alloc(4);
        return [b[method](value, offset), ...b];
      },
      `${method}(${value}, ${offset})`,
    );
  }
});

test("copy, slice (a view, and a Buffer), subarray and toString behave as Node's", () => {
  const source = [10, 11, 12, 13, 14, 15];
  for (const [targetStart, sourceStart, sourceEnd] of [
    [0, 0, 6],
    [2, 0, 6],
    [0, 2, 4],
    [3, 1, undefined],
    [4, 0, 6],
    [7, 0, 6],
    [0, 5, 2],
    [0, 0, 60],
  ] as const) {
    same(
      () => {
        const t = new Uint8Array(5);
        return [Shim.from(source).copy(t, targetStart, sourceStart, sourceEnd), ...t];
      },
      () => {
        const t = new Uint8Array(5);
        return [Buffer.from(source).copy(t, targetStart, sourceStart, sourceEnd), ...t];
      },
      `copy(${targetStart}, ${sourceStart}, ${sourceEnd})`,
    );
  }
  for (const [start, end] of [
    [undefined, undefined],
    [1, 3],
    [-2, undefined],
    [2, -1],
    [4, 2],
    [0, 99],
  ] as const) {
    same(() => Shim.from(source).slice(start, end), () => Buffer.from(source).slice(start, end), `slice(${start}, ${end})`);
  }
  const b = Shim.from(source);
  const s = b.slice(1, 3);
  const sub = b.subarray(2);
  b[1] = 99;
  assert.equal(s[0], 99, "slice is a view, as in Node");
  assert.ok(s instanceof Shim && sub instanceof Shim && Shim.isBuffer(sub), "slice and subarray give Buffers (species)");

  const texts = [...TEXTS, "\u00e9"].map((t) => Buffer.from(t));
  const invalid = [[0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xff, 0x41], [0xf4, 0x90, 0x80, 0x80]].map((a) => Buffer.from(a));
  for (const t of [...texts, ...invalid]) {
    for (const [start, end] of [
      [undefined, undefined],
      [0, t.length],
      [1, t.length],
      [0, t.length - 1],
      [-5, 100],
      [3, 1],
    ] as const) {
      same(() => Shim.from(t).toString("utf8", start, end), () => t.toString("utf8", start, end), `toString of ${t.toString("hex")} (${start}, ${end})`);
    }
    same(() => Shim.from(t).toString(), () => t.toString(), "toString() of " + t.toString("hex"));
  }
  assert.throws(() => Shim.from("x").toString("hex"), TypeError);
});

test("the byte list reads, slices and consumes as bl's BufferList does, across any chunking", () => {
  const prng = new Prng(1883);
  const data = new Uint8Array(300);
  prng.fill(data);
  data.set(Buffer.from("grüße ✓ 😀 topic/ü"), 40); // some UTF-8 to decode across chunk edges
  for (let round = 0; round < 60; round++) {
    const shim = bl();
    const real = RealBufferList();
    for (let at = 0; at < data.length; ) {
      const n = Math.min(1 + prng.below(round % 2 ? 8 : 90), data.length - at);
      const chunk = new Uint8Array(data.subarray(at, at + n)); // its own bytes, as PacketReader's
      shim.append(chunk);
      real.append(chunk);
      at += n;
    }
    for (let op = 0; op < 40; op++) {
      const len = real.length;
      const a = prng.below(len + 8) - 4;
      const b = prng.below(len + 8) - 4;
      const at = Math.max(a, 0); // bl reads at a negative offset from the end; the parser never asks
      const what = `round ${round} op ${op} (${a}, ${b}) of ${len}`;
      assert.equal(shim.length, len, what);
      same(() => shim.slice(a, b), () => real.slice(a, b), "slice " + what);
      same(() => shim.slice(a), () => real.slice(a), "slice from " + what);
      same(() => shim.slice(), () => real.slice(), "slice all " + what);
      same(() => shim.toString("utf8", a, b), () => real.toString("utf8", a, b), "toString " + what);
      for (const m of ["readUInt8", "readUInt16BE", "readUInt32BE"] as const) same(() => shim[m](at), () => real[m](at), m + " " + what);
      if (op % 5 === 4) {
        const n = prng.below(30);
        shim.consume(n);
        real.consume(n);
      }
    }
  }
  const list = bl();
  list.append(new Uint8Array([1, 2, 3]));
  assert.ok(list.slice(1) instanceof Shim && list.slice(0, 3) instanceof Shim);
  assert.throws(() => list.append("text" as unknown as Uint8Array), TypeError);
});

test("the emitter, nextTick and debug do what mqtt-packet needs of them", async () => {
  class Child extends EventEmitter {
    // a subclass's own fields must not meet the emitter's
    _events = "mine";
  }
  const e = new Child();
  const seen: unknown[] = [];
  assert.equal(e.emit("packet", 1), false);
  e.on("packet", function (this: unknown, ...args: unknown[]) {
    seen.push(this === e, ...args);
    e.on("packet", () => seen.push("added during emit"));
  });
  assert.equal(e.emit("packet", 1, 2), true);
  assert.deepEqual(seen.slice(), [true, 1, 2]);
  assert.equal(e._events, "mine");
  const boom = new Error("boom");
  assert.throws(() => e.emit("error", boom), (x) => x === boom);
  e.on("error", (x) => seen.push(x));
  assert.equal(e.emit("error", boom), true);
  assert.equal(seen.at(-1), boom);

  const order: string[] = [];
  nextTick((a: string, b: string) => order.push(a + b), "x", "y");
  order.push("sync");
  await Promise.resolve();
  assert.deepEqual(order, ["sync", "xy"]);

  const log = debug("mqtt-packet:parser");
  assert.equal(log("%o", { a: 1 }), undefined);
});
