/**
 * A server WebSocket connection (RFC 6455) over a Host Connection: the frame parser it extends, the
 * close handshake, ping/pong, idle and pong timeouts, and a bounded send queue. A client too slow
 * to take what is sent is closed with 1008 once `maxBuffered` bytes wait, and that is logged.
 *
 * Server frames are unmasked and never fragmented. Protocol layers send text with `send`, bytes
 * with `sendBinary`, or the same pre-encoded frame to many connections with `sendFrame`.
 */
import type { Budgeted } from "../connection-budget.ts";
import type { Connection, TextCodec } from "../host.ts";
import { encodeCloseFrame, encodeFrame, OP_BINARY, OP_PING, OP_PONG, OP_TEXT } from "./frame.ts";
import { FrameParser } from "./frame-parser.ts";

export interface WebSocketOptions {
  /** Largest message accepted; a bigger one closes the connection with 1009. */
  maxMessage: number;
  /** Bytes that may wait to be sent; a send that would pass it while bytes wait closes the connection with 1008. */
  maxBuffered: number;
  /** Ping after this long without hearing from the client (0 = never). */
  pingIntervalMs: number;
  /**
   * A ping unanswered (nothing heard) for this long drops the connection. 0: pings only make the TCP
   * stack notice a peer that is gone (the write fails); clients that never answer pings are kept.
   */
  pongTimeoutMs: number;
  /** Close with 1001 after this long without hearing from the client (0 = never). */
  idleTimeoutMs: number;
  /** How long to wait for the client's close frame after sending ours. */
  closeTimeoutMs: number;
}

/**
 * ESP32 profile: JANOS messages are well under 4 KB, and 8 connections x (a 4 KB message being
 * assembled + 4 KB waiting to be sent) = 64 KB at worst, like the HTTP profile.
 */
export const DEVICE_WEBSOCKET: WebSocketOptions = {
  maxMessage: 4096,
  maxBuffered: 4096,
  pingIntervalMs: 30_000,
  pongTimeoutMs: 15_000,
  idleTimeoutMs: 0,
  closeTimeoutMs: 5000,
};

export const SIMULATOR_WEBSOCKET: WebSocketOptions = {
  ...DEVICE_WEBSOCKET,
  maxMessage: 1024 * 1024,
  maxBuffered: 1024 * 1024,
};

/** What a WebSocket needs from the server that accepted it. */
export interface WebSocketHost {
  readonly text: TextCodec;
  now(): number;
  log(level: "debug" | "info" | "warn" | "error", message: string): void;
  /** The connection has ended; forget it. */
  release(session: WebSocket): void;
}

/**
 * What happens on a WebSocket's events. One handler object serves every connection of a protocol
 * (no closure per connection); per-connection state goes in `ws.target`.
 */
export interface WebSocketHandler {
  onText?(ws: WebSocket, text: string): void;
  /** `bytes` are valid only during the call. */
  onBinary?(ws: WebSocket, bytes: Uint8Array): void;
  /** Called once, when the WebSocket closes for whatever reason; 1006 means the connection dropped. */
  onClose?(ws: WebSocket, code: number, reason: string): void;
}

const IGNORE: WebSocketHandler = {};

const OPEN = 0;
const CLOSING = 1; // our close frame is sent; waiting for the client's
const CLOSED = 2; // the handshake is over; the TCP connection may still be flushing

const EMPTY = new Uint8Array(0);

export class WebSocket extends FrameParser implements Budgeted {
  readonly kind = "websocket";
  handler: WebSocketHandler = IGNORE;
  /** The owner's, like Connection.target. */
  target?: unknown;
  private phase = OPEN;
  private heardAt: number;
  /** OPEN: when the unanswered ping was sent (0: none). Otherwise: when to drop the connection. */
  private deadline = 0;

  constructor(
    private readonly server: WebSocketHost,
    private readonly connection: Connection,
    private readonly options: WebSocketOptions,
    /** The request path the client opened. */
    readonly path: string,
    /** The subprotocol agreed in the handshake, or "". */
    readonly protocol: string,
  ) {
    super();
    this.heardAt = server.now();
    connection.target = this;
    connection.onData = wsData;
    connection.onDrain = undefined;
    connection.onClose = wsClosed;
  }

  get remoteAddress(): string {
    return this.connection.remoteAddress;
  }

  get remotePort(): number {
    return this.connection.remotePort;
  }

  get secure(): boolean {
    return this.connection.secure;
  }

  /**
   * For the connection budget: a WebSocket whose owner has not logged it in yet. The owner says so
   * through its `target` (`sheddable`): a JANOS session before its login; a target that does not
   * say (a route that authenticated the upgrade) is kept.
   */
  get sheddable(): boolean {
    return (this.target as { sheddable?: boolean } | undefined)?.sheddable === true;
  }

  /** Closed to make room for another connection (1013: try again later). */
  shed(): void {
    this.close(1013, "no connection slot for a client that has not logged in");
  }

  /** Bytes waiting to be sent. */
  get bufferedAmount(): number {
    return this.connection.pending;
  }

  get isOpen(): boolean {
    return this.phase === OPEN;
  }

