import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { Prng } from "../../sim/prng.ts";
import { fromHex, toHex } from "../../src/bytes.ts";
import { CborEncoder, CborError, decodeCbor, encodeCbor, Tagged, type CborValue } from "../../src/cbor.ts";

const map = (...entries: [CborValue, CborValue][]): Map<CborValue, CborValue> => new Map(entries);
const hex = (value: CborValue): string => toHex(encodeCbor(value));
const decodeHex = (h: string): CborValue => decodeCbor(fromHex(h));
const bytes = (h: string): Uint8Array => fromHex(h);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function refused(h: string, pattern: RegExp, limits?: { maxDepth?: number; maxItems?: number }): void {
  assert.throws(() => decodeCbor(fromHex(h), limits), (e) => e instanceof CborError && e.name === "CborError" && pattern.test(e.message), h);
}

// RFC 8949 Appendix A, where the listed encoding is the one we emit
const PREFERRED: [string, CborValue][] = [
  ["00", 0],
  ["01", 1],
  ["0a", 10],
  ["17", 23],
  ["1818", 24],
  ["1819", 25],
  ["1864", 100],
  ["1903e8", 1000],
  ["1a000f4240", 1000000],
  ["1b000000e8d4a51000", 1000000000000],
  ["1bffffffffffffffff", 18446744073709551615n],
  ["c249010000000000000000", new Tagged(2, bytes("010000000000000000"))],
  ["3bffffffffffffffff", -18446744073709551616n],
  ["c349010000000000000000", new Tagged(3, bytes("010000000000000000"))],
  ["20", -1],
  ["29", -10],
  ["3863", -100],
  ["3903e7", -1000],
  ["f98000", -0],
  ["fb3ff199999999999a", 1.1],
  ["fb7e37e43c8800759c", 1.0e300],
  ["fbc010666666666666", -4.1],
  ["f97c00", Infinity],
  ["f97e00", NaN],
  ["f9fc00", -Infinity],
  ["f4", false],
  ["f5", true],
  ["f6", null],
  ["f7", undefined],
  ["c074323031332d30332d32315432303a30343a30305a", new Tagged(0, "2013-03-21T20:04:00Z")],
  ["c11a514b67b0", new Tagged(1, 1363896240)],
  ["c1fb41d452d9ec200000", new Tagged(1, 1363896240.5)],
  ["d74401020304", new Tagged(23, bytes("01020304"))],
  ["d818456449455446", new Tagged(24, bytes("6449455446"))],
  ["d82076687474703a2f2f7777772e6578616d706c652e636f6d", new Tagged(32, "http://www.example.com")],
  ["40", bytes("")],
  ["4401020304", bytes("01020304")],
  ["60", ""],
  ["6161", "a"],
  ["6449455446", "IETF"],
  ["62225c", '"\\'],
  ["62c3bc", "\u00fc"],
  ["63e6b0b4", "\u6c34"],
  ["64f0908591", "\ud800\udd51"],
  ["80", []],
  ["83010203", [1, 2, 3]],
  ["8301820203820405", [1, [2, 3], [4, 5]]],
  ["98190102030405060708090a0b0c0d0e0f101112131415161718181819", range(1, 25)],
  ["a0", map()],
  ["a201020304", map([1, 2], [3, 4])],
  ["a26161016162820203", map(["a", 1], ["b", [2, 3]])],
  ["826161a161626163", ["a", map(["b", "c"])]],
  ["a56161614161626142616361436164614461656145", map(["a", "A"], ["b", "B"], ["c", "C"], ["d", "D"], ["e", "E"])],
];

