/**
 * The server side of RFC 6455 framing: parses client frames incrementally (any split), unmasks in
 * place, reassembles fragmented messages with control frames interleaved, validates UTF-8 as it
 * arrives, and enforces the message size limit from the frame header, before the payload comes.
 *
 * It is a base class: the WebSocket extends it, so parser and connection are one object on the
 * device heap. An idle parser holds seven numbers and no buffer; what a message needs while it
 * is assembled lives in an Assembly that exists only meanwhile.
 */
import type { TextCodec } from "../host.ts";
import { isValidCloseCode, OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT } from "./frame.ts";
import { utf8Continue, UTF8_INVALID } from "./utf8-stream.ts";

const HEAD0 = 0;
const HEAD1 = 1;
const LENGTH = 2;
const MASK = 3;
const PAYLOAD = 4;
const STOPPED = 5;

/** A message (or a control payload) that spans frames or reads. */
class Assembly {
  message: Uint8Array | undefined;
  length = 0;
  utf8 = 0;
  control: Uint8Array | undefined;
}

export abstract class FrameParser {
  private state = HEAD0;
  private b0 = 0; // FIN, RSV and opcode of the current frame
  private length = 0; // payload length of the current frame
  private count = 0; // header bytes still expected (LENGTH, MASK), or payload bytes seen (PAYLOAD)
  private mask = 0;
  private messageOp = 0; // opcode of the fragmented message in progress, 0 when none
  private assembly: Assembly | undefined;

  /** Largest message accepted (1009 beyond). */
  protected abstract maxMessage(): number;
  /** Decodes validated UTF-8 (natively on the device). */
  protected abstract textCodec(): TextCodec;
  /** A complete text message. */
  protected abstract onTextMessage(text: string): void;
  /** A complete binary message; `bytes` are valid only during the call. */
  protected abstract onBinaryMessage(bytes: Uint8Array): void;
  protected abstract onPingFrame(payload: Uint8Array): void;
  protected abstract onPongFrame(payload: Uint8Array): void;
  /** The peer's close frame; `code` is 1005 when it carried none. Parsing stops. */
  protected abstract onCloseFrame(code: number, reason: string): void;
  /** The peer broke the protocol: the connection must fail with `code` (1002, 1007 or 1009). Parsing stops. */
  protected abstract onFrameError(code: number, reason: string): void;

  /** Stops parsing: what arrives later is ignored. */
  protected stopParsing(): void {
    this.state = STOPPED;
    this.assembly = undefined;
  }

  /** Consumes bytes from the network; they may be modified (unmasked) in place. */
  protected parse(buf: Uint8Array): void {
    const end = buf.length;
    let i = 0;
    while (i < end) {
      switch (this.state) {
        case HEAD0: {
          const b = buf[i++]!;
          if (b & 0x70) return void this.error(1002, "reserved bits set");
          const op = b & 0x0f;
          if (op >= OP_CLOSE) {
            if (op > OP_PONG) return void this.error(1002, "reserved opcode " + op);
            if (!(b & 0x80)) return void this.error(1002, "fragmented control frame");
          } else if (op === OP_CONTINUATION) {
            if (!this.messageOp) return void this.error(1002, "continuation without a message");
          } else if (op === OP_TEXT || op === OP_BINARY) {
            if (this.messageOp) return void this.error(1002, "new message inside a fragmented one");
          } else return void this.error(1002, "reserved opcode " + op);
          this.b0 = b;
          this.state = HEAD1;
          break;
        }
        case HEAD1: {
          const b = buf[i++]!;
          if (!(b & 0x80)) return void this.error(1002, "unmasked client frame");
          const len = b & 0x7f;
          if ((this.b0 & 0x0f) >= OP_CLOSE && len > 125) return void this.error(1002, "control frame too long");
          if (len < 126) {
            this.length = len;
            if (!this.lengthKnown()) return;
          } else {
            this.length = 0;
            this.state = LENGTH;
            this.count = len === 126 ? 2 : 8;
          }
          break;
        }
        case LENGTH: {
          const b = buf[i++]!;
          if (this.count === 8 && b & 0x80) return void this.error(1002, "64-bit length with the top bit set");
          // the final length is at least this prefix: past 2^31 it is over any limit (and stays exact)
          this.length = this.length * 256 + b;
          if (this.length > 0x7fffffff) return void this.error(1009, "message too big");
          if (--this.count === 0 && !this.lengthKnown()) return;
          break;
        }
        case MASK: {
          this.mask = ((this.mask << 8) | buf[i++]!) >>> 0;
          if (--this.count === 0) {
            this.state = PAYLOAD;
            if (this.length === 0 && !this.frameEnd(buf, i, i)) return;
          }
          break;
        }
        case PAYLOAD: {
          const n = Math.min(this.length - this.count, end - i);
          unmask(buf, i, i + n, this.mask, this.count);
          this.count += n;
          const from = i;
          i += n;
          if (this.count < this.length) {
            if (!this.keep(buf, from, i)) return;
          } else if (!this.frameEnd(buf, from, i)) return;
          break;
        }
        default:
          return; // STOPPED
      }
    }
  }

  /** The frame's length is known (non-minimal encodings are tolerated, as browsers and ws do). */
  private lengthKnown(): boolean {
    if ((this.b0 & 0x0f) < OP_CLOSE && (this.assembly?.length ?? 0) + this.length > this.maxMessage()) return this.error(1009, "message too big");
    this.state = MASK;
    this.count = 4;
    this.mask = 0;
    return true;
  }

