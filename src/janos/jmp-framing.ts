/**
 * JMP framing on TCP port 9220 (janos.md §2.2): each JSON object travels as `[N,{json}]`, N the
 * byte count of the JSON text.
 *
 * Receiving follows INTEG's documented algorithm, which real clients rely on: find `[`, read the
 * digits up to `,` (white-space allowed around them: the C++ client sends `[N ,{...}]`), skip
 * white-space, take exactly N bytes, skip white-space, require `]`. A frame with a bad number, no
 * comma or no `]` is ignored whole, and parsing resumes at the next `[`. Several frames per read
 * and frames split across reads are both normal.
 *
 * Sending is compact and ASCII-only (`[20,{"Message":"Status"}]`): pyJmp accepts no white-space,
 * and ASCII makes the byte count equal the character count that pyJmp and C# compute.
 */

const SEEK = 0; // looking for "["
const LENGTH = 1; // in or around the digits, before ","
const BEFORE_BODY = 2; // white-space after ","
const BODY = 3; // collecting N bytes
const SKIP = 4; // discarding the N bytes of a message too large to take
const CLOSE = 5; // white-space, then "]"

const MAX_DIGITS = 9;

export interface JmpReceiver {
  /** One whole frame's JSON bytes, `bytes[start, end)`; valid only during the call. */
  onJmpMessage(bytes: Uint8Array, start: number, end: number): void;
  /** A frame announced `length` bytes, more than the limit; its bytes are skipped. */
  onJmpOversize(length: number): void;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/**
 * The receive side of one JMP connection. It holds no buffer between frames; a frame split across
 * reads is gathered into one buffer of exactly its size.
 */
export class JmpParser {
  /** Frames ignored for bad framing since the connection opened (for logs). */
  invalid = 0;
  private state = SEEK;
  private length = 0;
  private digits = 0;
  private sawSpaceAfterDigits = false;
  private remaining = 0;
  private body: Uint8Array | undefined;
  private filled = 0;
  private oversize = false;

  constructor(private readonly maxMessage: number) {}

  parse(bytes: Uint8Array, receiver: JmpReceiver): void {
    const end = bytes.length;
    let i = 0;
    while (i < end) {
      switch (this.state) {
        case SEEK: {
          const at = bytes.indexOf(0x5b, i);
          if (at < 0) return;
          i = at + 1;
          this.state = LENGTH;
          this.length = 0;
          this.digits = 0;
          this.sawSpaceAfterDigits = false;
          break;
        }
        case LENGTH: {
          const b = bytes[i]!;
          if (b >= 0x30 && b <= 0x39 && !this.sawSpaceAfterDigits && this.digits < MAX_DIGITS) {
            this.length = this.length * 10 + (b - 0x30);
            this.digits++;
            i++;
          } else if (isSpace(b)) {
            if (this.digits) this.sawSpaceAfterDigits = true;
            i++;
          } else if (b === 0x2c && this.digits) {
            i++;
            this.state = BEFORE_BODY;
          } else {
            this.reject(); // reprocess this byte: it may be the "[" of the next frame
          }
          break;
        }
        case BEFORE_BODY: {
          if (isSpace(bytes[i]!)) {
            i++;
            break;
          }
          this.beginBody(receiver);
          break;
        }
        case BODY: {
          const take = Math.min(this.remaining, end - i);
          if (!this.body && take === this.remaining) {
            // the whole body is in this read: deliver it in place if its "]" is here too
            const close = this.closeAt(bytes, i + take);
            if (close >= 0) {
              receiver.onJmpMessage(bytes, i, i + take);
              i = close + 1;
              this.state = SEEK;
              break;
            }
          }
          this.body ??= new Uint8Array(this.length);
          this.body.set(bytes.subarray(i, i + take), this.filled);
          this.filled += take;
          this.remaining -= take;
          i += take;
          if (!this.remaining) this.state = CLOSE;
          break;
        }
        case SKIP: {
          const take = Math.min(this.remaining, end - i);
          this.remaining -= take;
          i += take;
          if (!this.remaining) this.state = CLOSE;
          break;
        }
        case CLOSE: {
          const b = bytes[i]!;
          if (isSpace(b)) {
            i++;
            break;
          }
          if (b !== 0x5d) {
            this.reject();
            break;
          }
          i++;
          const body = this.body;
          const complete = !this.oversize;
          this.body = undefined;
          this.oversize = false;
          this.state = SEEK;
          if (body && complete) receiver.onJmpMessage(body, 0, body.length);
          break;
        }
      }
    }
  }

  private beginBody(receiver: JmpReceiver): void {
    this.remaining = this.length;
    this.filled = 0;
    this.body = undefined;
    this.oversize = this.length > this.maxMessage;
    if (this.oversize) {
      receiver.onJmpOversize(this.length);
      this.state = this.length ? SKIP : CLOSE;
    } else if (this.length === 0) {
      this.body = new Uint8Array(0);
      this.state = CLOSE;
    } else {
      this.state = BODY;
    }
  }

  /** The index of the "]" that closes a frame whose body ends at `from`, or -1 if not in `bytes`. */
  private closeAt(bytes: Uint8Array, from: number): number {
    for (let j = from; j < bytes.length; j++) {
      const b = bytes[j]!;
      if (b === 0x5d) return j;
      if (!isSpace(b)) return -1;
    }
    return -1;
  }

  private reject(): void {
    this.invalid++;
    this.body = undefined;
    this.oversize = false;
    this.state = SEEK;
  }
}

/** `[N,json]` around ASCII JSON bytes. */
export function jmpFrame(json: Uint8Array): Uint8Array {
  const digits = String(json.length);
  const out = new Uint8Array(digits.length + json.length + 3);
  out[0] = 0x5b;
  let o = 1;
  for (const d of digits) out[o++] = d.charCodeAt(0);
  out[o++] = 0x2c;
  out.set(json, o);
  out[o + json.length] = 0x5d;
  return out;
}