// RFC 8949 Appendix A encodings we decode but do not emit: shorter floats, indefinite lengths,
// and the one we refuse to emit in that form
const DECODE_ONLY: [string, CborValue, string][] = [
  ["f90000", 0, "00"],
  ["f93c00", 1, "01"],
  ["f93e00", 1.5, "fb3ff8000000000000"],
  ["f97bff", 65504, "19ffe0"],
  ["fa47c35000", 100000, "1a000186a0"],
  ["fa7f7fffff", 3.4028234663852886e38, "fb47efffffe0000000"],
  ["f90001", 5.960464477539063e-8, "fb3e70000000000000"],
  ["f90400", 0.00006103515625, "fb3f10000000000000"],
  ["f9c400", -4, "23"],
  ["fa7f800000", Infinity, "f97c00"],
  ["fa7fc00000", NaN, "f97e00"],
  ["faff800000", -Infinity, "f9fc00"],
  ["fb7ff0000000000000", Infinity, "f97c00"],
  ["fb7ff8000000000000", NaN, "f97e00"],
  ["fbfff0000000000000", -Infinity, "f9fc00"],
  ["5f42010243030405ff", bytes("0102030405"), "450102030405"],
  ["7f657374726561646d696e67ff", "streaming", "6973747265616d696e67"],
  ["9fff", [], "80"],
  ["9f018202039f0405ffff", [1, [2, 3], [4, 5]], "8301820203820405"],
  ["9f01820203820405ff", [1, [2, 3], [4, 5]], "8301820203820405"],
  ["83018202039f0405ff", [1, [2, 3], [4, 5]], "8301820203820405"],
  ["83019f0203ff820405", [1, [2, 3], [4, 5]], "8301820203820405"],
  ["9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff", range(1, 25), "98190102030405060708090a0b0c0d0e0f101112131415161718181819"],
  ["bf61610161629f0203ffff", map(["a", 1], ["b", [2, 3]]), "a26161016162820203"],
  ["826161bf61626163ff", ["a", map(["b", "c"])], "826161a161626163"],
  ["bf6346756ef563416d7421ff", map(["Fun", true], ["Amt", -2]), "a26346756ef563416d7421"],
];

const UUID = bytes("5c0fc6d2d9cd495bb4fd41ce68d65a28");
const uuid = new Tagged(37, UUID);
const time = (ms: number): Tagged => new Tagged(1001, map([4, new Tagged(4, [-3, ms])]));

// xentara.md §4 "Example exchange", §3.2 error packet, §3.3 per-attribute failure and ns time stamp
const XENTARA: [string, CborValue][] = [
  ["818400010ea200010101", [[0, 1, 14, map([0, 1], [1, 1])]]],
  ["81830101a10001", [[1, 1, map([0, 1])]]],
  ["8284000203a10069494f2e52656c61793184000304a200d825505c0fc6d2d9cd495bb4fd41ce68d65a2801830b0907", [[0, 2, 3, map([0, "IO.Relay1"])], [0, 3, 4, map([0, uuid], [1, [11, 9, 7]])]]],
  [
    "82830102d825505c0fc6d2d9cd495bb4fd41ce68d65a28830103a30bd879f409d8790007d879d903e9a104c482221b0000018cc4b87107",
    [[1, 2, uuid], [1, 3, map([11, new Tagged(121, false)], [9, new Tagged(121, 0)], [7, new Tagged(121, time(1704107471111))])]],
  ],
  ["8184000406a20081a200d825505c0fc6d2d9cd495bb4fd41ce68d65a2801820b09011864", [[0, 4, 6, map([0, [map([0, uuid], [1, [11, 9]])]], [1, 100])]]],
  ["81830800a300d903e9a104c482221b0000018cc4b8717601d825505c0fc6d2d9cd495bb4fd41ce68d65a2802a10bd879f5", [[8, 0, map([0, time(1704107471222)], [1, uuid], [2, map([11, new Tagged(121, true)])])]]],
  ["8184000505a300d825505c0fc6d2d9cd495bb4fd41ce68d65a28010b02f5", [[0, 5, 5, map([0, uuid], [1, 11], [2, true])]]],
  ["81820105", [[1, 5]]],
  ["8183021843a200397f5901781c696e76616c6964206d6574612064617461206964656e746966696572", [[2, 67, map([0, -32602], [1, "invalid meta data identifier"])]]],
  ["d87aa200397d6401716d697373696e6720617474726962757465", new Tagged(122, map([0, -32101], [1, "missing attribute"]))],
  ["d903e9a104c482281b17a634b75ab2088f", new Tagged(1001, map([4, new Tagged(4, [-9, 1704107471111587983n])]))],
];