  /** Keeps a partial payload (the frame continues in a later read). */
  private keep(buf: Uint8Array, from: number, to: number): boolean {
    if ((this.b0 & 0x0f) >= OP_CLOSE) {
      const a = (this.assembly ??= new Assembly());
      a.control ??= new Uint8Array(125);
      a.control.set(buf.subarray(from, to), this.count - (to - from));
      return true;
    }
    return this.append(buf, from, to);
  }

  /** Appends data-frame bytes to the message being assembled, checking text as it goes. */
  private append(buf: Uint8Array, from: number, to: number): boolean {
    const a = (this.assembly ??= new Assembly());
    const op = this.b0 & 0x0f;
    if (op === OP_TEXT || (op === OP_CONTINUATION && this.messageOp === OP_TEXT)) {
      a.utf8 = utf8Continue(a.utf8, buf, from, to);
      if (a.utf8 === UTF8_INVALID) return this.error(1007, "invalid UTF-8 in text message");
    }
    const need = a.length + (to - from);
    if (!a.message || a.message.length < need) {
      // room for the rest of this frame at once (its length is known), doubling across fragments
      const frameEnd = need + (this.length - this.count);
      const next = new Uint8Array(Math.max(frameEnd, Math.min(this.maxMessage(), 2 * (a.message?.length ?? 0))));
      if (a.message) next.set(a.message.subarray(0, a.length));
      a.message = next;
    }
    a.message.set(buf.subarray(from, to), a.length);
    a.length += to - from;
    return true;
  }

  /** The current frame's last payload bytes are `buf[from, to)`. Returns false once parsing stopped. */
  private frameEnd(buf: Uint8Array, from: number, to: number): boolean {
    const b0 = this.b0;
    const op = b0 & 0x0f;
    this.state = HEAD0;
    const a = this.assembly;
    if (op >= OP_CLOSE) {
      let payload = buf.subarray(from, to);
      if (a?.control) {
        a.control.set(payload, this.length - payload.length);
        payload = a.control.subarray(0, this.length);
        a.control = undefined;
        if (!a.message) this.assembly = undefined;
      }
      if (op === OP_PING) this.onPingFrame(payload);
      else if (op === OP_PONG) this.onPongFrame(payload);
      else return this.closeFrame(payload);
      return this.state !== STOPPED;
    }
    const fin = (b0 & 0x80) !== 0;
    if (fin && !this.messageOp && !a?.message) {
      // the common case: a whole unfragmented message in this read, delivered without a copy
      if (op === OP_TEXT) {
        if (utf8Continue(0, buf, from, to) !== 0) return this.error(1007, "invalid UTF-8 in text message");
        this.onTextMessage(this.textCodec().decode(buf, from, to));
      } else this.onBinaryMessage(buf.subarray(from, to));
      return this.state !== STOPPED;
    }
    if (!this.append(buf, from, to)) return false;
    if (op !== OP_CONTINUATION) this.messageOp = op;
    if (!fin) return true;
    const whole = this.assembly!;
    const messageOp = this.messageOp;
    this.messageOp = 0;
    this.assembly = undefined;
    const message = whole.message ?? new Uint8Array(0);
    if (messageOp === OP_TEXT) {
      if (whole.utf8 !== 0) return this.error(1007, "text message ends inside a character");
      this.onTextMessage(this.textCodec().decode(message, 0, whole.length)); // validated as it arrived
    } else this.onBinaryMessage(message.subarray(0, whole.length));
    return this.state !== STOPPED;
  }

  private closeFrame(payload: Uint8Array): boolean {
    if (payload.length === 1) return this.error(1002, "close frame with a 1-byte payload");
    let code = 1005;
    let reason = "";
    if (payload.length >= 2) {
      code = (payload[0]! << 8) | payload[1]!;
      if (!isValidCloseCode(code)) return this.error(1002, "invalid close code " + code);
      if (utf8Continue(0, payload, 2, payload.length) !== 0) return this.error(1007, "invalid UTF-8 in close reason");
      reason = this.textCodec().decode(payload, 2, payload.length);
    }
    this.stopParsing();
    this.onCloseFrame(code, reason);
    return false;
  }

  private error(code: number, reason: string): false {
    this.stopParsing();
    this.onFrameError(code, reason);
    return false;
  }
}

/** XORs `buf[from, to)` with the 32-bit mask, `offset` bytes into the payload. */
function unmask(buf: Uint8Array, from: number, to: number, mask: number, offset: number): void {
  const m0 = (mask >>> 24) & 0xff;
  const m1 = (mask >>> 16) & 0xff;
  const m2 = (mask >>> 8) & 0xff;
  const m3 = mask & 0xff;
  let i = from;
  // align to the mask's phase, then four bytes per turn
  for (let k = offset & 3; k !== 0 && i < to; k = (k + 1) & 3) buf[i++]! ^= k === 1 ? m1 : k === 2 ? m2 : m3;
  const quad = to - ((to - i) & 3);
  for (; i < quad; i += 4) {
    buf[i]! ^= m0;
    buf[i + 1]! ^= m1;
    buf[i + 2]! ^= m2;
    buf[i + 3]! ^= m3;
  }
  for (let k = 0; i < to; k++) buf[i++]! ^= k === 0 ? m0 : k === 1 ? m1 : m2;
}
