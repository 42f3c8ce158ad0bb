/**
 * The registry on flash: a snapshot, written atomically, and a journal of the group writes made
 * since, appended. Little-endian integers; strings are length-prefixed UTF-8.
 *
 *   journal  = record*
 *   record   = 0xA5, bodyLength u32, body, crc32(body) u32
 *   body     = seq u32, count u16, (keyLength u16, key, valueLength u16, value) * count
 *              (an empty value removes the key)
 *   snapshot = "IOBXREG1", seq u32, count u32, (keyLength u16, key, valueLength u16, value) * count,
 *              crc32(everything before) u32
 *
 * A record is the unit of atomicity: a group write is one record, and a record that is torn or
 * fails its CRC ends the journal (it, and anything after it, never happened). `seq` numbers the
 * records; the snapshot says which record it includes up to, so replaying a journal over a newer
 * snapshot (a compaction cut short by a power cut) changes nothing.
 */
import { encodeUtf8Into, utf8Length } from "../bytes.ts";
import { crc32 } from "../crc32.ts";
import type { TextCodec } from "../host.ts";

export type Entry = [key: string, value: string];

const RECORD_MAGIC = 0xa5;
const SNAPSHOT_MAGIC = [0x49, 0x4f, 0x42, 0x58, 0x52, 0x45, 0x47, 0x31]; // "IOBXREG1"

class Writer {
  private buf: Uint8Array;
  private view: DataView;
  at = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  u8(v: number): void {
    this.view.setUint8(this.at, v);
    this.at += 1;
  }

  u16(v: number): void {
    this.view.setUint16(this.at, v, true);
    this.at += 2;
  }

  u32(v: number): void {
    this.view.setUint32(this.at, v >>> 0, true);
    this.at += 4;
  }

  bytes(b: Uint8Array | readonly number[]): void {
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  done(): Uint8Array {
    return this.buf;
  }
}

/** Entries visited in order, so that encoding a snapshot makes no list of them (a device's heap would not hold one). */
export type EachEntry = (visit: (key: string, value: string) => void) => void;

function entryBytes(key: string, value: string): number {
  const k = utf8Length(key);
  const v = utf8Length(value);
  if (k > 0xffff || v > 0xffff) throw new RangeError("registry entry too large to encode");
  return 4 + k + v;
}

function writeEntry(w: Writer, key: string, value: string): void {
  for (const s of [key, value]) {
    w.u16(utf8Length(s));
    w.at = encodeUtf8Into(s, w.done(), w.at);
  }
}

export function encodeRecord(seq: number, entries: readonly Entry[]): Uint8Array {
  let size = 0;
  for (const [key, value] of entries) size += entryBytes(key, value);
  const bodyLength = 6 + size;
  const w = new Writer(1 + 4 + bodyLength + 4);
  w.u8(RECORD_MAGIC);
  w.u32(bodyLength);
  const bodyStart = w.at;
  w.u32(seq);
  w.u16(entries.length);
  for (const [key, value] of entries) writeEntry(w, key, value);
  w.u32(crc32(w.done(), bodyStart, w.at));
  return w.done();
}

/** Two passes over the entries: their size, then their bytes, written straight into the snapshot. */
export function encodeSnapshot(seq: number, each: EachEntry): Uint8Array {
  let size = 0;
  let count = 0;
  each((key, value) => {
    size += entryBytes(key, value);
    count++;
  });
  const w = new Writer(8 + 4 + 4 + size + 4);
  w.bytes(SNAPSHOT_MAGIC);
  w.u32(seq);
  w.u32(count);
  each((key, value) => writeEntry(w, key, value));
  w.u32(crc32(w.done(), 0, w.at));
  return w.done();
}

/**
 * Replays the journal record by record, up to the first one that is incomplete, corrupt or out of
 * sequence; returns the bytes of whole, valid records (anything after is a torn or corrupt tail).
 * Each record reaches `onRecord` only once it is known whole.
 */
export function readJournal(text: TextCodec, bytes: Uint8Array, onRecord: (seq: number, entries: Entry[]) => void): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  let last = -1;
  while (p + 9 <= bytes.length) {
    if (bytes[p] !== RECORD_MAGIC) break;
    const bodyLength = view.getUint32(p + 1, true);
    const bodyStart = p + 5;
    if (bodyLength < 6 || bodyStart + bodyLength + 4 > bytes.length) break;
    if (crc32(bytes, bodyStart, bodyStart + bodyLength) !== view.getUint32(bodyStart + bodyLength, true)) break;
    const seq = view.getUint32(bodyStart, true);
    if (last >= 0 && seq !== last + 1) break;
    const entries: Entry[] = [];
    if (!readEntries(text, bytes, view, bodyStart + 6, bodyStart + bodyLength, view.getUint16(bodyStart + 4, true), (key, value) => entries.push([key, value]))) break;
    onRecord(seq, entries);
    last = seq;
    p = bodyStart + bodyLength + 4;
  }
  return p;
}

/**
 * The snapshot's sequence number, its entries given to `onEntry` one by one; undefined when it is
 * not a snapshot (wrong magic, bad length, CRC mismatch). Its layout is checked whole before the
 * first entry is given, so a bad one gives none.
 */
export function readSnapshot(text: TextCodec, bytes: Uint8Array, onEntry: (key: string, value: string) => void): number | undefined {
  if (bytes.length < 20) return undefined;
  for (let i = 0; i < 8; i++) if (bytes[i] !== SNAPSHOT_MAGIC[i]) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 4;
  if (crc32(bytes, 0, end) !== view.getUint32(end, true)) return undefined;
  const count = view.getUint32(12, true);
  if (!readEntries(text, bytes, view, 16, end, count, undefined)) return undefined;
  return readEntries(text, bytes, view, 16, end, count, onEntry) ? view.getUint32(8, true) : undefined;
}

/**
 * Walks the entries in `bytes[from, to)`: whether they fill it exactly (and, with `onEntry`, are
 * UTF-8: a native decoder refuses bytes that are not).
 */
function readEntries(text: TextCodec, bytes: Uint8Array, view: DataView, from: number, to: number, count: number, onEntry: ((key: string, value: string) => void) | undefined): boolean {
  let p = from;
  try {
    for (let i = 0; i < count; i++) {
      if (p + 2 > to) return false;
      const kl = view.getUint16(p, true);
      if (p + 2 + kl + 2 > to) return false;
      const keyAt = p + 2;
      p += 2 + kl;
      const vl = view.getUint16(p, true);
      if (p + 2 + vl > to) return false;
      if (onEntry) onEntry(text.decode(bytes, keyAt, keyAt + kl), text.decode(bytes, p + 2, p + 2 + vl));
      p += 2 + vl;
    }
  } catch {
    return false;
  }
  return p === to;
}