test("RFC 8949 Appendix A: preferred encodings, both directions", () => {
  for (const [h, value] of PREFERRED) {
    assert.equal(hex(value), h, "encoding " + h);
    assert.deepEqual(decodeHex(h), value, "decoding " + h);
  }
});

test("RFC 8949 Appendix A: shorter floats and indefinite lengths decode, and re-encode in our form", () => {
  for (const [h, value, ours] of DECODE_ONLY) {
    assert.deepEqual(decodeHex(h), value, "decoding " + h);
    assert.equal(hex(value), ours, "re-encoding " + h);
  }
});

test("half precision decodes exactly for all 65536 patterns: subnormals, normals, ±Infinity, NaN", () => {
  // reference: the same half moved into a float32's fields, read by DataView
  const f32 = new DataView(new ArrayBuffer(4));
  for (let h = 0; h < 0x10000; h++) {
    const sign = h >> 15;
    const e = (h >> 10) & 31;
    const m = h & 1023;
    let expected: number;
    if (e === 0) expected = (sign ? -m : m) / 16777216;
    else {
      f32.setUint32(0, (sign << 31) | ((e === 31 ? 255 : e - 15 + 127) << 23) | (m << 13));
      expected = f32.getFloat32(0);
    }
    const got = decodeCbor(new Uint8Array([0xf9, h >> 8, h & 0xff]));
    if (!Object.is(got, expected)) assert.fail("f9" + toHex(new Uint8Array([h >> 8, h & 0xff])) + ": expected " + expected + ", got " + String(got));
  }
});

test("integers at every head size and at the 2^32, 2^53 and 2^64 boundaries", () => {
  const cases: [CborValue, string, CborValue?][] = [
    [23, "17"],
    [24, "1818"],
    [255, "18ff"],
    [256, "190100"],
    [65535, "19ffff"],
    [65536, "1a00010000"],
    [2 ** 32 - 1, "1affffffff"],
    [2 ** 32, "1b0000000100000000"],
    [2 ** 53 - 1, "1b001fffffffffffff"],
    [2 ** 53, "1b0020000000000000", 2n ** 53n], // beyond the safe range, so a bigint comes back
    [2n ** 53n + 1n, "1b0020000000000001"],
    [2n ** 64n - 1n, "1bffffffffffffffff"],
    [-24, "37"],
    [-25, "3818"],
    [-256, "38ff"],
    [-257, "390100"],
    [-65537, "3a00010000"],
    [-(2 ** 32), "3affffffff"],
    [-(2 ** 32) - 1, "3b0000000100000000"],
    [-(2 ** 53) + 1, "3b001ffffffffffffe"],
    [-(2 ** 53), "3b001fffffffffffff", -(2n ** 53n)],
    [-(2n ** 64n), "3bffffffffffffffff"],
    [5n, "05", 5], // a bigint within the safe range comes back as a number
    [-(2n ** 40n), "3b000000ffffffffff", -(2 ** 40)],
  ];
  for (const [value, h, back] of cases) {
    assert.equal(hex(value), h, "encoding " + String(value));
    assert.deepEqual(decodeHex(h), back === undefined ? value : back, "decoding " + h);
  }
  // non-preferred heads still decode
  assert.equal(decodeHex("1b0000000000000001"), 1);
  assert.equal(decodeHex("3a00000000"), -1);
});

test("numbers that are not integers: float64, with NaN, ±Infinity and -0 in half precision", () => {
  assert.equal(hex(0.5), "fb3fe0000000000000");
  assert.equal(hex(-0), "f98000");
  assert.ok(Object.is(decodeHex("f98000"), -0));
  assert.equal(hex(2 ** 60), "fb43b0000000000000"); // integral beyond ±2^53: exact as a double
  assert.equal(decodeHex("fb43b0000000000000"), 2 ** 60);
  assert.equal(hex(Number.MIN_VALUE), "fb0000000000000001");
  assert.equal(decodeHex("fa00000001"), 1.401298464324817e-45);
});

