/**
 * Decodes a chunked request body (RFC 9112 §7.1) incrementally: sizes in hex with optional
 * extensions (ignored), data, then trailer fields (ignored, but bounded) and the final blank line.
 */
import { HttpError } from "./status.ts";

const SIZE = 0;
const SIZE_LINE = 1; // after the digits: extensions until LF
const DATA = 2;
const DATA_CR = 3;
const DATA_LF = 4;
const TRAILER = 5;
const DONE = 6;

const MAX_LINE = 256; // a size line or a trailer line
const MAX_TRAILER = 4096;

export interface BodySink {
  bodyData(buf: Uint8Array, from: number, to: number): void;
}

export class ChunkedDecoder {
  private state = SIZE;
  private size = 0;
  private digits = 0;
  private line = 0;
  private trailer = 0;
  private total = 0;

  /** `maxBody` bounds the decoded length (413 beyond). */
  constructor(private readonly maxBody: number) {}

  get done(): boolean {
    return this.state === DONE;
  }

  /**
   * Consumes bytes from `buf[start, end)`, handing each run of body bytes to `sink`. Returns the
   * index after the last byte consumed (less than `end` once the body is complete).
   */
  feed(buf: Uint8Array, start: number, end: number, sink: BodySink): number {
    let i = start;
    while (i < end && this.state !== DONE) {
      const b = buf[i]!;
      switch (this.state) {
        case SIZE: {
          const d = hexValue(b);
          if (d >= 0) {
            if (++this.digits > 8) throw new HttpError(413, "chunk size too large");
            this.size = this.size * 16 + d;
            i++;
            break;
          }
          if (this.digits === 0) throw new HttpError(400, "bad chunk size");
          this.state = SIZE_LINE;
          this.line = 0;
          break;
        }
        case SIZE_LINE:
          i++;
          if (b === 10) {
            this.total += this.size;
            if (this.total > this.maxBody) throw new HttpError(413, "body too large");
            this.state = this.size === 0 ? TRAILER : DATA;
            this.line = 0;
          } else if (++this.line > MAX_LINE || (b < 32 && b !== 9 && b !== 13)) {
            throw new HttpError(400, "bad chunk extension");
          }
          break;
        case DATA: {
          const n = Math.min(this.size, end - i);
          sink.bodyData(buf, i, i + n);
          this.size -= n;
          i += n;
          if (this.size === 0) this.state = DATA_CR;
          break;
        }
        case DATA_CR:
          if (b === 13) {
            i++;
            this.state = DATA_LF;
            break;
          }
          this.state = DATA_LF; // a bare LF is tolerated, as in the head
          break;
        case DATA_LF:
          if (b !== 10) throw new HttpError(400, "chunk data not followed by CRLF");
          i++;
          this.state = SIZE;
          this.size = 0;
          this.digits = 0;
          break;
        case TRAILER:
          i++;
          if (++this.trailer > MAX_TRAILER) throw new HttpError(431, "trailer too large");
          if (b === 10) {
            if (this.line === 0) this.state = DONE;
            this.line = 0;
          } else if (b !== 13) this.line++;
          break;
      }
    }
    return i;
  }
}

function hexValue(b: number): number {
  if (b >= 48 && b <= 57) return b - 48;
  const l = b | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}
