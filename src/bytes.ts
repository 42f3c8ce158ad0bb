/**
 * Byte and text helpers for a core that has no TextEncoder, TextDecoder, Buffer or base64 globals
 * (XS on the device lacks them all).
 *
 * XS keeps strings in UTF-8, so `charCodeAt(i)` walks from the start of the string: a loop of
 * charCodeAt over a string is quadratic there (64 KB: 1.2 s on xsnap). Loops over strings use
 * for...of instead, which walks once. Hot paths use the Host's native codec (`host.text`); these
 * are its portable implementation.
 */

import type { TextCodec } from "./host.ts";

// code units per String.fromCharCode.apply call: each is a slot on the XS stack, which is 1,024 slots
// on the device and already holds the caller's frames (1,024 overflowed it, decoding a 3 KB config.json)
const CHUNK = 128;

/** Number of bytes `text` takes in UTF-8 (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/** Writes `text` as UTF-8 into `out` at `offset` and returns the offset after it. `out` must be large enough. */
export function encodeUtf8Into(text: string, out: Uint8Array, offset: number): number {
  let o = offset;
  for (const ch of text) {
    let c = ch.codePointAt(0)!; // for...of pairs surrogates; a lone one comes alone
    if (c < 0x80) {
      out[o++] = c;
    } else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    } else {
      out[o++] = 0xf0 | (c >> 18);
      out[o++] = 0x80 | ((c >> 12) & 0x3f);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    }
  }
  return o;
}

export function encodeUtf8(text: string): Uint8Array {
  const out = new Uint8Array(utf8Length(text));
  encodeUtf8Into(text, out, 0);
  return out;
}

/**
 * Decodes UTF-8. Invalid sequences become U+FFFD, or throw a RangeError when `fatal` (overlongs,
 * surrogates, code points above U+10FFFF and truncated sequences are all invalid, as RFC 3629 says).
 */
export function decodeUtf8(bytes: Uint8Array, start = 0, end = bytes.length, fatal = false): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return decodeLatin1(bytes, start, end);
  const units: number[] = [];
  let text = "";
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    let cp = -1;
    let size = 1;
    if (b < 0x80) {
      cp = b;
    } else if (b >= 0xc2 && b <= 0xdf) {
      size = 2;
      if (i + 1 < end && isCont(bytes[i + 1]!)) cp = ((b & 0x1f) << 6) | (bytes[i + 1]! & 0x3f);
    } else if (b >= 0xe0 && b <= 0xef) {
      size = 3;
      const lo = b === 0xe0 ? 0xa0 : 0x80;
      const hi = b === 0xed ? 0x9f : 0xbf;
      if (i + 2 < end && inRange(bytes[i + 1]!, lo, hi) && isCont(bytes[i + 2]!)) {
        cp = ((b & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
      }
    } else if (b >= 0xf0 && b <= 0xf4) {
      size = 4;
      const lo = b === 0xf0 ? 0x90 : 0x80;
      const hi = b === 0xf4 ? 0x8f : 0xbf;
      if (i + 3 < end && inRange(bytes[i + 1]!, lo, hi) && isCont(bytes[i + 2]!) && isCont(bytes[i + 3]!)) {
        cp = ((b & 0x07) << 18) | ((bytes[i + 1]! & 0x3f) << 12) | ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f);
      }
    }
    if (cp < 0) {
      if (fatal) throw new RangeError("invalid UTF-8 at byte " + (i - start));
      units.push(0xfffd);
      i += validPrefix(bytes, i, end);
    } else {
      if (cp >= 0x10000) {
        cp -= 0x10000;
        units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
      } else units.push(cp);
      i += size;
    }
    if (units.length >= CHUNK) {
      text += String.fromCharCode.apply(null, units);
      units.length = 0;
    }
  }
  return text + String.fromCharCode.apply(null, units);
}

/** Each byte becomes one code unit; the fast path for ASCII protocol text. */
export function decodeLatin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let text = "";
  for (let i = start; i < end; i += CHUNK) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + CHUNK)) as unknown as number[]);
  }
  return text;
}

/** For text known to be ASCII (header names, JSON that was escaped to ASCII). Other code units are truncated to 8 bits. */
export function encodeAscii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  let i = 0;
  for (const ch of text) {
    out[i++] = ch.charCodeAt(0);
    if (ch.length === 2) out[i++] = ch.charCodeAt(1); // a surrogate pair is two code units
  }
  return out;
}