test("strings: multi-byte and astral characters, every head size", () => {
  assert.equal(hex("é€😀"), "69c3a9e282acf09f9880");
  for (const [n, prefix] of [
    [23, "77"],
    [24, "7818"],
    [255, "78ff"],
    [256, "790100"],
    [65536, "7a00010000"],
  ] as const) {
    const s = "é".repeat(n / 2) + "x".repeat(n % 2);
    const encoded = encodeCbor(s);
    assert.equal(toHex(encoded.subarray(0, prefix.length / 2)), prefix, "length " + n);
    assert.equal(encoded.length, prefix.length / 2 + n);
    assert.equal(decodeCbor(encoded), s);
  }
  assert.equal(hex("a\ud800b"), "6561efbfbd62", "a lone surrogate is written as U+FFFD");
});

test("byte strings of every head size are copied, not views of the input", () => {
  for (const n of [0, 23, 24, 255, 256, 65535, 65536]) {
    const b = new Uint8Array(n).map((_, i) => i * 7);
    const encoded = encodeCbor(b);
    const back = decodeCbor(encoded) as Uint8Array;
    assert.deepEqual(back, b, "length " + n);
    if (n) {
      encoded[encoded.length - 1]! ^= 0xff;
      assert.equal(back[n - 1], b[n - 1], "unchanged when the input changes");
    }
  }
  // a subclass of Uint8Array (Node's Buffer is one, and its slice() is a view) still gives plain copies
  class Bytes extends Uint8Array {}
  for (const h of ["4401020304", "5f420102420304ff"]) {
    const input = new Bytes(fromHex(h));
    const back = decodeCbor(input) as Uint8Array;
    assert.equal(Object.getPrototypeOf(back), Uint8Array.prototype, h);
    input.fill(0);
    assert.equal(toHex(back), "01020304", h);
  }
});

test("maps keep insertion order and take any key; arrays and maps at every head size", () => {
  assert.equal(hex(map([3, 0], [1, 0], ["a", 0], [bytes("01"), 0], [[1], 0], [-1, 0])), "a6030001006161004101008101002000");
  const big = new Map<CborValue, CborValue>();
  for (let i = 0; i < 300; i++) big.set(i, i);
  assert.equal(hex(big).slice(0, 6), "b9012c");
  assert.deepEqual(decodeCbor(encodeCbor(big)), big);
  const long = range(1, 65536);
  const encoded = encodeCbor(long);
  assert.equal(toHex(encoded.subarray(0, 5)), "9a00010000");
  const back = decodeCbor(encoded, { maxItems: 65536 }) as CborValue[];
  assert.equal(back.length, 65536);
  for (let i = 0; i < back.length; i++) if (back[i] !== i + 1) assert.fail("element " + i + " is " + String(back[i]));
});

test("the Xentara shapes of xentara.md §3 and §4 encode and decode", () => {
  for (const [h, value] of XENTARA) {
    assert.equal(hex(value), h, "encoding " + h);
    assert.deepEqual(decodeHex(h), value, "decoding " + h);
  }
  const hello = decodeHex("818400010ea200010101") as CborValue[][];
  const params = hello[0]![3] as Map<CborValue, CborValue>;
  assert.equal(params.get(0), 1, "integer keys come back as numbers");
  const read = decodeHex(XENTARA[2]![0]) as CborValue[][];
  const id = (read[1]![3] as Map<CborValue, CborValue>).get(0) as Tagged;
  assert.ok(id instanceof Tagged && id.tag === 37 && id.value instanceof Uint8Array && id.value.length === 16);
});

