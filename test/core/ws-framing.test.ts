/** The framing units alone: parser, encoders, UTF-8 streaming check, handshake key. */
import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { concatBytes, decodeUtf8, encodeAscii, encodeUtf8, portableText } from "../../src/bytes.ts";
import { encodeCloseFrame, encodeFrame, encodeMaskedFrame, encodeTextFrame, isValidCloseCode, OP_BINARY, OP_CLOSE, OP_PING, OP_TEXT } from "../../src/ws/frame.ts";
import { FrameParser } from "../../src/ws/frame-parser.ts";
import { acceptKey, isValidKey } from "../../src/ws/handshake.ts";
import { utf8Continue, UTF8_INVALID } from "../../src/ws/utf8-stream.ts";
import { nobleCrypto } from "../../sim/noble-crypto.ts";

class Recorder extends FrameParser {
  events: string[] = [];
  constructor(private readonly max: number) {
    super();
  }
  protected maxMessage(): number {
    return this.max;
  }
  protected textCodec() {
    return portableText;
  }
  feed(bytes: Uint8Array): this {
    this.parse(bytes);
    return this;
  }
  protected onTextMessage(text: string): void {
    this.events.push("text " + text);
  }
  protected onBinaryMessage(bytes: Uint8Array): void {
    this.events.push("binary " + bytes.length + ":" + Array.prototype.slice.call(bytes, 0, 4).join(","));
  }
  protected onPingFrame(payload: Uint8Array): void {
    this.events.push("ping " + decodeUtf8(payload));
  }
  protected onPongFrame(payload: Uint8Array): void {
    this.events.push("pong " + decodeUtf8(payload));
  }
  protected onCloseFrame(code: number, reason: string): void {
    this.events.push("close " + code + " " + reason);
  }
  protected onFrameError(code: number, reason: string): void {
    this.events.push("error " + code + " " + reason);
  }
}

const MASK = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);
const masked = (op: number, payload: string | Uint8Array, fin = true, rsv = 0): Uint8Array =>
  encodeMaskedFrame(op, typeof payload === "string" ? encodeUtf8(payload) : payload, MASK, fin, rsv);

/** Feeds `bytes` split at every possible pair of points and checks the events never change. */
function everySplit(bytes: Uint8Array, expected: string[], max = 1 << 20): void {
  for (let a = 0; a <= bytes.length; a++) {
    for (let b = a; b <= bytes.length; b++) {
      const r = new Recorder(max);
      r.feed(bytes.slice(0, a)).feed(bytes.slice(a, b)).feed(bytes.slice(b));
      assert.deepEqual(r.events, expected, `split at ${a}, ${b}`);
    }
  }
}

