/**
 * A WebSocket client for the in-memory network that can also misbehave on purpose: it sends any
 * frame (unmasked, reserved bits, bad lengths, split at any byte) and records everything the server
 * sends, frame by frame. Tests and the conformance suite drive it; it runs on XS as well.
 */
import { concatBytes, decodeLatin1, decodeUtf8, encodeAscii, encodeUtf8, toBase64 } from "../src/bytes.ts";
import { ByteBuffer } from "./byte-buffer.ts";
import { MEMORY_HOST_ADDRESS } from "./memory-net.ts";
import type { ClientConnection, Net } from "../src/host.ts";
import { encodeMaskedFrame, OP_CLOSE, OP_PING, OP_TEXT } from "../src/ws/frame.ts";

export interface ReceivedFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Uint8Array;
}

export interface WsClientOptions {
  path?: string;
  /** Extra request header lines ("Name: value"). */
  headers?: string[];
  protocols?: string[];
  version?: string;
  key?: string;
  secure?: boolean;
}

export class SimWebSocketClient {
  readonly connection: ClientConnection;
  /** The handshake response head once received, and its status. */
  status = 0;
  responseHead = "";
  /** Frames from the server, in order. */
  readonly frames: ReceivedFrame[] = [];
  /** null while the TCP connection is open; then its error or undefined. */
  closed: string | undefined | null = null;
  private readonly buffer = new ByteBuffer();
  private maskSeed = 0x1234567;

  constructor(net: Net, port: number, options: WsClientOptions = {}) {
    this.connection = net.connect({ host: MEMORY_HOST_ADDRESS, port, tls: options.secure ? {} : undefined });
    const lines = [
      `GET ${options.path ?? "/"} HTTP/1.1`,
      "Host: device",
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${options.key ?? toBase64(encodeAscii("iobox-test-key-1"))}`,
      `Sec-WebSocket-Version: ${options.version ?? "13"}`,
      ...(options.protocols ? [`Sec-WebSocket-Protocol: ${options.protocols.join(", ")}`] : []),
      ...(options.headers ?? []),
    ];
    this.connection.onConnect = () => this.connection.write(encodeAscii(lines.join("\r\n") + "\r\n\r\n"));
    this.connection.onData = (d) => this.receive(d);
    this.connection.onClose = (e) => (this.closed = e);
  }

  get open(): boolean {
    return this.status === 101 && this.closed === null;
  }

  /** Text messages received (unfragmented text frames and reassembled fragments). */
  get texts(): string[] {
    const out: string[] = [];
    let parts: Uint8Array[] = [];
    for (const f of this.frames) {
      if (f.opcode === OP_TEXT || (f.opcode === 0 && parts.length)) {
        parts.push(f.payload);
        if (f.fin) {
          out.push(decodeUtf8(parts.reduce((a, b) => concatBytes(a, b), new Uint8Array(0))));
          parts = [];
        }
      }
    }
    return out;
  }

  /** The close frame received: its code (1005 when empty) and reason, or undefined. */
  get closeFrame(): { code: number; reason: string } | undefined {
    const f = this.frames.find((x) => x.opcode === OP_CLOSE);
    if (!f) return undefined;
    if (f.payload.length < 2) return { code: 1005, reason: "" };
    return { code: (f.payload[0]! << 8) | f.payload[1]!, reason: decodeUtf8(f.payload, 2) };
  }

  /** A masked frame (the client's normal) with full control of its bits. */
  frame(opcode: number, payload: Uint8Array | string = new Uint8Array(0), options: { fin?: boolean; rsv?: number; masked?: boolean } = {}): Uint8Array {
    const bytes = typeof payload === "string" ? encodeUtf8(payload) : payload;
    if (options.masked === false) {
      const f = encodeMaskedFrame(opcode, bytes, new Uint8Array(4), options.fin ?? true, options.rsv ?? 0);
      // strip the mask: clear the bit and drop the 4 key bytes (payload XOR 0 is unchanged)
      const h = f.length - bytes.length - 4;
      const out = new Uint8Array(f.length - 4);
      out.set(f.subarray(0, h));
      out[1]! &= 0x7f;
      out.set(f.subarray(h + 4), h);
      return out;
    }
    this.maskSeed = (Math.imul(this.maskSeed, 1103515245) + 12345) >>> 0;
    const mask = new Uint8Array([this.maskSeed >>> 24, this.maskSeed >>> 16, this.maskSeed >>> 8, this.maskSeed]);
    return encodeMaskedFrame(opcode, bytes, mask, options.fin ?? true, options.rsv ?? 0);
  }

  send(opcode: number, payload?: Uint8Array | string, options?: { fin?: boolean; rsv?: number; masked?: boolean }): this {
    return this.raw(this.frame(opcode, payload, options));
  }

  sendText(text: string): this {
    return this.send(OP_TEXT, text);
  }

  ping(payload: Uint8Array | string = ""): this {
    return this.send(OP_PING, payload);
  }

  close(code?: number, reason = ""): this {
    if (code === undefined) return this.send(OP_CLOSE);
    const r = encodeUtf8(reason);
    const p = new Uint8Array(2 + r.length);
    p[0] = code >> 8;
    p[1] = code & 0xff;
    p.set(r, 2);
    return this.send(OP_CLOSE, p);
  }

  raw(bytes: Uint8Array): this {
    this.connection.write(bytes);
    return this;
  }

  private receive(data: Uint8Array): void {
    this.buffer.append(data);
    if (!this.status) {
      const head = this.buffer.view();
      let end = -1;
      for (let i = 0; i + 3 < head.length; i++) {
        if (head[i] === 13 && head[i + 1] === 10 && head[i + 2] === 13 && head[i + 3] === 10) {
          end = i;
          break;
        }
      }
      if (end < 0) return;
      this.responseHead = decodeLatin1(head, 0, end);
      this.status = Number(/^HTTP\/1\.1 (\d{3})/.exec(this.responseHead)?.[1] ?? -1);
      this.buffer.consume(end + 4);
      if (this.status !== 101) return;
    }
    for (;;) {
      const b = this.buffer.view();
      if (b.length < 2) return;
      let len = b[1]! & 0x7f;
      let p = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = (b[2]! << 8) | b[3]!;
        p = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = (b[6]! * 2 ** 24) + ((b[7]! << 16) | (b[8]! << 8) | b[9]!);
        p = 10;
      }
      const masked = (b[1]! & 0x80) !== 0;
      if (masked) p += 4;
      if (b.length < p + len) return;
      this.frames.push({ fin: (b[0]! & 0x80) !== 0, rsv: (b[0]! >> 4) & 7, opcode: b[0]! & 0x0f, masked, payload: b.slice(p, p + len) });
      this.buffer.consume(p + len);
    }
  }
}