test("CborEncoder reuses one buffer, grows it, and keeps the growth", () => {
  const e = new CborEncoder(4);
  const first = e.encode([1, 2]);
  assert.equal(toHex(first), "820102");
  const grown = e.encode("x".repeat(100));
  assert.equal(grown.length, 102);
  assert.equal(toHex(grown.subarray(0, 3)), "786478");
  const again = e.encode(7);
  assert.equal(again.buffer, grown.buffer, "the grown buffer is reused");
  assert.equal(toHex(again), "07");
  assert.throws(() => e.encode([1, {} as CborValue, map([2, 3])]), CborError);
  assert.equal(toHex(e.encode([1, 2])), "820102", "nothing of the failed value is left for the next call");
});

test("encoding refuses what CBOR or Xentara cannot carry", () => {
  const refuse = (value: unknown, pattern: RegExp): void => {
    assert.throws(() => encodeCbor(value as CborValue), (e) => e instanceof CborError && pattern.test(e.message), pattern.source);
  };
  refuse({ 0: 1 }, /use a Map/);
  refuse(Object.create(null), /use a Map/);
  refuse(map([0, { a: 1 } as unknown as CborValue]), /use a Map/);
  refuse(2n ** 64n, /beyond 64 bits/);
  refuse(-(2n ** 64n) - 1n, /beyond 64 bits/);
  refuse(new Tagged(-1, 0), /tag/);
  refuse(new Tagged(1.5, 0), /tag/);
  refuse(new Tagged(2 ** 53 + 2, 0), /tag/);
  refuse(new Int16Array(2), /cannot encode Int16Array/);
  refuse(new Date(0), /cannot encode Date/);
  refuse(() => 0, /cannot encode function/);
  refuse(Symbol("x"), /cannot encode symbol/);
  const cyclic: CborValue[] = [];
  cyclic.push(cyclic);
  refuse(cyclic, /nested deeper than/);
  assert.equal(hex(new Tagged(2 ** 53, 0)), "db002000000000000000");
});

test("every proper prefix of a valid item is refused as truncated (or as a length beyond the input)", () => {
  const all = [...PREFERRED.map((c) => c[0]), ...DECODE_ONLY.map((c) => c[0]), ...XENTARA.map((c) => c[0])];
  for (const h of all) {
    const full = fromHex(h);
    for (let n = 0; n < full.length; n++) {
      assert.throws(() => decodeCbor(full.subarray(0, n)), (e) => e instanceof CborError && /(input ends inside an item|beyond the input) at byte \d+$/.test(e.message), h + " cut at " + n);
    }
  }
});

test("text strings must be valid UTF-8", () => {
  refused("62c328", /invalid UTF-8 at byte 1/);
  refused("6180", /invalid UTF-8/);
  refused("63eda080", /invalid UTF-8/); // a surrogate
  refused("62c080", /invalid UTF-8/); // overlong
  refused("64f4908080", /invalid UTF-8/); // above U+10FFFF
  refused("820162c328", /invalid UTF-8 at byte 3/);
  refused("7f61c361a9ff", /invalid UTF-8/); // "é" split across two chunks
});

test("duplicate map keys are refused; byte-string and container keys compare by identity", () => {
  refused("a201000100", /duplicate map key at byte 3/);
  refused("a2616100616100", /duplicate map key/);
  refused("bf01000100ff", /duplicate map key/);
  refused("a20100f93c0000", /duplicate map key/); // int 1 and float 1.0 are one Map key
  refused("a21b0020000000000000001b002000000000000000", /duplicate map key/); // bigint keys by value
  const m = decodeHex("a2410000410000") as Map<CborValue, CborValue>;
  assert.equal(m.size, 2);
  assert.equal((decodeHex("a280008000") as Map<CborValue, CborValue>).size, 2);
});

