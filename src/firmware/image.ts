/**
 * The signed firmware image: a 160-byte header, then the payload (the ESP32's app image, or the
 * simulator's bundle). Little-endian.
 *
 *   offset size
 *     0     8   magic "IOBXFW01"
 *     8     4   header length (160)
 *    12     4   payload length
 *    16     6   version: major, minor, patch (u16 each)
 *    22     2   0
 *    24     6   the lowest version this image may replace: major, minor, patch
 *    30     2   0
 *    32    16   board family, ASCII, NUL-padded ("esp32", "node")
 *    48    32   SHA-256 of the payload
 *    80    16   0
 *    96    64   ECDSA P-256 / SHA-256 signature (r‖s) of bytes 0–95, by the release key
 *
 * The signature covers the payload's hash, so it covers the whole image; the device checks it
 * before writing a byte of the payload, then hashes the payload as it writes and switches the boot
 * slot only when the hash matches.
 */
import { encodeAscii } from "../bytes.ts";

export const HEADER_LENGTH = 160;
const MAGIC = "IOBXFW01";
const SIGNED_LENGTH = 96;
const BOARD_LENGTH = 16;

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

export interface ImageHeader {
  payloadLength: number;
  version: Version;
  minVersion: Version;
  board: string;
  sha256: Uint8Array;
  /** Bytes 0–95: what the signature signs. */
  signed: Uint8Array;
  signature: Uint8Array;
}

export class ImageError extends Error {}

export function parseVersion(text: string): Version {
  const m = /^v?(\d{1,5})\.(\d{1,5})\.(\d{1,5})$/.exec(text);
  const parts = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (!m || parts.some((n) => n > 0xffff)) throw new RangeError(`"${text}" is not a version such as 1.2.3`);
  return { major: parts[0]!, minor: parts[1]!, patch: parts[2]! };
}

export function versionText(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** Reads a header; throws ImageError saying what is wrong with it. The signature is checked elsewhere (it needs the key). */
export function parseHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < HEADER_LENGTH) throw new ImageError(`an image starts with a ${HEADER_LENGTH}-byte header`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) throw new ImageError("not an iobox firmware image (no IOBXFW01 header)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_LENGTH);
  if (view.getUint32(8, true) !== HEADER_LENGTH) throw new ImageError("an image header of another format version");
  const version = (at: number): Version => ({ major: view.getUint16(at, true), minor: view.getUint16(at + 2, true), patch: view.getUint16(at + 4, true) });
  let board = "";
  for (let i = 32; i < 32 + BOARD_LENGTH && bytes[i] !== 0; i++) {
    const c = bytes[i]!;
    if (c < 0x21 || c > 0x7e) throw new ImageError("the image's board family is not ASCII");
    board += String.fromCharCode(c);
  }
  return {
    payloadLength: view.getUint32(12, true),
    version: version(16),
    minVersion: version(24),
    board,
    sha256: bytes.slice(48, 80),
    signed: bytes.slice(0, SIGNED_LENGTH),
    signature: bytes.slice(SIGNED_LENGTH, SIGNED_LENGTH + 64),
  };
}

/** The header's bytes 0–95 for a payload (the signing tool signs them and appends the signature). */
export function headerToSign(fields: { payloadLength: number; version: Version; minVersion: Version; board: string; sha256: Uint8Array }): Uint8Array {
  if (fields.board.length === 0 || fields.board.length > BOARD_LENGTH) throw new RangeError(`a board family is 1 to ${BOARD_LENGTH} characters`);
  if (fields.sha256.length !== 32) throw new RangeError("a SHA-256 is 32 bytes");
  const bytes = new Uint8Array(SIGNED_LENGTH);
  const view = new DataView(bytes.buffer);
  bytes.set(encodeAscii(MAGIC), 0);
  view.setUint32(8, HEADER_LENGTH, true);
  view.setUint32(12, fields.payloadLength, true);
  for (const [at, v] of [
    [16, fields.version],
    [24, fields.minVersion],
  ] as const) {
    view.setUint16(at, v.major, true);
    view.setUint16(at + 2, v.minor, true);
    view.setUint16(at + 4, v.patch, true);
  }
  bytes.set(encodeAscii(fields.board), 32);
  bytes.set(fields.sha256, 48);
  return bytes;
}
