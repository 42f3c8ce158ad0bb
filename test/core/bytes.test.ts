import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { Prng } from "../../sim/prng.ts";
import {
  concatBytes,
  decodeLatin1,
  decodeUtf8,
  encodeAscii,
  encodeUtf8,
  encodeUtf8Into,
  equalBytes,
  fromBase64,
  fromHex,
  toBase64,
  toHex,
  utf8Length,
} from "../../src/bytes.ts";

const b = (...xs: number[]): Uint8Array => new Uint8Array(xs);

test("UTF-8 encodes 1- to 4-byte characters", () => {
  assert.deepEqual(encodeUtf8("A"), b(0x41));
  assert.deepEqual(encodeUtf8("é"), b(0xc3, 0xa9));
  assert.deepEqual(encodeUtf8("€"), b(0xe2, 0x82, 0xac));
  assert.deepEqual(encodeUtf8("😀"), b(0xf0, 0x9f, 0x98, 0x80));
  assert.deepEqual(encodeUtf8(""), b());
});

test("UTF-8 encodes lone surrogates as U+FFFD", () => {
  assert.deepEqual(encodeUtf8("\ud800"), b(0xef, 0xbf, 0xbd));
  assert.deepEqual(encodeUtf8("a\udc00b"), b(0x61, 0xef, 0xbf, 0xbd, 0x62));
  assert.equal(utf8Length("\ud800x"), 4);
});

test("utf8Length matches the encoding and encodeUtf8Into writes at an offset", () => {
  const text = "héllo €😀";
  const out = new Uint8Array(utf8Length(text) + 2);
  const end = encodeUtf8Into(text, out, 2);
  assert.equal(end, out.length);
  assert.deepEqual(out.subarray(2), encodeUtf8(text));
});

test("UTF-8 round-trips random text", () => {
  const prng = new Prng(42);
  for (let round = 0; round < 200; round++) {
    let s = "";
    const n = prng.below(40);
    for (let i = 0; i < n; i++) {
      const kind = prng.below(4);
      const cp = kind === 0 ? prng.below(0x80) : kind === 1 ? 0x80 + prng.below(0x780) : kind === 2 ? 0xe000 + prng.below(0x2000) : 0x10000 + prng.below(0x100000);
      s += String.fromCodePoint(cp);
    }
    const bytes = encodeUtf8(s);
    assert.equal(bytes.length, utf8Length(s));
    assert.equal(decodeUtf8(bytes, 0, bytes.length, true), s);
  }
});

test("UTF-8 decoding refuses invalid input when fatal", () => {
  const invalid = [
    b(0xc0, 0x80), // overlong NUL
    b(0xe0, 0x80, 0x80), // overlong
    b(0xed, 0xa0, 0x80), // surrogate D800
    b(0xf4, 0x90, 0x80, 0x80), // above U+10FFFF
    b(0xf8, 0x88, 0x80, 0x80, 0x80), // 5-byte form
    b(0xe2, 0x82), // truncated
    b(0x80), // lone continuation
    b(0xff),
  ];
  for (const bytes of invalid) assert.throws(() => decodeUtf8(bytes, 0, bytes.length, true), RangeError, "bytes " + toHex(bytes));
});

test("UTF-8 decoding replaces each maximal invalid subpart with one U+FFFD", () => {
  // WHATWG Encoding examples: a truncated 3-byte sequence is one replacement, a bad lead byte one each
  assert.equal(decodeUtf8(b(0x61, 0xe2, 0x82, 0x62)), "a\ufffdb");
  assert.equal(decodeUtf8(b(0xc0, 0x80)), "\ufffd\ufffd");
  assert.equal(decodeUtf8(b(0xed, 0xa0, 0x80)), "\ufffd\ufffd\ufffd");
  assert.equal(decodeUtf8(b(0xf0, 0x9f, 0x98)), "\ufffd");
});

test("decoding a sub-range and long inputs", () => {
  const text = "x".repeat(5000) + "é".repeat(3000);
  const bytes = encodeUtf8(text);
  assert.equal(decodeUtf8(bytes), text);
  assert.equal(decodeUtf8(bytes, 4998, 5002), "xxé");
  assert.equal(decodeLatin1(encodeAscii("GET / HTTP/1.1")), "GET / HTTP/1.1");
});

test("hex round-trips and refuses bad input", () => {
  assert.equal(toHex(b(0, 1, 0xab, 0xff)), "0001abff");
  assert.deepEqual(fromHex("0001ABff"), b(0, 1, 0xab, 0xff));
  assert.throws(() => fromHex("abc"), RangeError);
  assert.throws(() => fromHex("zz"), RangeError);
});

test("base64 matches RFC 4648 §10 test vectors", () => {
  const vectors: [string, string][] = [
    ["", ""],
    ["f", "Zg=="],
    ["fo", "Zm8="],
    ["foo", "Zm9v"],
    ["foob", "Zm9vYg=="],
    ["fooba", "Zm9vYmE="],
    ["foobar", "Zm9vYmFy"],
  ];
  for (const [plain, coded] of vectors) {
    assert.equal(toBase64(encodeAscii(plain)), coded);
    assert.deepEqual(fromBase64(coded), encodeAscii(plain));
  }
});

test("base64url has no padding and decodes either alphabet", () => {
  const bytes = b(0xfb, 0xff, 0xbf);
  assert.equal(toBase64(bytes), "+/+/");
  assert.equal(toBase64(bytes, true), "-_-_");
  assert.equal(toBase64(b(0xff), true), "_w");
  assert.deepEqual(fromBase64("-_-_"), bytes);
  assert.deepEqual(fromBase64("_w"), b(0xff));
});

test("base64 refuses bad characters, lengths and trailing bits", () => {
  assert.throws(() => fromBase64("Zm9v!"), RangeError);
  assert.throws(() => fromBase64("Z"), RangeError);
  assert.throws(() => fromBase64("Zh=="), RangeError); // 'h' leaves non-zero bits
  assert.throws(() => fromBase64("Zg=a"), RangeError);
});

test("concatBytes and equalBytes", () => {
  assert.deepEqual(concatBytes(b(1, 2), b(3)), b(1, 2, 3));
  assert.ok(equalBytes(b(1, 2, 3), b(1, 2, 3)));
  assert.ok(!equalBytes(b(1, 2, 3), b(1, 2, 4)));
  assert.ok(!equalBytes(b(1, 2), b(1, 2, 3)));
});