test("nesting deeper than maxDepth is refused; arrays, maps and tags all count", () => {
  const nested = (open: string, n: number, inner = "00"): string => open.repeat(n) + inner;
  assert.deepEqual(decodeHex(nested("81", 16)), JSON.parse("[".repeat(16) + "0" + "]".repeat(16)));
  refused(nested("81", 17), /nesting deeper than 16 at byte 16/);
  refused(nested("a100", 17), /nesting deeper than 16/);
  refused(nested("c1", 17), /nesting deeper than 16/);
  refused(nested("9f", 17, "00" + "ff".repeat(17)), /nesting deeper than 16/);
  refused(nested("81", 8, "") + "c1".repeat(8) + "80", /nesting deeper than 16/);
  decodeCbor(fromHex(nested("81", 17)), { maxDepth: 17 });
  refused(nested("81", 3), /nesting deeper than 2/, { maxDepth: 2 });
  refused("80", /nesting deeper than 0/, { maxDepth: 0 });
  assert.equal(decodeCbor(fromHex("00"), { maxDepth: 0 }), 0);
  refused("81".repeat(100000) + "00", /nesting deeper/); // no stack overflow
});

test("nesting takes no stack: 50,000 levels decode when the limits allow them, and 64 encode", () => {
  // one level of recursion took 45-64 XS stack slots, and the device has 512 in all
  const n = 50000;
  const deep = new Uint8Array(2 * n + 1);
  for (let i = 0; i < n; i++) deep.set(i % 2 ? [0xa1, 0x00] : [0xc1, 0x81], 2 * i);
  let v = decodeCbor(deep, { maxDepth: 2 * n, maxItems: 2 * n });
  let levels = 0;
  while (v !== 0) {
    v = v instanceof Tagged ? v.value : v instanceof Map ? v.get(0)! : (v as CborValue[])[0]!;
    levels++;
  }
  assert.equal(levels, 1.5 * n);
  let nested: CborValue = 0;
  for (let i = 0; i < 64; i++) nested = i % 2 ? [nested] : map([0, nested]);
  assert.equal(hex(nested), "81a100".repeat(32) + "00");
  assert.throws(() => encodeCbor([nested]), /nested deeper than 64/);
});

test("more than maxItems elements, entries, tags and chunks are refused", () => {
  const array = (n: number): Uint8Array => encodeCbor(new Array<CborValue>(n).fill(0));
  assert.equal((decodeCbor(array(4096)) as CborValue[]).length, 4096);
  assert.throws(() => decodeCbor(array(4097)), /more than 4096 items at byte 0/);
  const entries = (n: number): Uint8Array => encodeCbor(new Map(range(1, n).map((i) => [i, i])));
  assert.equal((decodeCbor(entries(4096)) as Map<CborValue, CborValue>).size, 4096);
  assert.throws(() => decodeCbor(entries(4097)), /more than 4096 items at byte 0/);
  const indefinite = (n: number): Uint8Array => {
    let h = "bf";
    for (let i = 1; i <= n; i++) h += hex(i) + "00";
    return fromHex(h + "ff");
  };
  assert.equal((decodeCbor(indefinite(4096)) as Map<CborValue, CborValue>).size, 4096);
  assert.throws(() => decodeCbor(indefinite(4097)), /more than 4096 items/);
  refused("83010203", /more than 2 items/, { maxItems: 2 });
  refused("9f010203ff", /more than 2 items/, { maxItems: 2 });
  refused("a201020304", /more than 1 items/, { maxItems: 1 });
  refused("82c100c100", /more than 3 items/, { maxItems: 3 });
  refused("5f404040ff", /more than 2 items/, { maxItems: 2 });
  assert.equal(decodeCbor(fromHex("82c100c100"), { maxItems: 4 }) instanceof Array, true);
  // many small arrays add up over the whole item
  refused("82" + "8a" + "00".repeat(10) + "8a" + "00".repeat(10), /more than 20 items/, { maxItems: 20 });
});

