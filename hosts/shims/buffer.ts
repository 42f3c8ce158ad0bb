/**
 * Node's `buffer` module where Node is absent (the device, the XS tests): exactly as much of Node's
 * Buffer as mqtt-packet (constants, numbers, generate, writeToStream) and ./bl.ts call, with Node's
 * semantics for those calls. The npm `buffer` polyfill has all of Node's API: 25 KB of a 73 KB
 * minified MQTT bundle, where this is 2 KB. bl's BufferList reads through Buffer#readUInt8/16BE/32BE;
 * ./bl.ts reads its chunks itself, so those are not here. Text is UTF-8 only: nothing here asks for
 * another encoding, and one that did would get an error rather than wrong bytes.
 *
 * Being a Uint8Array subclass, `subarray` (and `slice`, a view in Node) give Buffers through
 * Uint8Array's Symbol.species, which is inherited: nothing is assigned to the frozen built-ins.
 */
import { decodeUtf8, encodeUtf8Into, utf8Length } from "../../src/bytes.ts";

export class Buffer extends Uint8Array {
  /** An array or Uint8Array is copied; an ArrayBuffer is viewed, as in Node; a string is UTF-8. */
  static override from(value: unknown, byteOffsetOrEncoding?: unknown, length?: unknown): Buffer {
    if (typeof value === "string") {
      utf8Only(byteOffsetOrEncoding);
      const out = new Buffer(utf8Length(value));
      encodeUtf8Into(value, out, 0);
      return out;
    }
    if (value instanceof ArrayBuffer) {
      const offset = (byteOffsetOrEncoding as number | undefined) ?? 0;
      return new Buffer(value, offset, (length as number | undefined) ?? value.byteLength - offset);
    }
    const source = value as ArrayLike<number>;
    const out = new Buffer(source.length);
    out.set(source);
    return out;
  }

  static alloc(size: number): Buffer {
    return new Buffer(size);
  }

  /** Zeroed all the same: a typed array cannot be made without. */
  static allocUnsafe(size: number): Buffer {
    return new Buffer(size);
  }

  static byteLength(value: string | ArrayBufferView | ArrayBuffer, encoding?: string): number {
    if (typeof value !== "string") return value.byteLength;
    utf8Only(encoding);
    return utf8Length(value);
  }

  static isBuffer(value: unknown): value is Buffer {
    return value instanceof Buffer;
  }

  static concat(list: readonly Uint8Array[], totalLength?: number): Buffer {
    let total = totalLength ?? 0;
    if (totalLength === undefined) for (const b of list) total += b.length;
    const out = new Buffer(total);
    let at = 0;
    for (const b of list) {
      if (at >= total) break;
      const n = Math.min(b.length, total - at);
      out.set(n === b.length ? b : b.subarray(0, n), at);
      at += n;
    }
    return out;
  }

  /** UTF-8; as in Node, a character that does not fit whole is left out. Returns the bytes written. */
  write(text: string, offset = 0): number {
    if (offset < 0 || offset > this.length) throw new RangeError(`offset ${offset} is outside the buffer`);
    const room = this.length - offset;
    // text.length * 3 bounds its UTF-8 size, so the common case encodes in one pass
    if (text.length * 3 <= room || utf8Length(text) <= room) return encodeUtf8Into(text, this, offset) - offset;
    const bytes = Buffer.from(text);
    let end = room;
    while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // back to the start of the cut character
    this.set(bytes.subarray(0, end), offset);
    return end;
  }

  writeUInt8(value: number, offset = 0): number {
    return put(this, value, offset, 1);
  }

  writeUInt32BE(value: number, offset = 0): number {
    return put(this, value, offset, 4);
  }

  /** Copies into `target` as much as fits; returns the bytes copied. */
  copy(target: Uint8Array, targetStart = 0, sourceStart = 0, sourceEnd = this.length): number {
    if (targetStart < 0 || sourceStart < 0) throw new RangeError("negative copy offset");
    const n = Math.min(Math.min(sourceEnd, this.length) - sourceStart, target.length - targetStart);
    if (n <= 0) return 0;
    target.set(this.subarray(sourceStart, sourceStart + n), targetStart);
    return n;
  }

  /** A view, as Node's Buffer#slice is (Uint8Array's copies). */
  override slice(start?: number, end?: number): Buffer {
    return this.subarray(start, end) as Buffer;
  }

  override toString(encoding?: string, start = 0, end = this.length): string {
    utf8Only(encoding);
    start = Math.max(start, 0);
    end = Math.min(end, this.length);
    return end > start ? decodeUtf8(this, start, end) : "";
  }
}

// Node throws on these too; without the checks a typed array would drop the write silently
function put(b: Uint8Array, value: number, offset: number, size: number): number {
  if (!(offset >= 0 && offset + size <= b.length && offset % 1 === 0)) throw new RangeError(`${size} bytes at ${offset} are outside a ${b.length}-byte buffer`);
  if (!(value >= 0 && value < 2 ** (size * 8))) throw new RangeError(`${value} does not fit in ${size} bytes`);
  for (let i = offset + size - 1; i >= offset; i--) {
    b[i] = value & 0xff;
    value = Math.floor(value / 256);
  }
  return offset + size;
}

function utf8Only(encoding: unknown): void {
  if (encoding !== undefined && encoding !== "utf8" && encoding !== "utf-8") throw new TypeError(`encoding ${String(encoding)} is not supported here`);
}