/** A text codec in portable JavaScript: the memory host's, and the reference for the native ones. */
export const portableText: TextCodec = {
  encode: encodeUtf8,
  decode: (bytes, start, end) => decodeUtf8(bytes, start, end),
};

function isCont(b: number): boolean {
  return (b & 0xc0) === 0x80;
}

function inRange(b: number, lo: number, hi: number): boolean {
  return b >= lo && b <= hi;
}

/** Length of the maximal invalid subpart to replace with one U+FFFD (WHATWG "maximal subpart" rule). */
function validPrefix(bytes: Uint8Array, i: number, end: number): number {
  const b = bytes[i]!;
  let need = 0;
  let lo = 0x80;
  let hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) need = 1;
  else if (b >= 0xe0 && b <= 0xef) {
    need = 2;
    if (b === 0xe0) lo = 0xa0;
    if (b === 0xed) hi = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    need = 3;
    if (b === 0xf0) lo = 0x90;
    if (b === 0xf4) hi = 0x8f;
  } else return 1;
  let n = 1;
  for (let k = 0; k < need && i + n < end; k++) {
    const c = bytes[i + n]!;
    if (k === 0 ? !inRange(c, lo, hi) : !isCont(c)) break;
    n++;
  }
  return n;
}

const HEX = "0123456789abcdef";

export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]! >> 4]! + HEX[bytes[i]! & 15]!;
  return s;
}

/** Parses hex (either case); throws a RangeError on odd length or a non-hex digit. */
export function fromHex(text: string): Uint8Array {
  if (text.length % 2) throw new RangeError("odd hex length");
  const out = new Uint8Array(text.length / 2);
  let i = 0;
  let high = -1;
  for (const ch of text) {
    const d = hexDigit(ch.charCodeAt(0));
    if (d < 0 || ch.length !== 1) throw new RangeError("bad hex digit");
    if (high < 0) high = d;
    else {
      out[i++] = (high << 4) | d;
      high = -1;
    }
  }
  return out;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  c |= 0x20;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Base64 (RFC 4648 §4), or base64url without padding (§5) as JWT uses it. */
export function toBase64(bytes: Uint8Array, url = false): string {
  const a = url ? B64URL : B64;
  let s = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += a[n >> 18]! + a[(n >> 12) & 63]! + a[(n >> 6) & 63]! + a[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    s += a[n >> 18]! + a[(n >> 12) & 63]! + (url ? "" : "==");
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    s += a[n >> 18]! + a[(n >> 12) & 63]! + a[(n >> 6) & 63]! + (url ? "" : "=");
  }
  return s;
}

/**
 * Decodes base64 or base64url (either alphabet, padding optional). Throws a RangeError on any other
 * character, on misplaced padding, or on non-zero trailing bits (so every text has one decoding).
 */
export function fromBase64(text: string): Uint8Array {
  let end = text.length;
  if (end % 4 === 0 && text.endsWith("=")) end -= text.endsWith("==") ? 2 : 1;
  if (end % 4 === 1) throw new RangeError("bad base64 length");
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  let i = 0;
  for (const ch of text) {
    if (i++ >= end) break;
    const d = ch.length === 1 ? b64Digit(ch.charCodeAt(0)) : -1;
    if (d < 0) throw new RangeError("bad base64 character");
    value = (value << 6) | d;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  if (value & ((1 << bits) - 1)) throw new RangeError("bad base64 trailing bits");
  return out;
}

// regular expressions made per use: none may live in a module body (README, "The device's memory")
const BASE64URL = (): RegExp => /^[A-Za-z0-9_-]*$/;

/**
 * Decodes base64url without padding (RFC 4648 §5), strictly, as JWS requires (RFC 7515 §2): the
 * other alphabet or padding is a RangeError too, so a token has exactly one spelling.
 */
export function fromBase64Url(text: string): Uint8Array {
  if (!BASE64URL().test(text)) throw new RangeError("bad base64url character");
  return fromBase64(text);
}

function b64Digit(c: number): number {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c === 43 || c === 45) return 62;
  if (c === 47 || c === 95) return 63;
  return -1;
}

export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** `parts` one after another, in a new array. */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Compares in time that depends only on the lengths, for secrets. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