test("declared lengths beyond the input are refused before anything is allocated", () => {
  refused("5bffffffffffffffff", /length 18446744073709551615 beyond the input at byte 0/);
  refused("7b001fffffffffffff", /beyond the input/);
  refused("5a7fffffff00", /length 2147483647 beyond the input/);
  refused("9b00000000ffffffff", /beyond the input/);
  refused("9a0000000201", /beyond the input/);
  refused("bb7fffffffffffffff", /beyond the input/);
  refused("a301020304", /beyond the input/); // 3 entries need at least 6 bytes
  refused("5f5bffffffffffffffffff", /beyond the input/);
  refused("7f7a00010000ff", /beyond the input/);
});

test("reserved additional information 28-30 is refused in every major type", () => {
  for (let major = 0; major < 8; major++) {
    for (let ai = 28; ai <= 30; ai++) refused(toHex(new Uint8Array([(major << 5) | ai, 0, 0, 0, 0, 0, 0, 0, 0])), /reserved additional information at byte 0/);
  }
  refused("8201fc", /reserved additional information at byte 2/);
});

test("a break outside an indefinite-length item is refused", () => {
  refused("ff", /break outside an indefinite-length item at byte 0/);
  refused("8201ff", /break outside/);
  refused("a1ff00", /break outside/);
  refused("bf01ffff", /break outside/); // in a value's place
  refused("c1ff", /break outside/);
});

test("indefinite-length strings take only definite chunks of their own type", () => {
  refused("5f6161ff", /bad chunk in an indefinite-length string at byte 1/);
  refused("7f4161ff", /bad chunk/);
  refused("5f5f4001ffff", /bad chunk/);
  refused("7f01ff", /bad chunk/);
  refused("5f80ff", /bad chunk/);
  refused("5ff6ff", /bad chunk/);
  assert.deepEqual(decodeHex("5fff"), bytes(""));
  assert.equal(decodeHex("7fff"), "");
  assert.equal(decodeHex("7f6161606162ff"), "ab");
  assert.equal(decodeHex("7f62c3a963e282acff"), "é€");
});

test("indefinite length is refused for integers and tags; other simple values are refused", () => {
  refused("1f", /indefinite length in major type 0 at byte 0/);
  refused("3f", /indefinite length in major type 1/);
  refused("df00", /indefinite length in major type 6/);
  for (const h of ["e0", "f0", "f3", "f800", "f818", "f820", "f8ff"]) refused(h, /unsupported simple value at byte 0/);
});

test("tag numbers up to 2^53 decode; larger ones are refused", () => {
  assert.deepEqual(decodeHex("db002000000000000000"), new Tagged(2 ** 53, 0));
  assert.deepEqual(decodeHex("db001fffffffffffff00"), new Tagged(2 ** 53 - 1, 0));
  refused("db002000000000000100", /tag number above 2\^53 at byte 0/);
  refused("dbffffffffffffffff00", /tag number above 2\^53/);
});

test("trailing bytes after the item are refused", () => {
  refused("0000", /trailing bytes at byte 1/);
  refused("8000", /trailing bytes at byte 1/);
  refused("9fff00", /trailing bytes at byte 2/);
  refused("f4ff", /trailing bytes at byte 1/);
});

// ---- fuzz ----

function randomValue(prng: Prng, depth: number): CborValue {
  switch (prng.below(depth > 3 ? 8 : 12)) {
    case 0:
      return prng.below(30);
    case 1:
      return prng.next32() * 2 ** prng.below(22) * (prng.below(2) ? 1 : -1);
    case 2:
      return (BigInt(prng.next32()) << 32n) | BigInt(prng.next32());
    case 3:
      return prng.next32() / 7;
    case 4: {
      let s = "";
      for (let i = prng.below(10); i > 0; i--) s += String.fromCodePoint([0x41, 0xe9, 0x20ac, 0x1f600][prng.below(4)]!);
      return s;
    }
    case 5: {
      const b = new Uint8Array(prng.below(20));
      prng.fill(b);
      return b;
    }
    case 6:
      return [true, false, null, undefined, NaN, -0][prng.below(6)];
    case 7:
      return new Tagged([37, 121, 1001, 4][prng.below(4)]!, prng.below(100));
    case 8:
    case 9: {
      const a: CborValue[] = [];
      for (let i = prng.below(6); i > 0; i--) a.push(randomValue(prng, depth + 1));
      return a;
    }
    case 10: {
      const m = new Map<CborValue, CborValue>();
      for (let i = prng.below(5); i > 0; i--) m.set(prng.below(2) ? prng.below(1000) : "k" + prng.below(100), randomValue(prng, depth + 1));
      return m;
    }
    default:
      return new Tagged(prng.below(2) ? 37 : 121, randomValue(prng, depth + 1));
  }
}

