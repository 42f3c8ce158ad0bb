/**
 * The request head: finding its end incrementally (bytes may arrive in any split) under hard limits,
 * then parsing it once, whole. RFC 9112 §2–5, strict where leniency enables request smuggling
 * (whitespace before the colon, obsolete line folding, stray CR), lenient where real clients differ
 * (a bare LF ends a line, as §2.2 allows).
 */
import { decodeLatin1 } from "../bytes.ts";
import { HttpHeaders } from "./headers.ts";
import { HttpError } from "./status.ts";

export interface HeadLimits {
  /** Longest request line, bytes (414 beyond, when the target is what is long). */
  maxRequestLine: number;
  /** Whole head, request line and fields, bytes (431 beyond). */
  maxHeadBytes: number;
  /** Most header fields (431 beyond). */
  maxHeaders: number;
}

/** Scans for the end of a head. `scan` may be called again as more bytes arrive; it never rescans. */
export class HeadScanner {
  private pos = 0;
  private lineStart = 0;
  private lines = 0;

  constructor(private readonly limits: HeadLimits) {}

  reset(): void {
    this.pos = 0;
    this.lineStart = 0;
    this.lines = 0;
  }

  /**
   * Looks at `buf[from + pos .. from + length)`; returns the head's length (through its blank line)
   * once complete, or -1 when more bytes are needed. Throws HttpError on a limit or on bytes that
   * cannot start a request (a TLS handshake on the plain port is refused at its first byte).
   */
  scan(buf: Uint8Array, from: number, length: number): number {
    const { maxRequestLine, maxHeadBytes, maxHeaders } = this.limits;
    for (let i = this.pos; i < length; i++) {
      const b = buf[from + i]!;
      if (this.lines === 0 && i === this.lineStart && b !== 10 && b !== 13 && !isTchar(b)) throw new HttpError(400, "not an HTTP request");
      if (b !== 10) continue;
      const lineLength = i - this.lineStart;
      const empty = lineLength === 0 || (lineLength === 1 && buf[from + i - 1] === 13);
      if (empty) {
        if (this.lines === 0) {
          // RFC 9112 §2.2: ignore at least one empty line before the request line
          if (i >= 2) throw new HttpError(400, "empty request line");
          this.lineStart = i + 1;
          continue;
        }
        if (i + 1 > maxHeadBytes) throw new HttpError(431, "request head too large");
        this.pos = i + 1;
        return i + 1;
      }
      if (this.lines === 0 && lineLength > maxRequestLine) throw new HttpError(414, "request line too long");
      if (++this.lines > maxHeaders + 1) throw new HttpError(431, "too many header fields");
      this.lineStart = i + 1;
    }
    this.pos = length;
    if (this.lines === 0 && length - this.lineStart > maxRequestLine) throw new HttpError(414, "request line too long");
    if (length > maxHeadBytes) throw new HttpError(431, "request head too large");
    return -1;
  }
}

export interface RequestHead {
  method: string;
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: number;
  headers: HttpHeaders;
}

// tchar (RFC 9110 §5.6.2): ! # $ % & ' * + - . ^ _ ` | ~ DIGIT ALPHA
const TCHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  TCHAR[c] = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || "!#$%&'*+-.^_`|~".indexOf(String.fromCharCode(c)) >= 0 ? 1 : 0;
}

function isTchar(c: number): boolean {
  return c < 128 && TCHAR[c] === 1;
}

/** Parses a complete head `buf[from, from + length)` (as found by HeadScanner). */
export function parseHead(buf: Uint8Array, from: number, length: number): RequestHead {
  const end = from + length;
  let p = from;
  // leading empty line (see HeadScanner)
  while (p < end && (buf[p] === 13 || buf[p] === 10)) p++;
  const lineEnd = (start: number): number => {
    let i = start;
    while (i < end && buf[i] !== 10) i++;
    return i;
  };

  // request line: method SP request-target SP HTTP-version
  let le = lineEnd(p);
  let stop = le > p && buf[le - 1] === 13 ? le - 1 : le;
  let i = p;
  while (i < stop && isTchar(buf[i]!)) i++;
  if (i === p || i >= stop || buf[i] !== 32 || i - p > 32) throw new HttpError(400, "bad method");
  const method = decodeLatin1(buf, p, i);
  const targetStart = ++i;
  while (i < stop && buf[i]! > 32 && buf[i]! < 127) i++;
  if (i === targetStart || i >= stop || buf[i] !== 32) throw new HttpError(400, "bad request target");
  const target = decodeLatin1(buf, targetStart, i);
  i++;
  if (stop - i !== 8 || buf[i] !== 72 || buf[i + 1] !== 84 || buf[i + 2] !== 84 || buf[i + 3] !== 80 || buf[i + 4] !== 47 || buf[i + 6] !== 46) {
    throw new HttpError(400, "bad HTTP version");
  }
  const major = buf[i + 5]! - 48;
  const minorDigit = buf[i + 7]! - 48;
  if (major < 0 || major > 9 || minorDigit < 0 || minorDigit > 9) throw new HttpError(400, "bad HTTP version");
  if (major !== 1) throw new HttpError(505, "HTTP/" + major + "." + minorDigit + " not supported");
  const minor = minorDigit === 0 ? 0 : 1; // HTTP/1.2+ is answered as 1.1 (RFC 9110 §6.2)
  if (findCR(buf, p, stop)) throw new HttpError(400, "stray CR in request line");

  // field lines: name ":" OWS value OWS
  const pairs: string[] = [];
  p = le + 1;
  for (;;) {
    le = lineEnd(p);
    stop = le > p && buf[le - 1] === 13 ? le - 1 : le;
    if (stop === p) break; // the blank line
    const first = buf[p]!;
    if (first === 32 || first === 9) throw new HttpError(400, "obsolete line folding");
    let c = p;
    while (c < stop && isTchar(buf[c]!)) c++;
    if (c === p || c >= stop || buf[c] !== 58) throw new HttpError(400, "bad header field name");
    let vs = c + 1;
    let ve = stop;
    while (vs < ve && (buf[vs] === 32 || buf[vs] === 9)) vs++;
    while (ve > vs && (buf[ve - 1] === 32 || buf[ve - 1] === 9)) ve--;
    for (let k = vs; k < ve; k++) {
      const b = buf[k]!;
      if ((b < 32 && b !== 9) || b === 127) throw new HttpError(400, "control character in header field value");
    }
    pairs.push(lowerName(buf, p, c), decodeLatin1(buf, vs, ve));
    p = le + 1;
  }
  return { method, target, minor, headers: new HttpHeaders(pairs) };
}

function findCR(buf: Uint8Array, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (buf[k] === 13) return true;
  return false;
}

// Common field names, interned so that a typical request allocates no string for them.
const KNOWN = [
  "host",
  "connection",
  "content-length",
  "content-type",
  "transfer-encoding",
  "upgrade",
  "authorization",
  "cookie",
  "accept",
  "accept-encoding",
  "accept-language",
  "user-agent",
  "origin",
  "expect",
  "if-none-match",
  "cache-control",
  "pragma",
  "referer",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-protocol",
  "sec-websocket-extensions",
];

function lowerName(buf: Uint8Array, from: number, to: number): string {
  const n = to - from;
  outer: for (const name of KNOWN) {
    if (name.length !== n) continue;
    for (let k = 0; k < n; k++) if ((buf[from + k]! | 0x20) !== name.charCodeAt(k)) continue outer;
    return name;
  }
  return decodeLatin1(buf, from, to).toLowerCase();
}
