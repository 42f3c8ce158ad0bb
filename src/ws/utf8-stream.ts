/**
 * Streaming UTF-8 validation (RFC 3629): text split across fragments and reads is checked as it
 * arrives, so a WebSocket fails on the first bad byte (RFC 6455 §8.1) instead of at the message end.
 * The state is one integer: 0 at a character boundary, otherwise the continuation bytes still
 * needed and the range the next one must fall in.
 */

export const UTF8_INVALID = -1;

/** Checks `bytes[start, end)` continuing from `state`; returns the new state or UTF8_INVALID. */
export function utf8Continue(state: number, bytes: Uint8Array, start: number, end: number): number {
  let need = state & 3;
  let lo = (state >> 8) & 0xff;
  let hi = (state >> 16) & 0xff;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (need === 0) {
      if (b < 0x80) continue;
      if (b >= 0xc2 && b <= 0xdf) {
        need = 1;
        lo = 0x80;
        hi = 0xbf;
      } else if (b >= 0xe0 && b <= 0xef) {
        need = 2;
        lo = b === 0xe0 ? 0xa0 : 0x80; // no overlongs
        hi = b === 0xed ? 0x9f : 0xbf; // no surrogates
      } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3;
        lo = b === 0xf0 ? 0x90 : 0x80;
        hi = b === 0xf4 ? 0x8f : 0xbf; // nothing above U+10FFFF
      } else return UTF8_INVALID;
    } else {
      if (b < lo || b > hi) return UTF8_INVALID;
      need--;
      lo = 0x80;
      hi = 0xbf;
    }
  }
  return need === 0 ? 0 : need | (lo << 8) | (hi << 16);
}
