/** RFC 6455 §5.2 framing constants and encoders. Server frames are never masked (§5.1). */
import { encodeUtf8Into, utf8Length } from "../bytes.ts";

export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** 1000–1014 without the three reserved for local use (§7.4.1), and 3000–4999 (§7.4.2). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

function headerSize(length: number): number {
  return length < 126 ? 2 : length < 0x10000 ? 4 : 10;
}

function writeHeader(out: Uint8Array, opcode: number, fin: boolean, length: number): number {
  out[0] = (fin ? 0x80 : 0) | opcode;
  if (length < 126) {
    out[1] = length;
    return 2;
  }
  if (length < 0x10000) {
    out[1] = 126;
    out[2] = length >> 8;
    out[3] = length & 0xff;
    return 4;
  }
  out[1] = 127;
  const high = Math.floor(length / 0x100000000);
  out[2] = 0;
  out[3] = 0;
  out[4] = (high >> 8) & 0xff;
  out[5] = high & 0xff;
  out[6] = (length >>> 24) & 0xff;
  out[7] = (length >>> 16) & 0xff;
  out[8] = (length >>> 8) & 0xff;
  out[9] = length & 0xff;
  return 10;
}

/** One unmasked frame: header and payload in one buffer, so it leaves in one write. */
export function encodeFrame(opcode: number, payload: Uint8Array, fin = true): Uint8Array {
  const out = new Uint8Array(headerSize(payload.length) + payload.length);
  out.set(payload, writeHeader(out, opcode, fin, payload.length));
  return out;
}

/** A text frame straight from a string: no intermediate UTF-8 buffer. */
export function encodeTextFrame(text: string): Uint8Array {
  const length = utf8Length(text);
  const out = new Uint8Array(headerSize(length) + length);
  encodeUtf8Into(text, out, writeHeader(out, OP_TEXT, true, length));
  return out;
}

/** A close frame; code 1005 ("no status") sends an empty payload, as §7.4.1 requires. */
export function encodeCloseFrame(code: number, reason = ""): Uint8Array {
  if (code === 1005) return encodeFrame(OP_CLOSE, new Uint8Array(0));
  const length = 2 + utf8Length(reason);
  if (length > 125) throw new RangeError("close reason too long");
  const out = new Uint8Array(2 + length);
  writeHeader(out, OP_CLOSE, true, length);
  out[2] = code >> 8;
  out[3] = code & 0xff;
  encodeUtf8Into(reason, out, 4);
  return out;
}

/** A client frame, masked with `mask` (4 bytes): for test clients and the simulator's tools. */
export function encodeMaskedFrame(opcode: number, payload: Uint8Array, mask: Uint8Array, fin = true, rsv = 0): Uint8Array {
  const h = headerSize(payload.length);
  const out = new Uint8Array(h + 4 + payload.length);
  writeHeader(out, opcode, fin, payload.length);
  out[0]! |= rsv << 4;
  out[1]! |= 0x80;
  out.set(mask.subarray(0, 4), h);
  for (let i = 0; i < payload.length; i++) out[h + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}