  /** Sends a text message; false when the connection is closing or its queue is above the host's mark. */
  send(text: string): boolean {
    return this.phase === OPEN && this.sendFrame(encodeFrame(OP_TEXT, this.server.text.encode(text)));
  }

  sendBinary(bytes: Uint8Array): boolean {
    return this.phase === OPEN && this.sendFrame(encodeFrame(OP_BINARY, bytes));
  }

  /** Sends a frame built once for many connections (broadcast); it must not be modified afterwards. */
  sendFrame(frame: Uint8Array): boolean {
    if (this.phase !== OPEN) return false;
    // a client is too slow when bytes already wait; one frame into an empty queue always goes
    const pending = this.connection.pending;
    if (pending > 0 && pending + frame.length > this.options.maxBuffered) {
      this.server.log("warn", `websocket ${this.remoteAddress}:${this.remotePort}: closing a client too slow to read: ${pending} bytes unsent (limit ${this.options.maxBuffered})`);
      this.fail(1008, "send queue full");
      return false;
    }
    return this.connection.write(frame);
  }

  ping(payload: Uint8Array = EMPTY): void {
    if (this.phase === OPEN) this.connection.write(encodeFrame(OP_PING, payload));
  }

  /** Starts the close handshake (§7.1.2). */
  close(code = 1000, reason = ""): void {
    if (this.phase !== OPEN) return;
    this.phase = CLOSING;
    this.deadline = this.server.now() + this.options.closeTimeoutMs;
    this.connection.write(encodeCloseFrame(code, reason));
  }

  /** Drops the connection without a close handshake. */
  terminate(): void {
    this.connection.destroy();
  }

  /** Deadlines: called by the server's sweep. */
  sweep(now: number): void {
    if (this.phase !== OPEN) {
      if (now >= this.deadline) this.connection.destroy();
      return;
    }
    const { idleTimeoutMs, pingIntervalMs, pongTimeoutMs } = this.options;
    const quiet = now - this.heardAt;
    if (idleTimeoutMs && quiet >= idleTimeoutMs) return this.close(1001, "idle timeout");
    if (this.deadline) {
      if (now - this.deadline >= pongTimeoutMs) {
        this.server.log("info", `websocket ${this.remoteAddress}:${this.remotePort}: no answer to ping in ${pongTimeoutMs} ms; dropped`);
        this.connection.destroy();
      }
    } else if (pingIntervalMs && quiet >= pingIntervalMs) {
      this.ping();
      if (pongTimeoutMs) this.deadline = now;
      else this.heardAt = now; // the ping only probes the TCP connection: the next one after another interval
    }
  }

  /** Server shutdown: close with 1001 (§7.4.1 "going away"). */
  shutdown(): void {
    this.close(1001, "server shutting down");
  }

  /** @internal bytes from the connection */
  receive(bytes: Uint8Array): void {
    this.heardAt = this.server.now();
    if (this.phase === OPEN) this.deadline = 0; // anything heard answers a ping
    this.parse(bytes);
  }

  /** @internal the connection is gone */
  ended(error: string | undefined): void {
    this.server.release(this);
    if (this.phase !== CLOSED) this.finish(1006, error ?? "");
  }

  protected maxMessage(): number {
    return this.options.maxMessage;
  }

  protected textCodec(): TextCodec {
    return this.server.text;
  }

  protected onTextMessage(text: string): void {
    if (this.phase === OPEN) this.handler.onText?.(this, text);
  }

  protected onBinaryMessage(bytes: Uint8Array): void {
    if (this.phase === OPEN) this.handler.onBinary?.(this, bytes);
  }

  protected onPingFrame(payload: Uint8Array): void {
    if (this.phase === OPEN) this.connection.write(encodeFrame(OP_PONG, payload));
  }

  protected onPongFrame(): void {
    // receive() has noted that the client is alive
  }

  protected onCloseFrame(code: number, reason: string): void {
    if (this.phase === OPEN) this.connection.write(encodeCloseFrame(code, "")); // echo the code (§5.5.1)
    this.finish(code, reason);
    this.connection.close(); // the server closes the TCP connection first (§7.1.1)
  }

  protected onFrameError(code: number, reason: string): void {
    this.server.log("debug", `websocket ${this.remoteAddress}:${this.remotePort}: ${reason}; closing with ${code}`);
    this.fail(code, reason);
  }

  /** Fails the connection (§7.1.7): our close frame, then the TCP close, without waiting. */
  private fail(code: number, reason: string): void {
    this.stopParsing();
    if (this.phase === OPEN) this.connection.write(encodeCloseFrame(code, reason));
    this.finish(code, reason);
    this.connection.close();
  }

  private finish(code: number, reason: string): void {
    if (this.phase === CLOSED) return;
    // a client that never reads (or never answers our close) must not hold the connection
    if (this.phase === OPEN) this.deadline = this.server.now() + this.options.closeTimeoutMs;
    this.phase = CLOSED;
    const handler = this.handler;
    this.handler = IGNORE;
    handler.onClose?.(this, code, reason);
  }
}

function wsData(this: Connection, bytes: Uint8Array): void {
  (this.target as WebSocket).receive(bytes);
}

function wsClosed(this: Connection, error?: string): void {
  (this.target as WebSocket).ended(error);
}