// bytes that start or end structures, or declare long or reserved arguments
const INTERESTING = [0x00, 0x17, 0x18, 0x1b, 0x1c, 0x1f, 0x3b, 0x5b, 0x5f, 0x7b, 0x7f, 0x9b, 0x9f, 0xbb, 0xbf, 0xdb, 0xf8, 0xf9, 0xfb, 0xff];

function mutate(prng: Prng, input: Uint8Array): Uint8Array {
  const b = Array.from(input);
  for (let k = 1 + prng.below(3); k > 0; k--) {
    const at = prng.below(b.length + 1);
    switch (prng.below(6)) {
      case 0:
        b[at] = prng.below(256);
        break;
      case 1:
        b[at] = INTERESTING[prng.below(INTERESTING.length)]!;
        break;
      case 2:
        b.splice(at, 0, prng.below(256));
        break;
      case 3:
        b.splice(at, 1 + prng.below(3));
        break;
      case 4:
        b.length = at;
        break;
      default:
        b.splice(at, 0, ...b.slice(prng.below(b.length + 1), prng.below(b.length + 1)));
    }
  }
  return new Uint8Array(b.slice(0, 4096));
}

/** Decodes or refuses with a CborError; a decoded value re-encodes to bytes that decode to the same encoding. */
function check(input: Uint8Array): boolean {
  let value: CborValue;
  try {
    value = decodeCbor(input);
  } catch (e) {
    if (!(e instanceof CborError)) assert.fail("input " + toHex(input) + " threw " + String(e));
    return false;
  }
  const again = encodeCbor(value);
  assert.equal(toHex(encodeCbor(decodeCbor(again))), toHex(again), "re-encoding " + toHex(input));
  return true;
}

test("fuzz: random bytes and mutated encodings decode or throw CborError, nothing else, quickly", () => {
  const prng = new Prng(8949);
  const seeds = [...PREFERRED.map((c) => fromHex(c[0])), ...DECODE_ONLY.map((c) => fromHex(c[0])), ...XENTARA.map((c) => fromHex(c[0]))];
  for (let i = 0; i < 60; i++) seeds.push(encodeCbor(randomValue(prng, 0)));
  const started = Date.now();
  let decoded = 0;
  let runs = 0;
  for (; runs < 3000; runs++) {
    const random = new Uint8Array(prng.below(24));
    prng.fill(random);
    if (check(random)) decoded++;
    if (check(mutate(prng, seeds[prng.below(seeds.length)]!))) decoded++;
  }
  const seconds = (Date.now() - started) / 1000;
  assert.ok(decoded > 300 && decoded < 5700, "both outcomes are exercised (" + decoded + " of 6000 decoded)");
  assert.ok(seconds < 30, "6000 decodes took " + seconds + " s");
});

test("adversarial inputs finish quickly: many chunks, many empty items, deep indefinite nesting", () => {
  const started = Date.now();
  const chunks = new Uint8Array(65536).fill(0x60);
  chunks[0] = 0x7f;
  refused(toHex(chunks), /more than 4096 items/);
  const empties = new Uint8Array(3 + 4096).fill(0x80);
  empties.set([0x99, 0x10, 0x00], 0);
  assert.equal((decodeCbor(empties) as CborValue[]).length, 4096);
  refused("9f".repeat(65536), /nesting deeper/);
  refused("5f" + "40".repeat(65536), /more than 4096 items/);
  assert.ok(Date.now() - started < 10000);
});