test("RFC 6455 §5.7 examples: a masked 'Hello', fragmented text, and a masked ping", () => {
  const hello = new Uint8Array([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
  everySplit(hello, ["text Hello"]);
  const fragmented = concatBytes(masked(OP_TEXT, "Hel", false), masked(0, "lo"));
  everySplit(fragmented, ["text Hello"]);
  const ping = new Uint8Array([0x89, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
  everySplit(ping, ["ping Hello"]);
});

test("lengths at every boundary (0, 125, 126, 65535, 65536) parse whole and split", () => {
  for (const n of [0, 1, 125, 126, 127, 65535, 65536]) {
    const payload = new Uint8Array(n).map((_, i) => i & 0xff);
    const r = new Recorder(1 << 20).feed(masked(OP_BINARY, payload));
    assert.deepEqual(r.events, ["binary " + n + ":" + Array.prototype.slice.call(payload, 0, 4).join(",")], "length " + n);
  }
  everySplit(masked(OP_BINARY, new Uint8Array(130).fill(7)), ["binary 130:7,7,7,7"]);
});

test("control frames interleave with fragments; a split control payload is reassembled", () => {
  const bytes = concatBytes(concatBytes(masked(OP_TEXT, "ab", false), masked(OP_PING, "x".repeat(125))), concatBytes(masked(0, "cd", false), masked(0, "ef")));
  everySplit(bytes.slice(0, 40), []); // no complete message in the first 40 bytes
  const r = new Recorder(1000).feed(bytes.slice(0, 50)).feed(bytes.slice(50));
  assert.deepEqual(r.events, ["ping " + "x".repeat(125), "text abcdef"]);
});

test("protocol errors: reserved bits and opcodes, bad fragmentation, unmasked and oversized frames", () => {
  const cases: [Uint8Array, string][] = [
    [masked(OP_TEXT, "x", true, 4), "error 1002 reserved bits set"],
    [masked(3, "x"), "error 1002 reserved opcode 3"],
    [masked(11, "x"), "error 1002 reserved opcode 11"],
    [masked(OP_PING, "x", false), "error 1002 fragmented control frame"],
    [masked(0, "x"), "error 1002 continuation without a message"],
    [concatBytes(masked(OP_TEXT, "a", false), masked(OP_TEXT, "b")), "error 1002 new message inside a fragmented one"],
    [encodeFrame(OP_TEXT, encodeAscii("x")), "error 1002 unmasked client frame"],
    [masked(OP_PING, "x".repeat(126)), "error 1002 control frame too long"],
    [new Uint8Array([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1]), "error 1002 64-bit length with the top bit set"],
    [new Uint8Array([0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0]), "error 1009 message too big"],
    [masked(OP_BINARY, new Uint8Array(101)), "error 1009 message too big"],
    [concatBytes(masked(OP_BINARY, new Uint8Array(60), false), masked(0, new Uint8Array(41))), "error 1009 message too big"],
  ];
  for (const [bytes, expected] of cases) {
    const r = new Recorder(100).feed(bytes);
    assert.deepEqual(r.events, [expected]);
    r.feed(masked(OP_TEXT, "ignored after an error"));
    assert.deepEqual(r.events, [expected], "parsing stops");
  }
});

test("the size limit is enforced from the header, before the payload arrives", () => {
  const r = new Recorder(1000).feed(masked(OP_BINARY, new Uint8Array(5000)).slice(0, 8));
  assert.deepEqual(r.events, ["error 1009 message too big"]);
});

test("UTF-8: checked across fragments and reads, failing at the first bad byte", () => {
  const euro = encodeUtf8("€"); // e2 82 ac
  const split = concatBytes(masked(OP_TEXT, euro.slice(0, 1), false), masked(0, euro.slice(1)));
  everySplit(split, ["text €"]);
  const r = new Recorder(1000).feed(masked(OP_TEXT, new Uint8Array([0x61, 0xc0]), false));
  assert.deepEqual(r.events, ["error 1007 invalid UTF-8 in text message"], "fails before the message ends");
  assert.deepEqual(new Recorder(1000).feed(masked(OP_TEXT, new Uint8Array([0xed, 0xa0, 0x80]))).events, ["error 1007 invalid UTF-8 in text message"]);
  assert.deepEqual(new Recorder(1000).feed(concatBytes(masked(OP_TEXT, euro.slice(0, 2), false), masked(0, new Uint8Array(0)))).events, ["error 1007 text message ends inside a character"]);
  assert.deepEqual(new Recorder(1000).feed(masked(OP_BINARY, new Uint8Array([0xff]))).events, ["binary 1:255"], "binary is not checked");
});

test("close frames: codes, reasons and their errors", () => {
  const close = (payload: Uint8Array): string[] => new Recorder(100).feed(masked(OP_CLOSE, payload)).events;
  const coded = (code: number, reason: Uint8Array | string = ""): Uint8Array => {
    const r = typeof reason === "string" ? encodeUtf8(reason) : reason;
    return concatBytes(new Uint8Array([code >> 8, code & 0xff]), r);
  };
  assert.deepEqual(close(new Uint8Array(0)), ["close 1005 "]);
  assert.deepEqual(close(coded(1000, "bye")), ["close 1000 bye"]);
  assert.deepEqual(close(new Uint8Array([3])), ["error 1002 close frame with a 1-byte payload"]);
  for (const bad of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) assert.deepEqual(close(coded(bad)), ["error 1002 invalid close code " + bad]);
  for (const good of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]) assert.deepEqual(close(coded(good)), ["close " + good + " "]);
  assert.deepEqual(close(coded(1000, new Uint8Array([0xc0]))), ["error 1007 invalid UTF-8 in close reason"]);
  assert.ok(isValidCloseCode(1000) && !isValidCloseCode(1005));
});

test("server frames are unmasked, single, and sized with the shortest length form", () => {
  assert.deepEqual(encodeTextFrame("Hello"), new Uint8Array([0x81, 5, 72, 101, 108, 108, 111]));
  assert.deepEqual(Array.from(encodeTextFrame("x".repeat(126)).subarray(0, 4)), [0x81, 126, 0, 126]);
  assert.deepEqual(Array.from(encodeFrame(OP_BINARY, new Uint8Array(65536)).subarray(0, 10)), [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
  assert.deepEqual(encodeCloseFrame(1000, "ok"), new Uint8Array([0x88, 4, 0x03, 0xe8, 111, 107]));
  assert.deepEqual(encodeCloseFrame(1005), new Uint8Array([0x88, 0]));
  assert.equal(encodeTextFrame("€").length, 2 + 3);
});

test("streaming UTF-8 check state machine", () => {
  const bytes = encodeUtf8("a€😀");
  let state = 0;
  for (const b of bytes) state = utf8Continue(state, new Uint8Array([b]), 0, 1);
  assert.equal(state, 0);
  assert.notEqual(utf8Continue(0, bytes, 0, 2), 0, "inside €");
  assert.equal(utf8Continue(0, new Uint8Array([0xf4, 0x90]), 0, 2), UTF8_INVALID);
});

test("handshake: the RFC 6455 §1.3 accept value, and key validation", () => {
  assert.equal(acceptKey(nobleCrypto, "dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  assert.ok(isValidKey("dGhlIHNhbXBsZSBub25jZQ=="));
  assert.ok(isValidKey("ZTUxNjYwYTYtOTk1OS00Mw=="), "INTEG's C# client's fixed key");
  for (const bad of [undefined, "", "short", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=!", "dGhlIHNhbXBsZSBub25jZSE="]) assert.ok(!isValidKey(bad), String(bad));
});
