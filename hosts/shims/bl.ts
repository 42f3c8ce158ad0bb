/**
 * The npm package `bl` where Node is absent: the byte list mqtt-packet's parser reads packets from.
 * bl's main module brings readable-stream, and even its bare BufferList.js cannot load on a device:
 * it assigns `BufferList.prototype.toString`, and with Object.prototype frozen in ROM (as on
 * Moddable, and in our XS runs) that assignment throws. So this is BufferList's behaviour, with bl's
 * rules for offsets, for exactly what the parser calls: `bl()`, append, consume, length, slice,
 * toString and readUInt8/16BE/32BE. One difference: a read at a negative offset, which the parser
 * never makes, is a RangeError here (bl would count from the end).
 */
import { Buffer } from "./buffer.ts";

class BufferList {
  length = 0;
  #chunks: Buffer[] = [];

  /** Keeps a view, not a copy, as bl does: the caller must not reuse the bytes (PacketReader never does). */
  append(bytes: Uint8Array): this {
    if (!(bytes instanceof Uint8Array)) throw new TypeError("only bytes can be appended here");
    if (!bytes.length) return this; // an empty chunk would only be skipped over by every read
    this.#chunks.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    this.length += bytes.length;
    return this;
  }

  consume(bytes: number): this {
    bytes = Math.trunc(bytes);
    if (!(bytes > 0)) return this;
    const chunks = this.#chunks;
    while (chunks.length) {
      const first = chunks[0]!;
      if (bytes >= first.length) {
        bytes -= first.length;
        this.length -= first.length;
        chunks.shift();
      } else {
        chunks[0] = first.slice(bytes);
        this.length -= bytes;
        break;
      }
    }
    return this;
  }

  /**
   * bl's rules: negative ends count from the end; inside one chunk it is a view, across chunks a
   * copy, and the whole of a one-chunk list is that chunk itself.
   */
  slice(start?: number, end?: number): Buffer {
    const n = this.length;
    const from = typeof start !== "number" ? 0 : start < 0 ? Math.max(start + n, 0) : start;
    const to = typeof end !== "number" ? n : end < 0 ? end + n : Math.min(end, n);
    if (from >= n || to <= 0) return Buffer.alloc(0);
    const chunks = this.#chunks;
    if (from === 0 && to === n) return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, n);
    let i = 0;
    let at = from;
    while (at >= chunks[i]!.length) at -= chunks[i++]!.length;
    const size = to - from;
    if (size <= chunks[i]!.length - at) return chunks[i]!.slice(at, at + size);
    const out = Buffer.allocUnsafe(size);
    for (let filled = 0; filled < size; i++, at = 0) filled += chunks[i]!.copy(out, filled, at);
    return out;
  }

  toString(encoding?: string, start?: number, end?: number): string {
    return this.slice(start, end).toString(encoding);
  }

  readUInt8(offset = 0): number {
    return this.#read(offset, 1);
  }

  readUInt16BE(offset = 0): number {
    return this.#read(offset, 2);
  }

  readUInt32BE(offset = 0): number {
    return this.#read(offset, 4);
  }

  #read(offset: number, size: number): number {
    if (!(offset >= 0 && offset + size <= this.length)) throw new RangeError(`${size} bytes at ${offset} are outside a ${this.length}-byte list`);
    const chunks = this.#chunks;
    let i = 0;
    while (offset >= chunks[i]!.length) offset -= chunks[i++]!.length;
    let value = 0;
    for (let k = 0; k < size; k++) {
      if (offset === chunks[i]!.length) {
        i++;
        offset = 0;
      }
      value = value * 256 + chunks[i]![offset++]!;
    }
    return value;
  }
}

/** mqtt-packet calls the module itself to make a list. */
function bl(): BufferList {
  return new BufferList();
}

export = bl;
