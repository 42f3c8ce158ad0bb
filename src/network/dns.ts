/**
 * DNS messages (RFC 1035 §4), as the captive DNS and the mDNS responder (RFC 6762) need them:
 * questions and resource records, with mDNS's two class bits (a question's "unicast response",
 * a record's "cache flush"). Parsing is bounded for what arrives from anyone on the network: at
 * most 1,500 bytes, 32 entries per section, names of 255 bytes, 16 compression pointers per name;
 * anything else is a DnsError, never a crash. Names are written uncompressed.
 */
import { decodeUtf8, encodeUtf8 } from "../bytes.ts";

export const TYPE_A = 1;
export const TYPE_PTR = 12;
export const TYPE_TXT = 16;
export const TYPE_AAAA = 28;
export const TYPE_SRV = 33;
export const TYPE_ANY = 255;
const CLASS_IN = 1;
/** mDNS: the top bit of a question's class asks for a unicast answer, of a record's class flushes caches. */
const CLASS_TOP = 0x8000;

export const MAX_DNS_MESSAGE = 1500;
const MAX_ENTRIES = 32;
const MAX_NAME = 255;
const MAX_POINTERS = 16;

export interface DnsQuestion {
  name: string;
  type: number;
  /** mDNS QU: the asker wants the answer sent to it alone. */
  unicast?: boolean;
}

export interface DnsRecord {
  name: string;
  type: number;
  /** mDNS: this record replaces what caches hold for its name and type. */
  flush?: boolean;
  ttl: number;
  data: Uint8Array;
}

export interface DnsMessage {
  id: number;
  /** QR, opcode, AA, TC, RD, RA, rcode as in the header. */
  flags: number;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

export const FLAG_RESPONSE = 0x8000;
export const FLAG_AUTHORITATIVE = 0x0400;

export class DnsError extends Error {}

class Reader {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}

  u8(): number {
    if (this.at >= this.bytes.length) throw new DnsError("truncated");
    return this.bytes[this.at++]!;
  }

  u16(): number {
    return (this.u8() << 8) | this.u8();
  }

  u32(): number {
    return this.u16() * 65536 + this.u16();
  }

  take(n: number): Uint8Array {
    if (this.at + n > this.bytes.length) throw new DnsError("truncated");
    const out = this.bytes.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }

  name(): string {
    const labels: string[] = [];
    let at = this.at;
    let jumped = false;
    let pointers = 0;
    let length = 0;
    for (;;) {
      if (at >= this.bytes.length) throw new DnsError("truncated name");
      const n = this.bytes[at]!;
      if ((n & 0xc0) === 0xc0) {
        if (at + 1 >= this.bytes.length) throw new DnsError("truncated name");
        if (++pointers > MAX_POINTERS) throw new DnsError("too many compression pointers");
        if (!jumped) this.at = at + 2;
        jumped = true;
        at = ((n & 0x3f) << 8) | this.bytes[at + 1]!;
        continue;
      }
      if (n & 0xc0) throw new DnsError("bad label");
      if (n === 0) {
        if (!jumped) this.at = at + 1;
        return labels.join(".");
      }
      if (at + 1 + n > this.bytes.length) throw new DnsError("truncated label");
      length += n + 1;
      if (length > MAX_NAME) throw new DnsError("name too long");
      labels.push(decodeUtf8(this.bytes, at + 1, at + 1 + n));
      at += 1 + n;
    }
  }

  record(): DnsRecord {
    const name = this.name();
    const type = this.u16();
    const cls = this.u16();
    const ttl = this.u32();
    const data = this.take(this.u16());
    return { name, type, flush: (cls & CLASS_TOP) !== 0, ttl, data };
  }
}

export function parseDns(bytes: Uint8Array): DnsMessage {
  if (bytes.length > MAX_DNS_MESSAGE) throw new DnsError("message too large");
  const r = new Reader(bytes);
  const id = r.u16();
  const flags = r.u16();
  const counts = [r.u16(), r.u16(), r.u16(), r.u16()];
  if (counts.some((c) => c > MAX_ENTRIES)) throw new DnsError("too many entries");
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < counts[0]!; i++) {
    const name = r.name();
    const type = r.u16();
    const cls = r.u16();
    questions.push({ name, type, unicast: (cls & CLASS_TOP) !== 0 });
  }
  const section = (n: number): DnsRecord[] => {
    const out: DnsRecord[] = [];
    for (let i = 0; i < n; i++) out.push(r.record());
    return out;
  };
  return { id, flags, questions, answers: section(counts[1]!), authorities: section(counts[2]!), additionals: section(counts[3]!) };
}

function nameBytes(name: string): number[] {
  const out: number[] = [];
  for (const label of name.split(".")) {
    if (label === "") continue;
    const b = encodeUtf8(label);
    if (b.length > 63) throw new DnsError("label too long: " + label);
    out.push(b.length, ...b);
  }
  out.push(0);
  if (out.length > MAX_NAME) throw new DnsError("name too long");
  return out;
}

export function encodeDns(m: DnsMessage): Uint8Array {
  const out: number[] = [m.id >> 8, m.id & 0xff, m.flags >> 8, m.flags & 0xff];
  const u16 = (v: number): void => void out.push((v >> 8) & 0xff, v & 0xff);
  for (const n of [m.questions.length, m.answers.length, m.authorities.length, m.additionals.length]) u16(n);
  for (const q of m.questions) {
    out.push(...nameBytes(q.name));
    u16(q.type);
    u16(CLASS_IN | (q.unicast ? CLASS_TOP : 0));
  }
  for (const rr of [...m.answers, ...m.authorities, ...m.additionals]) {
    out.push(...nameBytes(rr.name));
    u16(rr.type);
    u16(CLASS_IN | (rr.flush ? CLASS_TOP : 0));
    u16(Math.floor(rr.ttl / 65536));
    u16(rr.ttl & 0xffff);
    u16(rr.data.length);
    for (const b of rr.data) out.push(b);
  }
  if (out.length > MAX_DNS_MESSAGE) throw new DnsError("message too large");
  return new Uint8Array(out);
}

// --- record data ----------------------------------------------------------------------------------

export function aData(address: string): Uint8Array {
  return new Uint8Array(address.split(".").map(Number));
}

export function aAddress(data: Uint8Array): string {
  return data.length === 4 ? Array.from(data).join(".") : "";
}

/** PTR data: a name. */
export function nameData(name: string): Uint8Array {
  return new Uint8Array(nameBytes(name));
}

export function srvData(port: number, target: string): Uint8Array {
  return new Uint8Array([0, 0, 0, 0, port >> 8, port & 0xff, ...nameBytes(target)]);
}

/** TXT data: `key=value` strings (RFC 6763 §6), each at most 255 bytes. */
export function txtData(entries: readonly [string, string][]): Uint8Array {
  const out: number[] = [];
  for (const [k, v] of entries) {
    const b = encodeUtf8(`${k}=${v}`);
    if (b.length > 255) throw new DnsError("TXT entry too long: " + k);
    out.push(b.length, ...b);
  }
  if (!out.length) out.push(0);
  return new Uint8Array(out);
}

/** A name's place in a message, for comparisons: DNS names are case-insensitive (ASCII). */
export function sameName(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b.toLowerCase();
}

export function nameOf(data: Uint8Array): string {
  return new Reader(data).name();
}
