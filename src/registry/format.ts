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
import type { TextCodec } from "../host.ts";
import { crc32 } from "../crc32.ts";

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

function encoded(text: TextCodec, entries: readonly Entry[]): { parts: Uint8Array[]; size: number } {
  const parts: Uint8Array[] = [];
  let size = 0;
  for (const [key, value] of entries) {
    const k = text.encode(key);
    const v = text.encode(value);
    if (k.length > 0xffff || v.length > 0xffff) throw new RangeError("registry entry too large to encode");
    parts.push(k, v);
    size += 4 + k.length + v.length;
  }
  return { parts, size };
}

export function encodeRecord(text: TextCodec, seq: number, entries: readonly Entry[]): Uint8Array {
  const { parts, size } = encoded(text, entries);
  const bodyLength = 6 + size;
  const w = new Writer(1 + 4 + bodyLength + 4);
  w.u8(RECORD_MAGIC);
  w.u32(bodyLength);
  const bodyStart = w.at;
  w.u32(seq);
  w.u16(entries.length);
  for (const p of parts) {
    w.u16(p.length);
    w.bytes(p);
  }
  w.u32(crc32(w.done(), bodyStart, w.at));
  return w.done();
}

export function encodeSnapshot(text: TextCodec, seq: number, entries: readonly Entry[]): Uint8Array {
  const { parts, size } = encoded(text, entries);
  const w = new Writer(8 + 4 + 4 + size + 4);
  w.bytes(SNAPSHOT_MAGIC);
  w.u32(seq);
  w.u32(entries.length);
  for (const p of parts) {
    w.u16(p.length);
    w.bytes(p);
  }
  w.u32(crc32(w.done(), 0, w.at));
  return w.done();
}

export interface JournalRecord {
  seq: number;
  entries: Entry[];
}

export interface DecodedJournal {
  records: JournalRecord[];
  /** Bytes of whole, valid records; anything after is a torn or corrupt tail. */
  validBytes: number;
}

/** Reads records up to the first one that is incomplete, corrupt or out of sequence. */
export function decodeJournal(text: TextCodec, bytes: Uint8Array): DecodedJournal {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: JournalRecord[] = [];
  let p = 0;
  while (p + 9 <= bytes.length) {
    if (bytes[p] !== RECORD_MAGIC) break;
    const bodyLength = view.getUint32(p + 1, true);
    const bodyStart = p + 5;
    if (bodyLength < 6 || bodyStart + bodyLength + 4 > bytes.length) break;
    if (crc32(bytes, bodyStart, bodyStart + bodyLength) !== view.getUint32(bodyStart + bodyLength, true)) break;
    const seq = view.getUint32(bodyStart, true);
    if (records.length && seq !== records[records.length - 1]!.seq + 1) break;
    const entries = readEntries(text, bytes, view, bodyStart + 6, bodyStart + bodyLength, view.getUint16(bodyStart + 4, true));
    if (!entries) break;
    records.push({ seq, entries });
    p = bodyStart + bodyLength + 4;
  }
  return { records, validBytes: p };
}

/** The snapshot, or undefined when it is not one (wrong magic, bad length, CRC mismatch). */
export function decodeSnapshot(text: TextCodec, bytes: Uint8Array): JournalRecord | undefined {
  if (bytes.length < 20) return undefined;
  for (let i = 0; i < 8; i++) if (bytes[i] !== SNAPSHOT_MAGIC[i]) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 4;
  if (crc32(bytes, 0, end) !== view.getUint32(end, true)) return undefined;
  const entries = readEntries(text, bytes, view, 16, end, view.getUint32(12, true));
  return entries ? { seq: view.getUint32(8, true), entries } : undefined;
}

/** The entries in `bytes[from, to)`, or undefined when they do not fill it exactly or are not UTF-8. */
function readEntries(text: TextCodec, bytes: Uint8Array, view: DataView, from: number, to: number, count: number): Entry[] | undefined {
  try {
    return readEntriesOrThrow(text, bytes, view, from, to, count);
  } catch {
    return undefined; // a native decoder refuses bytes that are not UTF-8
  }
}

function readEntriesOrThrow(text: TextCodec, bytes: Uint8Array, view: DataView, from: number, to: number, count: number): Entry[] | undefined {
  const entries: Entry[] = [];
  let p = from;
  for (let i = 0; i < count; i++) {
    if (p + 2 > to) return undefined;
    const kl = view.getUint16(p, true);
    if (p + 2 + kl + 2 > to) return undefined;
    const key = text.decode(bytes, p + 2, p + 2 + kl);
    p += 2 + kl;
    const vl = view.getUint16(p, true);
    if (p + 2 + vl > to) return undefined;
    const value = text.decode(bytes, p + 2, p + 2 + vl);
    p += 2 + vl;
    entries.push([key, value]);
  }
  return p === to ? entries : undefined;
}
